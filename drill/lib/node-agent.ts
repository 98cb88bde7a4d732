import { ChildProcess } from "child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "fs";
import * as path from "path";
import {
  LocalCluster,
  RESTORE_WAIT_CONTAINER,
  RESTORE_WAIT_DONE_ANNOTATION,
  VOLUMES_MOUNTED_ANNOTATION,
} from "./kube";
import { Processes, waitFor } from "./procs";
import { provisionedDir } from "./provisioner";
import { NAMESPACE } from "./velero";

/**
 * Velero 1.10.3's node agent, for real, for a LocalCluster's fake (KWOK) nodes: one
 * `velero node-agent server` process per node, playing that node's pod of the `node-agent`
 * DaemonSet (which this installs: Velero's server sends a node's pod volumes to the node agent only
 * when a pod labelled name=node-agent runs there, and KWOK runs it). Each process gets what the
 * DaemonSet's pod gets (node-agent-root.sh): NODE_NAME, the cluster's kubeconfig, the store's
 * credentials file (AWS_SHARED_CREDENTIALS_FILE), its own loopback (its ports :8085 and :8080 are
 * fixed) and the node's pod directories at /host_pods.
 *
 * The kubelet's part is played here too (`sync`, on a timer): for every pod on a node,
 * `<node>/<pod uid>/volumes/...` as the kubelet lays it out - a claim of the drill's provisioner
 * (its `csi` volumes) at `kubernetes.io~csi/<pv>/mount`, linked to the claim's directory of this
 * machine (the same directory the drill's exec commands see at the claim's mount path) - and, for
 * a pod Velero restores with volumes to fill, its init container: the real velero-restore-helper,
 * run with the pod's volumes at /restores/<volume> (pod-root.sh) until every volume has the done
 * file the node agent writes; then the pod is marked to start (RESTORE_WAIT_DONE_ANNOTATION).
 */
export interface NodeAgentOptions {
  /** The directory of the velero and velero-restore-helper binaries (the drill toolchain's bin). */
  bin: string;
  /** Where the agents keep their homes, pod directories and sockets. */
  dir: string;
  /**
   * The AWS shared-credentials file's text (the DaemonSet mounts Velero's cloud-credentials);
   * absent: the one the DaemonSet's pods mount (its `cloud-credentials` Secret, key `cloud`), as
   * they would read it.
   */
  credentials?: string;
  /** Loopback ports of this machine the agents reach: the API server's is added; the stores'. */
  ports: number[];
  /**
   * Who makes the `node-agent` DaemonSet: the drill (`own`: the chart's, reduced to what the
   * drill's nodes need), or a stack's Velero release (`stack`: the agents start once its pods run,
   * as a kubelet starts them; `start` waits for it).
   */
  daemonSet?: "own" | "stack";
  /** With `stack`: how long to wait for the DaemonSet (default 20 minutes), and when to give up early. */
  waitMs?: number;
  stopped?: () => boolean;
}

export const NODE_AGENT = "node-agent";
const CSI_PLUGIN_DIR = "kubernetes.io~csi";
const EMPTY_DIR_PLUGIN_DIR = "kubernetes.io~empty-dir";

export class NodeAgents {
  private timer?: NodeJS.Timeout;
  private readonly helpers = new Map<string, ChildProcess>();
  private readonly helperExit = new Map<string, number>();
  private nodes: string[] = [];
  /** Restore helpers run, by pod (namespace/name), with their exit codes. */
  readonly restoreHelpers: Record<string, number | null> = {};

  constructor(
    private readonly cluster: LocalCluster,
    private readonly procs: Processes,
    private readonly o: NodeAgentOptions,
  ) {}

  private get dir(): string {
    return path.join(this.o.dir, this.cluster.name);
  }

  /** The node's pod directories (the kubelet's `pods` directory, the agent's /host_pods). */
  hostPods(node: string): string {
    return path.join(this.dir, "host_pods", node);
  }

  private procName(node: string): string {
    return `${this.cluster.name}-node-agent-${node}`;
  }

