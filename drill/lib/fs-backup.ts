import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from "fs";
import * as path from "path";
import { LocalCluster } from "./kube";
import { run } from "./procs";
import { NAMESPACE } from "./velero";
import { fileDigests } from "./volumes";

/**
 * What a drill reads of Velero's file-system backup (its node agent's PodVolumeBackups and
 * PodVolumeRestores), and what it compares them with: the files' bytes, and a raw copy of the same
 * data on the same disk (the figure fs-backup throughput is judged against).
 */

/** One PodVolumeBackup or PodVolumeRestore, as the drill reports it. */
export interface PodVolumeOp {
  name: string;
  /** The pod's namespace and the claim (the volume's name in the pod when it is no claim). */
  namespace: string;
  claim: string;
  volume: string;
  node: string;
  phase: string;
  uploaderType: string;
  /** The repository the node agent used (restic-style identifier, with the store's URL). */
  repoIdentifier: string;
  totalBytes: number;
  bytesDone: number;
  startTimestamp?: string;
  completionTimestamp?: string;
  message?: string;
}

function op(x: any): PodVolumeOp {
  return {
    name: x.metadata.name,
    namespace: x.spec?.pod?.namespace ?? "",
    claim: x.spec?.volume ?? "",
    volume: x.spec?.volume ?? "",
    node: x.spec?.node ?? "",
    phase: x.status?.phase ?? "",
    uploaderType: x.spec?.uploaderType ?? "",
    repoIdentifier: x.spec?.repoIdentifier ?? "",
    totalBytes: Number(x.status?.progress?.totalBytes ?? 0),
    bytesDone: Number(x.status?.progress?.bytesDone ?? 0),
    ...(x.status?.startTimestamp ? { startTimestamp: x.status.startTimestamp } : {}),
    ...(x.status?.completionTimestamp ? { completionTimestamp: x.status.completionTimestamp } : {}),
    ...(x.status?.message ? { message: x.status.message } : {}),
  };
}

/** The cluster's pods: each pod volume's claim (`<namespace>/<pod>/<volume>`), each pod's node. */
function podFacts(c: LocalCluster): { claims: Map<string, string>; nodes: Map<string, string> } {
  const claims = new Map<string, string>();
  const nodes = new Map<string, string>();
  for (const p of c.getJson(["get", "pods", "-A"]).items as any[]) {
    nodes.set(`${p.metadata.namespace}/${p.metadata.name}`, p.spec?.nodeName ?? "");
    for (const v of p.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim) {
        claims.set(`${p.metadata.namespace}/${p.metadata.name}/${v.name}`, v.persistentVolumeClaim.claimName);
      }
    }
  }
  return { claims, nodes };
}

/**
 * The operations of `kind` labelled with `label`; each one's claim from the annotation Velero sets
 * (`velero.io/pvc-name`), else from its pod's volume as the pod is now; its node from its spec (a
 * PodVolumeBackup's), else its pod's (a PodVolumeRestore is done by the agent of the pod's node).
 */
function podVolumeOps(
  c: LocalCluster,
  kind: "podvolumebackups" | "podvolumerestores",
  label: string,
): PodVolumeOp[] {
  const items = c.getJson(["-n", NAMESPACE, "get", kind, "-l", label]).items as any[];
  const { claims, nodes } = podFacts(c);
  return items
    .map((x) => {
      const o = op(x);
      const pod = `${x.spec?.pod?.namespace}/${x.spec?.pod?.name}`;
      return {
        ...o,
        claim:
          x.metadata.annotations?.["velero.io/pvc-name"] ??
          claims.get(`${pod}/${x.spec?.volume}`) ??
          o.volume,
        node: o.node || (nodes.get(pod) ?? ""),
      };
    })
    .sort((a, b) => `${a.namespace}/${a.claim}`.localeCompare(`${b.namespace}/${b.claim}`));
}

/** The PodVolumeBackups of a backup. */
export function podVolumeBackups(c: LocalCluster, backup: string): PodVolumeOp[] {
  return podVolumeOps(c, "podvolumebackups", `velero.io/backup-name=${backup}`);
}

/** The PodVolumeRestores of a restore. */
export function podVolumeRestores(c: LocalCluster, restore: string): PodVolumeOp[] {
  return podVolumeOps(c, "podvolumerestores", `velero.io/restore-name=${restore}`);
}

/** Bytes moved and the window they were moved in (first start -> last completion), of completed operations. */
export interface Throughput {
  bytes: number;
  /**
   * Seconds; at least 1: Kubernetes timestamps have a resolution of one second, so a window is
   * known to within one second.
   */
  seconds: number;
  bytesPerSecond: number;
}

/** The throughput of the node agents over a set of PodVolumeBackups or PodVolumeRestores. */
export function opsThroughput(ops: PodVolumeOp[]): Throughput {
  const bytes = ops.reduce((n, o) => n + o.bytesDone, 0);
  const starts = ops.map((o) => o.startTimestamp).filter((t): t is string => !!t);
  const ends = ops.map((o) => o.completionTimestamp).filter((t): t is string => !!t);
  const from = Math.min(...starts.map(Date.parse));
  const to = Math.max(...ends.map(Date.parse));
  const seconds =
    starts.length && ends.length && Number.isFinite(from) && Number.isFinite(to)
      ? Math.max(1, (to - from) / 1000)
      : NaN;
  return { bytes, seconds, bytesPerSecond: bytes / seconds };
}

/** Regular files' bytes under dir (what the uploader counts as a volume's bytes). */
export function fileBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += fileBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/**
 * A raw copy of the same directories on the same disk (`cp -a` of each into `scratch`, then `sync`
 * so the data is on the disk as the uploader's is in the store): the figure fs-backup throughput is
 * set against. The copy is removed afterwards.
 */
export function rawCopy(dirs: string[], scratch: string): Throughput {
  mkdirSync(scratch, { recursive: true });
  const bytes = dirs.reduce((n, d) => n + fileBytes(d), 0);
  const t0 = process.hrtime.bigint();
  dirs.forEach((d, i) => run("cp", ["-a", d, path.join(scratch, String(i))]));
  run("sync", []);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  rmSync(scratch, { recursive: true, force: true });
  return { bytes, seconds, bytesPerSecond: bytes / seconds };
}

/** Every file of a volume (relative path -> sha256) and their bytes: what a restore must bring back. */
export interface VolumeContents {
  digests: Record<string, string>;
  bytes: number;
}

export function volumeContents(dir: string): VolumeContents {
  return { digests: fileDigests(dir), bytes: fileBytes(dir) };
}

/**
 * How a restored volume differs from what the source had: files missing, extra, or whose bytes
 * differ (by sha256), each named. Empty when the volume is byte-identical.
 */
export function volumeDifferences(expected: VolumeContents, restoredDir: string): string[] {
  let actual: Record<string, string>;
  try {
    actual = fileDigests(restoredDir);
  } catch (e) {
    return [`unreadable: ${(e as Error).message}`];
  }
  const out: string[] = [];
  for (const [f, digest] of Object.entries(expected.digests)) {
    if (!(f in actual)) out.push(`missing ${f}`);
    else if (actual[f] !== digest) out.push(`bytes differ in ${f}`);
  }
  for (const f of Object.keys(actual)) if (!(f in expected.digests)) out.push(`extra ${f}`);
  return out;
}

/** A copy of a directory (for a catch case that must not touch what it checks). */
export function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}
