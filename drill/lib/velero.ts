import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { LocalCluster } from "./kube";
import { Minio } from "./minio";
import { Processes, run, waitFor } from "./procs";
import { pluginKnowsChecksum } from "../../components/backends/s3compat";
import { buildS3CompatBslConfig, S3CompatBslInput } from "../../components/velero/locations";

export const BUCKET = "velero";
export const NAMESPACE = "velero";

/**
 * The drill's MinIO as the s3compat backend's settings (what a stack's `velero-dr:s3compat` and a
 * source's outputs hold). Plugin v1.10+ sends aws-chunked checksums by default, which S3-compatible
 * stores reject, so it gets `checksumAlgorithm: ""`; v1.6.x does not know the key (it would refuse
 * to start), and the backend's validation keeps it off such plugins.
 */
export function drillStore(minio: Minio, pluginVersion: string): S3CompatBslInput {
  return {
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    ...(pluginKnowsChecksum(pluginVersion) ? { checksumAlgorithm: "" } : {}),
  };
}

/** The BSL config of the drill's store, built by the s3compat backend's builder. */
export function drillBslConfig(minio: Minio, pluginVersion: string): Record<string, string> {
  return buildS3CompatBslConfig(drillStore(minio, pluginVersion));
}

/**
 * Velero 1.10.3 run out of cluster against a LocalCluster, with the AWS object-store plugin
 * talking to MinIO. Only one server runs at a time: controller-runtime in 1.10.3 always binds
 * its metrics listener on :8080, so two servers would collide.
 */
export class LocalVelero {
  constructor(
    private readonly bin: string,
    private readonly pluginDir: string,
    private readonly procs: Processes,
    private readonly dir: string,
  ) {}

  installCrds(cluster: LocalCluster): void {
    const crds = run(path.join(this.bin, "velero"), [
      "install",
      "--crds-only",
      "--dry-run",
      "-o",
      "json",
    ]).stdout;
    cluster.kubectl(["apply", "--server-side", "-f", "-"], crds);
    cluster.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
  }