  /** The node-agent DaemonSet, its pods Running on every node (KWOK), and the agents started. */
  async start(): Promise<void> {
    if (this.o.daemonSet === "stack") {
      await waitFor(
        `${this.cluster.name}: the stack's ${NODE_AGENT} DaemonSet`,
        () =>
          this.o.stopped?.() === true ||
          this.cluster.kubectlOk(["-n", NAMESPACE, "get", "daemonset", NODE_AGENT]),
        this.o.waitMs ?? 20 * 60_000,
        1000,
      );
      if (this.o.stopped?.()) return;
    } else {
      this.cluster.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
      this.cluster.apply(daemonSet());
    }
    this.nodes = this.cluster
      .kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"])
      .stdout.split(" ")
      .filter((n) => n !== "");
    await waitFor(
      `${this.cluster.name} node-agent pods Running on ${this.nodes.length} nodes`,
      () => this.runningAgentPods().length === this.nodes.length,
      120000,
      1000,
    );
    this.sync();
    this.timer = setInterval(() => this.sync(), 500);
    const home = this.dir;
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const credentials = path.join(home, "credentials");
    writeFileSync(credentials, this.o.credentials ?? this.mountedCredentials(), { mode: 0o600 });
    const apiPort = Number(new URL(this.cluster.server).port);
    const ports = [...new Set([apiPort, ...this.o.ports])];
    // Unix sockets cross network namespaces: this side connects them to the drill's loopback.
    const sockets = path.join(home, "sockets");
    mkdirSync(sockets, { recursive: true });
    const forwards = ports.map((p) => `${p}=${path.join(sockets, `${p}.sock`)}`);
    this.procs.start(`${this.cluster.name}-node-agent-forward`, process.execPath, [
      path.join(__dirname, "forward.js"),
      "unix-to-tcp",
      ...forwards,
    ]);
    await waitFor(
      "node agent forwards",
      () => ports.every((p) => existsSync(path.join(sockets, `${p}.sock`))),
      30000,
    );
    for (const node of this.nodes) {
      const nodeDir = path.join(home, "nodes", node);
      const root = path.join(nodeDir, "root");
      mkdirSync(root, { recursive: true });
      mkdirSync(path.join(nodeDir, "home"), { recursive: true });
      this.procs.start(
        this.procName(node),
        "/usr/bin/unshare",
        [
          "--net",
          "--mount",
          "--propagation",
          "private",
          "--",
          "/bin/bash",
          path.join(__dirname, "node-agent-root.sh"),
          path.join(this.o.bin, "velero"),
          "node-agent",
          "server",
          `--kubeconfig=${this.cluster.kubeconfigPath}`,
          `--namespace=${NAMESPACE}`,
          "--log-level=debug",
        ],
        {
          cwd: nodeDir,
          env: {
            PATH: process.env.PATH,
            HOME: path.join(nodeDir, "home"),
            NODE_NAME: node,
            VELERO_NAMESPACE: NAMESPACE,
            AWS_SHARED_CREDENTIALS_FILE: credentials,
            VELERO_DR_HOST_PODS: this.hostPods(node),
            VELERO_DR_ROOT_MOUNTPOINT: root,
            VELERO_DR_FORWARDS: forwards.join(" "),
            VELERO_DR_NODE: process.execPath,
          },
        },
      );
    }
    await waitFor(
      `${this.cluster.name} node agents' controllers started`,
      () =>
        this.nodes.every((n) => {
          this.procs.assertRunning(this.procName(n));
          return /Controllers starting/.test(readLog(this.procs.logFile(this.procName(n))));
        }),
      120000,
      1000,
    );
  }

