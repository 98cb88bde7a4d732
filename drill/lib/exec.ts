import { spawnSync } from "child_process";
import { closeSync, openSync, statSync } from "fs";
import { ExecTarget, LocalCluster } from "./kube";
import { waitFor } from "./procs";

/**
 * `kubectl exec` into KWOK fake pods, whose commands KWOK runs on this machine (see
 * LocalCluster.setExec). Two KWOK v0.7.0 behaviours shape the helpers here:
 * - a non-zero exit reaches kubectl as an internal error ("... exit status 3"), so kubectl exits 1;
 *   podExec reads the command's own exit status back from that message;
 * - KWOK never closes the command's stdin when the client's input ends (it copies the stream into
 *   the pipe and leaves the pipe open), so a command reading stdin to its end (cat, psql, mariadb)
 *   would wait for ever. podExec sends the input's length first and runs the command behind
 *   `head -c <length>`, which ends its input at the right byte.
 */
export interface PodExecOptions {
  /** The container; kubectl's default (the first one) when omitted. */
  container?: string;
  /** Sent to the command's stdin. */
  input?: string | Buffer;
  /** A file sent to the command's stdin (streamed, for dumps). */
  inputFile?: string;
  /** Return a failed command's result instead of throwing. */
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface PodExecResult {
  /** The command's exit status (kubectl's own when the command did not run). */
  code: number;
  /** kubectl's exit status. */
  kubectlCode: number;
  stdout: string;
  stderr: string;
}

export function podExec(
  cluster: LocalCluster,
  namespace: string,
  pod: string,
  command: string[],
  opts: PodExecOptions = {},
): PodExecResult {
  if (opts.input !== undefined && opts.inputFile !== undefined) {
    throw new Error("podExec: input and inputFile are exclusive");
  }
  const withInput = opts.input !== undefined || opts.inputFile !== undefined;
  const length =
    opts.inputFile !== undefined
      ? statSync(opts.inputFile).size
      : opts.input !== undefined
        ? Buffer.byteLength(opts.input)
        : 0;
  const argv = withInput ? ["/bin/sh", "-c", 'head -c "$0" | "$@"', String(length), ...command] : command;
  const args = [
    "--kubeconfig",
    cluster.kubeconfigPath,
    "-n",
    namespace,
    "exec",
    ...(withInput ? ["-i"] : []),
    pod,
    ...(opts.container ? ["-c", opts.container] : []),
    "--",
    ...argv,
  ];
  const fd = opts.inputFile !== undefined ? openSync(opts.inputFile, "r") : undefined;
  try {
    const r = spawnSync(cluster.kubectlBin, args, {
      input: opts.input,
      stdio: [fd ?? "pipe", "pipe", "pipe"],
      encoding: "utf8",
      maxBuffer: 256 << 20,
      timeout: opts.timeoutMs ?? 120000,
    });
    if (r.error) throw r.error;
    const kubectlCode = r.status ?? 1;
    let code = kubectlCode;
    if (kubectlCode !== 0) {
      const status = [
        ...r.stderr.matchAll(/error executing command in container: .*exit status (\d+)/g),
      ].pop();
      if (status) code = Number(status[1]);
    }
    const result = { code, kubectlCode, stdout: r.stdout, stderr: r.stderr };
    if (code !== 0 && !opts.allowFail) {
      throw new Error(
        `exec in ${namespace}/${pod}${opts.container ? `/${opts.container}` : ""}: ${command.join(" ")} ` +
          `exited ${code}:\n${r.stdout}${r.stderr}`,
      );
    }
    return result;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Waits until KWOK runs exec commands for the pod (it watches Exec objects: a moment's delay). */
export async function waitForExec(
  cluster: LocalCluster,
  namespace: string,
  pod: string,
  container?: string,
  timeoutMs = 30000,
): Promise<void> {
  await waitFor(
    `exec in ${namespace}/${pod}`,
    () =>
      podExec(cluster, namespace, pod, ["true"], { container, allowFail: true, timeoutMs: 10000 }).code === 0,
    timeoutMs,
    200,
  );
}

/** Names of the Running pods in `namespace` matching the label selector. */
export function runningPods(cluster: LocalCluster, namespace: string, labelSelector: string): string[] {
  return cluster
    .getJson(["-n", namespace, "get", "pods", "-l", labelSelector, "--field-selector=status.phase=Running"])
    .items.filter((p: any) => !p.metadata.deletionTimestamp)
    .map((p: any) => p.metadata.name as string);
}

/**
 * Exec for a workload's pods whose names are known only at run time (a Deployment's pods, or
 * the pods a restore recreates): waits for `count` Running pods matching the selector, gives each
 * one a KWOK Exec and waits until exec works in every one. Returns the pods' names.
 */
export async function enableWorkloadExec(
  cluster: LocalCluster,
  namespace: string,
  labelSelector: string,
  target: ExecTarget,
  opts: { count?: number; container?: string; timeoutMs?: number } = {},
): Promise<string[]> {
  const timeoutMs = opts.timeoutMs ?? 60000;
  let pods: string[] = [];
  await waitFor(
    `${opts.count ?? 1} Running pod(s) ${labelSelector} in ${namespace}`,
    () => (pods = runningPods(cluster, namespace, labelSelector)).length >= (opts.count ?? 1),
    timeoutMs,
  );
  for (const pod of pods) cluster.setExec(namespace, pod, target);
  for (const pod of pods) await waitForExec(cluster, namespace, pod, opts.container, timeoutMs);
  return pods;
}