  /**
   * The BSL on the store, its config as the s3compat backend builds it (`drillStore`); no VSL: the
   * s3compat backend has none, so Schedules name none.
   */
  locations(bslConfig: Record<string, string>, accessMode: "ReadWrite" | "ReadOnly"): unknown[] {
    return [
      {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name: "default", namespace: NAMESPACE },
        spec: {
          provider: "aws",
          objectStorage: { bucket: BUCKET },
          config: bslConfig,
          default: true,
          accessMode,
        },
      },
    ];
  }

  prepare(
    cluster: LocalCluster,
    bslConfig: Record<string, string>,
    accessMode: "ReadWrite" | "ReadOnly",
  ): void {
    cluster.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
    cluster.apply({ apiVersion: "v1", kind: "List", items: this.locations(bslConfig, accessMode) });
  }

  async start(name: string, cluster: LocalCluster, minio: Minio, pod: PodPart = {}): Promise<void> {
    this.startServer(name, cluster, minio, pod);
    await this.waitAvailable(name, cluster);
  }

  /**
   * Starts the server without waiting for its location (under the engine, the stack creates the
   * location after the server runs, as an in-cluster Velero pod would find it).
   */
  startServer(name: string, cluster: LocalCluster, minio: Minio, pod: PodPart = {}): void {
    const home = path.join(this.dir, name);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const creds = path.join(home, "credentials");
    writeFileSync(creds, pod.credentials ?? minio.credentialsFile(), { mode: 0o600 });
    const criLog = path.join(home, "container.log");
    const start = (
      n: string,
      command: string,
      args: string[],
      opts: { env?: NodeJS.ProcessEnv; cwd?: string },
    ) =>
      pod.logs
        ? this.procs.startWithCriLog(n, command, args, criLog, opts)
        : this.procs.start(n, command, args, opts);
    if (pod.logs) cluster.setClusterLogs(`${name}-logs`, NAMESPACE, ["velero"], criLog);
    start(
      name,
      path.join(this.bin, "velero"),
      [
        "server",
        `--kubeconfig=${cluster.kubeconfigPath}`,
        `--namespace=${NAMESPACE}`,
        `--plugin-dir=${this.pluginDir}`,
        "--metrics-address=127.0.0.1:8085",
        "--profiler-address=127.0.0.1:6060",
        "--backup-sync-period=5s",
        "--store-validation-frequency=5s",
        "--log-level=info",
        ...(pod.args ?? []),
      ],
      // As the chart does with credentials.useSecret: the plugin reads the shared credentials file.
      // Velero re-runs itself as its internal plugins; they find the cluster through KUBECONFIG.
      {
        env: {
          ...process.env,
          HOME: home,
          TMPDIR: home,
          AWS_SHARED_CREDENTIALS_FILE: creds,
          KUBECONFIG: cluster.kubeconfigPath,
        },
        cwd: home,
      },
    );
  }

  /**
   * The in-cluster Velero pod's part, played by this server once its Deployment has a ready pod
   * (Velero refuses to start before its namespace exists). Resolves when the server started, or
   * rejects after `timeoutMs`; `stop()` ends the wait early.
   */
  async startWhenDeployed(
    name: string,
    cluster: LocalCluster,
    minio: Minio,
    opts: {
      deployment?: string;
      timeoutMs?: number;
      stopped?: () => boolean;
      /**
       * Play the pod as the Deployment defines it: the credentials file from the Secret it mounts
       * (cloud-credentials, key `cloud`) instead of the store's root key, and its log served to
       * `kubectl logs` of the velero container.
       */
      asDeployed?: boolean;
    } = {},
  ): Promise<void> {
    await waitFor(
      `deployment ${opts.deployment ?? "velero"} ready in ${cluster.name}`,
      () =>
        opts.stopped?.() === true ||
        Number(
          cluster.kubectl(
            [
              "-n",
              NAMESPACE,
              "get",
              "deployment",
              opts.deployment ?? "velero",
              "-o",
              "jsonpath={.status.readyReplicas}",
            ],
            undefined,
            true,
          ).stdout || "0",
        ) >= 1,
      opts.timeoutMs ?? 20 * 60_000,
      1000,
    );
    if (opts.stopped?.()) return;
    const deployment = cluster.getJson(["-n", NAMESPACE, "get", "deployment", opts.deployment ?? "velero"]);
    // The container's flags that decide how volumes are backed up (the uploader, every pod volume
    // copied file by file), as the pod would run them; the drill keeps its own sync periods and log level.
    const container = (deployment.spec.template.spec.containers ?? []).find(
      (c: { name: string }) => c.name === "velero",
    );
    const args = ((container?.args ?? []) as string[]).filter((a) =>
      /^--(uploader-type|default-volumes-to-fs-backup)(=|$)/.test(a),
    );
    if (!opts.asDeployed) return this.startServer(name, cluster, minio, { args });
    const volume = (deployment.spec.template.spec.volumes ?? []).find(
      (v: { name: string }) => v.name === "cloud-credentials",
    );
    if (!volume?.secret?.secretName)
      throw new Error("the Velero Deployment mounts no cloud-credentials Secret");
    const secret = cluster.getJson(["-n", NAMESPACE, "get", "secret", volume.secret.secretName]);
    const credentials = Buffer.from(String(secret.data?.cloud ?? ""), "base64").toString("utf8");
    this.startServer(name, cluster, minio, { credentials, logs: true, args });
  }

  /** Waits until server `name` (running) finds the location Available; else the phase and message it last set. */
  async waitAvailable(name: string, cluster: LocalCluster): Promise<void> {
    await waitFor(
      `Velero ${name}: backup storage location default Available in ${cluster.name}`,
      () => {
        this.procs.assertRunning(name);
        const r = cluster.kubectl(
          ["-n", NAMESPACE, "get", "bsl", "default", "-o", "jsonpath={.status.phase} {.status.message}"],
          undefined,
          true,
        );
        const [phase, ...message] = r.stdout.trim().split(" ");
        if (phase === "Available") return true;
        throw new Error(
          r.code !== 0 ? r.stderr.trim() : `phase ${phase || "(none yet)"} ${message.join(" ")}`.trim(),
        );
      },
      120000,
      1000,
    );
  }

  async stop(name: string): Promise<void> {
    await this.procs.stop(name);
  }

  cli(cluster: LocalCluster, args: string[], allowFail = false) {
    return run(
      path.join(this.bin, "velero"),
      [`--kubeconfig=${cluster.kubeconfigPath}`, `--namespace=${NAMESPACE}`, ...args],
      { allowFail },
    );
  }
}

/** How the drill's server plays the in-cluster pod. */
export interface PodPart {
  /** The credentials file the pod mounts (default: the store's root key). */
  credentials?: string;
  /** Serve the server's log as the velero container's (`kubectl logs deployment/velero`). */
  logs?: boolean;
  /** More `velero server` flags (its container's args), e.g. `--uploader-type=kopia`. */
  args?: string[];
}

/**
 * The objects of a backup as Velero stored them in the bucket (`velero backup download`: the
 * backup's tarball), looked up by resource (`deployments.apps`), namespace and name. What a
 * stand-in re-creates must come from here, not from the drill's fixture.
 */
export function backupContents(
  velero: LocalVelero,
  cluster: LocalCluster,
  backup: string,
  workDir: string,
): (resource: string, namespace: string, name: string) => Record<string, any> {
  const dir = path.join(workDir, `backup-contents-${backup}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    const tarball = path.join(dir, "backup.tar.gz");
    velero.cli(cluster, ["backup", "download", backup, "-o", tarball]);
    run("tar", ["-xzf", tarball, "-C", dir]);
  }
  return (resource, namespace, name) => {
    // Velero 1.10 keeps each object under resources/<resource>/namespaces/<ns>/<name>.json, and
    // again under the preferred version's folder (resources/<resource>/<version>-preferredversion/...).
    const base = path.join(dir, "resources", resource);
    const direct = path.join(base, "namespaces", namespace, `${name}.json`);
    const versioned = existsSync(base)
      ? readdirSync(base)
          .filter((d) => d.endsWith("-preferredversion"))
          .map((d) => path.join(base, d, "namespaces", namespace, `${name}.json`))
      : [];
    const file = [direct, ...versioned].find((f) => existsSync(f));
    if (!file) throw new Error(`backup ${backup} holds no ${resource} ${namespace}/${name}`);
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, any>;
  };
}