  /** The credentials file the DaemonSet's pods mount (cloud-credentials, key `cloud`). */
  private mountedCredentials(): string {
    const ds = this.cluster.getJson(["-n", NAMESPACE, "get", "daemonset", NODE_AGENT]);
    const volume = (ds.spec.template.spec.volumes ?? []).find((v: any) => v.name === "cloud-credentials");
    if (!volume?.secret?.secretName) {
      throw new Error(
        `the ${NODE_AGENT} DaemonSet mounts no cloud-credentials Secret: its agents could not reach the store`,
      );
    }
    const secret = this.cluster.getJson(["-n", NAMESPACE, "get", "secret", volume.secret.secretName]);
    return Buffer.from(String(secret.data?.cloud ?? ""), "base64").toString("utf8");
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const node of this.nodes) await this.procs.stop(this.procName(node));
    for (const name of this.helpers.keys()) await this.procs.stop(name);
    await this.procs.stop(`${this.cluster.name}-node-agent-forward`);
  }

  /** The log of a node's agent. */
  logFile(node: string): string {
    return this.procs.logFile(this.procName(node));
  }

  private runningAgentPods(): string[] {
    const r = this.cluster.kubectl(
      [
        "-n",
        NAMESPACE,
        "get",
        "pods",
        "-l",
        `name=${NODE_AGENT}`,
        "-o",
        'jsonpath={range .items[?(@.status.phase=="Running")]}{.spec.nodeName}{"\\n"}{end}',
      ],
      undefined,
      true,
    );
    return r.code === 0 ? r.stdout.split("\n").filter((n) => n !== "") : [];
  }

  /**
   * The kubelet's part, once: every pod's directories on its node, and the restore helper of a
   * restored pod whose restore-wait init container runs.
   */
  sync(): void {
    const get = (args: string[]) => {
      const r = this.cluster.kubectl([...args, "-o", "json"], undefined, true);
      return r.code === 0 ? (JSON.parse(r.stdout).items as any[]) : undefined;
    };
    const pods = get(["get", "pods", "-A"]);
    const pvcs = get(["get", "pvc", "-A"]);
    const pvs = get(["get", "pv"]);
    if (!pods || !pvcs || !pvs) return;
    const pvDir = new Map<string, string>();
    for (const pv of pvs) {
      const d = provisionedDir(pv);
      if (d !== undefined && pv.spec?.csi) pvDir.set(pv.metadata.name, d);
    }
    const claimPv = new Map<string, string>();
    for (const c of pvcs) {
      if (c.spec?.volumeName) claimPv.set(`${c.metadata.namespace}/${c.metadata.name}`, c.spec.volumeName);
    }
    const keep = new Map<string, Set<string>>();
    for (const pod of pods) {
      const node = pod.spec?.nodeName as string | undefined;
      if (!node || pod.metadata.deletionTimestamp) continue;
      const uid = pod.metadata.uid as string;
      if (!keep.has(node)) keep.set(node, new Set());
      keep.get(node)?.add(uid);
      const volumes = path.join(this.hostPods(node), uid, "volumes");
      mkdirSync(volumes, { recursive: true });
      const volumeDirs: Record<string, string> = {};
      let mounted = true;
      for (const v of pod.spec.volumes ?? []) {
        if (v.persistentVolumeClaim) {
          const pv = claimPv.get(`${pod.metadata.namespace}/${v.persistentVolumeClaim.claimName}`);
          const target = pv === undefined ? undefined : pvDir.get(pv);
          if (pv === undefined || target === undefined) {
            mounted = false;
            continue;
          }
          const at = path.join(volumes, CSI_PLUGIN_DIR, pv);
          mkdirSync(at, { recursive: true });
          link(target, path.join(at, "mount"));
          volumeDirs[v.name] = target;
        } else if (v.emptyDir) {
          const at = path.join(volumes, EMPTY_DIR_PLUGIN_DIR, v.name);
          mkdirSync(at, { recursive: true });
          volumeDirs[v.name] = at;
        }
      }
      const annotations = pod.metadata.annotations ?? {};
      if (mounted && waitsForRestore(pod) && annotations[VOLUMES_MOUNTED_ANNOTATION] === undefined) {
        this.cluster.kubectl(
          [
            "-n",
            pod.metadata.namespace,
            "annotate",
            "pod",
            pod.metadata.name,
            `${VOLUMES_MOUNTED_ANNOTATION}=true`,
          ],
          undefined,
          true,
        );
      }
      this.runRestoreHelper(pod, volumeDirs);
    }
    // Pods gone from a node: their directories go (links removed, never followed).
    for (const node of this.nodes) {
      const dir = this.hostPods(node);
      if (!existsSync(dir)) continue;
      for (const uid of readdirSync(dir)) {
        if (!keep.get(node)?.has(uid)) removeTree(path.join(dir, uid));
      }
    }
    for (const [key, code] of this.helperExit) {
      const [namespace, name] = key.split("/");
      if (code !== 0) continue;
      const r = this.cluster.kubectl(
        ["-n", namespace, "annotate", "pod", name, `${RESTORE_WAIT_DONE_ANNOTATION}=0`, "--overwrite"],
        undefined,
        true,
      );
      if (r.code === 0) this.helperExit.delete(key);
    }
  }

  /** Starts the pod's restore-wait init container's process (once) when KWOK says it runs. */
  private runRestoreHelper(pod: any, volumeDirs: Record<string, string>): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const name = `${this.cluster.name}-restore-helper-${pod.metadata.namespace}-${pod.metadata.name}`;
    if (key in this.restoreHelpers || pod.metadata.annotations?.[RESTORE_WAIT_DONE_ANNOTATION]) return;
    const spec = (pod.spec.initContainers ?? []).find((c: any) => c.name === RESTORE_WAIT_CONTAINER);
    const status = (pod.status?.initContainerStatuses ?? []).find(
      (c: any) => c.name === RESTORE_WAIT_CONTAINER,
    );
    if (!spec || !status?.state?.running) return;
    const mounts: Record<string, string> = {};
    const claims = new Set(
      (pod.spec.volumes ?? [])
        .filter((v: any) => v.persistentVolumeClaim || v.emptyDir)
        .map((v: any) => v.name),
    );
    for (const m of spec.volumeMounts ?? []) {
      // Only the volumes it waits on (the service account token's projected volume is mounted into
      // every container too: the helper does not read it).
      if (!claims.has(m.name)) continue;
      const d = volumeDirs[m.name];
      if (d === undefined) return; // not laid out yet: the next sync
      mounts[m.mountPath] = d;
    }
    this.restoreHelpers[key] = null;
    const child = this.procs.start(
      name,
      "/bin/bash",
      ["-c", 'exec "$0" "$@"', path.join(this.o.bin, "velero-restore-helper"), ...(spec.args ?? [])],
      { env: { ...process.env, ...this.cluster.podRootEnv(mounts) } },
    );
    this.helpers.set(name, child);
    child.on("exit", (code) => {
      this.restoreHelpers[key] = code;
      this.helperExit.set(key, code ?? 1);
      this.helpers.delete(name);
    });
  }
}

function waitsForRestore(pod: any): boolean {
  return (pod.spec.initContainers ?? []).some((c: any) => c.name === RESTORE_WAIT_CONTAINER);
}

/** The node-agent DaemonSet as the chart makes it, reduced to what the drill's nodes need. */
function daemonSet() {
  const labels = { name: NODE_AGENT };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: NODE_AGENT, namespace: NAMESPACE, labels: { ...labels, component: "velero" } },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, component: "velero" } },
        spec: {
          containers: [
            {
              name: NODE_AGENT,
              image: "velero/velero:v1.10.3",
              command: ["/velero"],
              args: ["node-agent", "server"],
              env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
            },
          ],
        },
      },
    },
  };
}

function link(target: string, at: string): void {
  try {
    if (readlinkSync(at) === target) return;
    unlinkSync(at);
  } catch {
    // not there yet
  }
  symlinkSync(target, at);
}

/** Removes a pod's directory tree; symbolic links are unlinked, never followed. */
function removeTree(p: string): void {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    for (const e of readdirSync(p)) removeTree(path.join(p, e));
    rmdirSync(p);
  } else {
    unlinkSync(p);
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
