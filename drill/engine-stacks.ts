import * as path from "path";
import { stringify as toYaml } from "yaml";
import { engineToolchain } from "./lib/toolchain";
import { LocalCluster } from "./lib/kube";
import { BUCKET, NAMESPACE } from "./lib/velero";
import { DrillTarget, DrillWorld } from "./scenario";
import { veleroChart } from "./engine/velero-chart";
import { EngineRun, EngineWorkspace } from "./engine/workspace";

/**
 * The drill's stacks under the real Pulumi engine, whatever the app: a source stack and destination
 * stacks in one file backend (so a destination's StackReference finds the source), configured as
 * an operator configures them (`stack init` with the stack file, `config set --secret` from stdin),
 * and `pulumi up` with the drill's out-of-cluster Velero server standing in for the Velero pod.
 */

/** The policy pack a platform team runs with `pulumi preview --policy-pack`. */
export const POLICY_PACK = path.resolve(__dirname, "../policies");

/** Where the project's Pulumi.yaml and the engine's own files of a workspace live. */
export function drillWorkspace(
  w: DrillWorld,
  dir: string,
  opts: { pulumiYaml?: string; backend?: string } = {},
) {
  return new EngineWorkspace(dir, engineToolchain(), {
    ...opts,
    extraPath: [w.o.bin],
    // The chain's waits poll every second instead of every 10 s (as the drill's runner does).
    env: { VELERO_DR_POLL_SECONDS: "1" },
  });
}

/** The Velero chart stand-in for the drill's velero binary (its CRDs), once per work dir. */
export function drillChart(w: DrillWorld): string {
  return veleroChart(w.o.workDir, path.join(w.o.bin, "velero"));
}

export function output(r: EngineRun): string {
  return `${r.stdout}\n${r.stderr}`;
}

function must(r: EngineRun, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code ?? r.signal}):\n${output(r)}`);
}

/** `stack init` with the stack file's values, then each secret by `config set --secret` from stdin. */
export function initStack(
  ws: EngineWorkspace,
  stack: string,
  values: Record<string, unknown>,
  secrets: Record<string, unknown>,
): void {
  const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [`velero-dr:${k}`, v]));
  must(ws.initStack(stack, toYaml({ config })), `pulumi stack init ${stack}`);
  for (const [k, v] of Object.entries(secrets)) {
    const value = typeof v === "string" ? v : JSON.stringify(v);
    must(
      ws.pulumiSync(["config", "set", "--secret", `velero-dr:${k}`, "-s", stack], { input: value }),
      `pulumi config set --secret velero-dr:${k}`,
    );
  }
}

/**
 * A source stack for the drill's source cluster and MinIO (cloud s3compat, the cluster by its
 * kubeconfig), the app's profile and schedules, Velero from the chart stand-in, a first backup.
 */
export function initSourceStack(
  ws: EngineWorkspace,
  w: DrillWorld,
  stack: string,
  opts: {
    profile: string;
    /** The stack's schedules (default: the profile's). */
    schedules?: { name: string; cron: string; ttl: string }[];
    /** The app's settings (velero-dr:app). */
    app?: Record<string, unknown>;
    chartPath: string;
    /**
     * Copy the volumes file by file as the stack's user turns it on: the profile's default
     * (no `fsBackup: off`) with this uploader (`velero.uploaderType`). Absent: `fsBackup: off`.
     */
    fileSystemBackup?: { uploaderType: "kopia" | "restic" };
  },
): void {
  const c = w.source as LocalCluster;
  initStack(
    ws,
    stack,
    {
      role: "source",
      cloud: "s3compat",
      profile: opts.profile,
      // The drill's MinIO speaks http on loopback; production stacks must use https.
      production: false,
      s3compat: { endpoint: w.minio.endpoint, bucket: BUCKET, region: w.minio.region, forcePathStyle: true },
      velero: {
        namespace: NAMESPACE,
        version: "v1.10.3",
        chartVersion: "3.1.6",
        // The vendor's pin. The drill's server loads the AWS plugin it can build here in its place
        // (drill/versions.env says why): the stack stays as a user writes it.
        pluginVersion: "v1.6.2",
        chartPath: opts.chartPath,
        helmTimeoutSeconds: 300,
        ...(opts.fileSystemBackup ? { uploaderType: opts.fileSystemBackup.uploaderType } : {}),
      },
      ...(opts.schedules ? { schedules: opts.schedules } : {}),
      ...(opts.app ? { app: opts.app } : {}),
      // The app drills carry the claims' contents themselves (README, Limits): their stacks copy no
      // volume file by file. The region-loss drill runs Velero's node agent for real and keeps the
      // profile's default (fileSystemBackup).
      ...(opts.fileSystemBackup ? {} : { fsBackup: "off" }),
      firstBackup: true,
    },
    {
      kubeconfig: c.kubeconfig,
      s3compatCredentials: { accessKeyId: w.minio.accessKey, secretAccessKey: w.minio.secretKey },
    },
  );
}

/**
 * A destination stack on the drill's current destination cluster that reads the source stack's
 * outputs by StackReference (the same backend), as an operator sets it up after the disaster.
 */
export function initDestinationStack(
  ws: EngineWorkspace,
  w: DrillWorld,
  stack: string,
  opts: { source: string; target: DrillTarget; chartPath: string },
): void {
  const { values, secrets } = w.destinationConfig(opts.target);
  values.source = { stack: `organization/velero-dr/${opts.source}` };
  values.velero = { namespace: NAMESPACE, chartPath: opts.chartPath, helmTimeoutSeconds: 300 };
  initStack(ws, stack, values, secrets);
}

/**
 * `pulumi up` of a stack that installs Velero on `cluster`: the drill's Velero server plays the
 * in-cluster pod, starting once the stack's Deployment has a ready pod (KWOK runs no containers).
 */
export async function upWithVelero(
  ws: EngineWorkspace,
  w: DrillWorld,
  stack: string,
  cluster: LocalCluster,
  server: string,
  onLine?: Parameters<EngineWorkspace["pulumi"]>[1],
): Promise<EngineRun> {
  let done = false;
  const started = w.velero.startWhenDeployed(server, cluster, w.minio, { stopped: () => done });
  const run = await ws.pulumi(["up", "--yes", "-s", stack], onLine);
  done = true;
  await started;
  return run;
}

/**
 * The Pulumi CLI installation root of the engine toolset (`<root>/bin/pulumi`, as Pulumi's
 * Automation API looks for it), for drivers that run the engine through the Automation API.
 */
export function engineCliRoot(ws: EngineWorkspace): string {
  return path.dirname(ws.tools.bin);
}

export interface PolicyVerdict {
  run: EngineRun;
  /** The preview succeeded and no mandatory policy was violated. */
  passed: boolean;
  /** The mandatory policies the analyzer reported as violated. */
  mandatory: string[];
}

/**
 * `pulumi preview --policy-pack policies` of a stack: the real analyzer's verdict, the mandatory
 * policies read from the CLI's report (`- [mandatory] [severity: critical]  <policy>  (<type>: <name>)`).
 */
export function policyPreview(ws: EngineWorkspace, stack: string): PolicyVerdict {
  const run = ws.pulumiSync(["preview", "-s", stack, "--policy-pack", POLICY_PACK]);
  const mandatory = [
    ...new Set(
      [...output(run).matchAll(/\[mandatory\](?:\s+\[severity: \w+\])?\s+([a-z0-9-]+)/g)].map((m) => m[1]),
    ),
  ];
  return { run, passed: run.code === 0 && mandatory.length === 0, mandatory };
}
