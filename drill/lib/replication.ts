import { spawnSync } from "child_process";
import { Minio } from "./minio";

/**
 * Two "regions" of the drill, each with its own MinIO: the source region's store replicates the
 * backup bucket to the recovery region's with MinIO's own server-side bucket replication, set up by
 * minio-replicate (drill/minio-replicate, built by drill/toolchain.sh --replication). The drill only
 * sets it up and watches it; every copy is made by MinIO.
 */

/** Sets up the replication of `bucket` from `from` to the same bucket on `to`; the remote target's ARN. */
export function replicateBucket(tool: string, from: Minio, to: Minio, bucket: string): { arn: string } {
  const r = spawnSync(
    tool,
    [
      "setup",
      "--source",
      from.endpoint,
      "--source-bucket",
      bucket,
      "--source-region",
      from.region,
      "--target",
      to.endpoint,
      "--target-bucket",
      bucket,
      "--target-region",
      to.region,
    ],
    {
      encoding: "utf8",
      timeout: 180_000,
      // Credentials by the environment only, never on a command line.
      env: {
        ...process.env,
        MINIO_REPLICATE_SOURCE_ACCESS_KEY: from.accessKey,
        MINIO_REPLICATE_SOURCE_SECRET_KEY: from.secretKey,
        MINIO_REPLICATE_TARGET_ACCESS_KEY: to.accessKey,
        MINIO_REPLICATE_TARGET_SECRET_KEY: to.secretKey,
      },
    },
  );
  if (r.status !== 0) {
    throw new Error(`minio-replicate setup failed (exit ${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  }
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { arn?: string };
  if (!out.arn) throw new Error(`minio-replicate printed no ARN: ${r.stdout}`);
  return { arn: out.arn };
}

/** One line of Minio.listVersions, parsed. */
export interface ObjectVersion {
  kind: string;
  key: string;
  versionId: string;
  etag: string;
  size: string;
  lastModified: string;
  latest: string;
}

export function parseVersions(lines: string[]): ObjectVersion[] {
  return lines.map((l) => {
    const [kind, key, versionId, etag, size, lastModified, latest] = l.split(" ");
    return { kind, key, versionId, etag, size, lastModified, latest };
  });
}

/**
 * What a replica must share with its source for every object version to be identical: kind, key,
 * version id, ETag and size (its own write time may differ), sorted.
 */
export function versionIdentities(lines: string[]): string[] {
  return parseVersions(lines)
    .map((v) => [v.kind, v.key, v.versionId, v.etag, v.size].join(" "))
    .sort();
}

/**
 * Velero's backups in a store's listing: each backup's name and when its metadata
 * (`backups/<name>/velero-backup.json`, which Velero uploads last) was written.
 */
export function backupsIn(lines: string[], prefix = ""): Map<string, string> {
  const root = prefix ? `${prefix.replace(/\/+$/, "")}/backups/` : "backups/";
  const out = new Map<string, string>();
  for (const v of parseVersions(lines)) {
    if (v.kind !== "Version" || !v.key.startsWith(root) || !v.key.endsWith("/velero-backup.json")) continue;
    const name = v.key.slice(root.length, -"/velero-backup.json".length);
    if (name.includes("/")) continue;
    const prev = out.get(name);
    if (!prev || Date.parse(v.lastModified) > Date.parse(prev)) out.set(name, v.lastModified);
  }
  return out;
}

/** What replication had not yet carried over when the source region was lost. */
export interface ReplicaLag {
  /** The newest backup in the source region's store, and when it was written there. */
  newestInPrimary?: { name: string; at: string };
  /** The newest backup in the replica (its time in the source's store). */
  newestInReplica?: { name: string; at: string };
  /** Backups in the source's store that the replica does not have. */
  missingInReplica: string[];
  /**
   * The RPO replication adds: how much newer the source's newest backup is than the replica's
   * newest (0 when the replica has caught up; null when the replica has no backup at all).
   */
  lagSeconds: number | null;
}

/** The replication lag between two listings of the same bucket (the primary's and the replica's). */
export function replicaLag(primary: string[], replica: string[], prefix = ""): ReplicaLag {
  const inPrimary = backupsIn(primary, prefix);
  const inReplica = backupsIn(replica, prefix);
  const newest = (names: string[]) =>
    names
      .map((name) => ({ name, at: inPrimary.get(name) as string }))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.name.localeCompare(b.name))
      .pop();
  const newestInPrimary = newest([...inPrimary.keys()]);
  const newestInReplica = newest([...inReplica.keys()].filter((n) => inPrimary.has(n)));
  const missingInReplica = [...inPrimary.keys()].filter((n) => !inReplica.has(n)).sort();
  const lagSeconds =
    newestInPrimary === undefined
      ? 0
      : newestInReplica === undefined
        ? null
        : (Date.parse(newestInPrimary.at) - Date.parse(newestInReplica.at)) / 1000;
  return {
    ...(newestInPrimary ? { newestInPrimary } : {}),
    ...(newestInReplica ? { newestInReplica } : {}),
    missingInReplica,
    lagSeconds,
  };
}
