import type { SourceOutputs } from "../../config/destination-schema";
import type { DestinationSupport } from "../backend";

/**
 * Where a destination reads the backups (`velero-dr:backup.location`), for every backend alike:
 * the backend says whether the source's outputs name a replica (`DestinationSupport.replica`); the
 * choice, its default and the refusals are decided here once. Plain data: config validation, the
 * destination stack (through a stack reference) and the backends' `locations` use it.
 */

export type BackupLocation = "primary" | "replica";

/** `backup.location` as set, else the replica when the source has one, else the primary. */
export function readLocation(
  support: Pick<DestinationSupport, "replica">,
  source: SourceOutputs,
  choice: BackupLocation | undefined,
  cfg?: object,
): BackupLocation {
  if (choice !== undefined) return choice;
  return support.replica?.(source, cfg) ? "replica" : "primary";
}

/**
 * What cannot work with the location chosen, as full messages:
 * - `replica` asked for while the source's outputs have none;
 * - promotion while reading the replica. Promotion turns the location ReadWrite and starts this
 *   cluster's own Schedules: it would write backups into the replica as if it were a primary. The
 *   replica is the copy replication keeps in step with the lost region's storage (a cloud may keep
 *   it read-only to every client, or replicate into it again, over and around this cluster's
 *   backups, once that region is back), and the destination's identity may only read it.
 */
export function backupLocationProblems(i: {
  support: Pick<DestinationSupport, "replica" | "replicaDeclaredBy">;
  source: SourceOutputs;
  /** The destination's config (where the replica is declared by the destination). */
  cfg?: object;
  choice: BackupLocation | undefined;
  promoteToPrimary: boolean;
  /** `velero-dr:` */
  namespace: string;
}): string[] {
  const replica = i.support.replica?.(i.source, i.cfg);
  const key = (k: string) => `${i.namespace}:${k}`;
  // A replica the destination declares is refused by the backend's own check, naming its key.
  if (i.choice === "replica" && !replica && i.support.replicaDeclaredBy !== "destination") {
    return [
      `${key("backup.location")}: got "replica", but the source's outputs have no storage.replica (the source stack has no ${key("storage.replica")}); set ${key("backup.location")}: primary, or give the source a replica and run its \`pulumi up\` first (then copy its outputs again if they are typed in)`,
    ];
  }
  if (i.promoteToPrimary && replica && readLocation(i.support, i.source, i.choice, i.cfg) === "replica") {
    const why =
      i.choice === "replica"
        ? `${key("backup.location")}: replica`
        : `${key("backup.location")} unset: the replica, since the source has one`;
    return [
      `${key("restore.promoteToPrimary")}: got true, but this destination reads the source's replica ${replica.where} (${why}); promotion would make this cluster write its own backups into the replica as if it were its primary storage, which replication alone may write and the destination's identity may only read. Set ${key("restore.promoteToPrimary")}: false to restore from the replica read-only (give the recovered cluster backup storage of its own before it takes backups), or ${key("backup.location")}: primary to read and promote onto the source's own storage while its region is up`,
    ];
  }
  return [];
}
