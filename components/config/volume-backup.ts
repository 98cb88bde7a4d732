import type { AppProfile } from "../model/profile";

/**
 * How a stack backs up volume data: disk snapshots, or Velero's file-system backup (the node
 * agent copies the files into the backup storage). Plain functions over plain data: validation,
 * the destination stack and the tests share them.
 *
 * The profile declares the app's default (profile.volumeBackup, from its vendor's document); a
 * stack's own keys win (`velero-dr:fsBackup`, `velero.defaultVolumesToFsBackup`, `velero.nodeAgent`,
 * `velero.uploaderType`). The node agent is on whenever a volume is copied file by file.
 */

export type Uploader = "kopia" | "restic";

/** The program's uploader where neither the stack nor the profile names one. */
export const DEFAULT_UPLOADER: Uploader = "kopia";

/** The volume keys a stack sets itself (undefined: not set, the profile's default applies). */
export interface VolumeKeysSet {
  fsBackup?: "off" | "profile";
  nodeAgent?: boolean;
  uploaderType?: Uploader;
  defaultVolumesToFsBackup?: boolean;
}

/** A stack's volume backup, resolved. */
export interface VolumeBackupSettings {
  /** The profile's listed volumes opted in to file-system backup (pod annotations), or not. */
  fsBackup: "off" | "profile";
  /** Every pod volume copied file by file (Backup spec `defaultVolumesToFsBackup`). */
  defaultVolumesToFsBackup: boolean;
  nodeAgent: boolean;
  uploaderType: Uploader;
  /**
   * Whether the Schedules ask for snapshots of the volumes that are not copied file by file (taken
   * only where the backend has a volume snapshot location).
   */
  snapshotVolumes: boolean;
}

/** Which volumes a source copies file by file, as its outputs tell a destination. */
export type FsBackupScope = "off" | "profile" | "all";

export function fsBackupScope(s: Pick<VolumeBackupSettings, "fsBackup" | "defaultVolumesToFsBackup">) {
  return (s.defaultVolumesToFsBackup ? "all" : s.fsBackup) as FsBackupScope;
}

/** The raw values' volume keys that were set (before the schema's defaults hide it). */
export function volumeKeysSet(values: Record<string, unknown>): VolumeKeysSet {
  const velero = values.velero;
  const v =
    velero && typeof velero === "object" && !Array.isArray(velero) ? (velero as Record<string, unknown>) : {};
  return {
    fsBackup: values.fsBackup as VolumeKeysSet["fsBackup"],
    nodeAgent: v.nodeAgent as boolean | undefined,
    uploaderType: v.uploaderType as Uploader | undefined,
    defaultVolumesToFsBackup: v.defaultVolumesToFsBackup as boolean | undefined,
  };
}

/**
 * The stack's volume backup: its own keys, else the profile's default where the backend supports
 * file-system backup. Problems name the key, the value and the fix.
 */
export function resolveVolumeBackup(
  profile: Pick<AppProfile, "displayName" | "volumeBackup" | "fsBackup" | "snapshotVolumes">,
  backend: { fileSystemBackup: boolean },
  set: VolumeKeysSet,
  key: (k: string) => string,
): { settings: VolumeBackupSettings; problems: string[] } {
  const d = profile.volumeBackup;
  const problems: string[] = [];
  const byDefault = backend.fileSystemBackup && d.mode === "fs-backup";
  const fsBackup = set.fsBackup ?? (byDefault && d.volumes === "listed" ? "profile" : "off");
  // `fsBackup: off` set on its own means snapshots: the profile's "all" does not come back through it.
  const defaultVolumesToFsBackup =
    set.defaultVolumesToFsBackup ?? (set.fsBackup === undefined && byDefault && d.volumes === "all");
  const copies = fsBackup === "profile" || defaultVolumesToFsBackup;
  if (set.nodeAgent === false && copies) {
    const why =
      set.fsBackup === "profile"
        ? `${key("fsBackup")} is "profile"`
        : set.defaultVolumesToFsBackup
          ? `${key("velero.defaultVolumesToFsBackup")} is true`
          : `${profile.displayName}'s profile copies volumes file by file by default (README, "Volume data and regions")`;
    problems.push(
      `${key("velero.nodeAgent")}: got false, but ${why}: file-system backup needs the node agent; remove the key (the node agent is installed whenever a volume is copied file by file), or set ${key("fsBackup")}: off and ${key("velero.defaultVolumesToFsBackup")}: false to snapshot the volumes instead`,
    );
  }
  if (set.fsBackup === "profile" && profile.fsBackup.length === 0) {
    problems.push(
      `${key("fsBackup")}: got "profile", but ${profile.displayName}'s profile lists no volumes to copy file by file; remove the key${d.mode === "fs-backup" && d.volumes === "all" ? " (the profile copies every pod volume by default)" : ""}, or set ${key("velero.defaultVolumesToFsBackup")}: true to copy every pod volume`,
    );
  }
  const snapshotsUnlisted = !(
    fsBackup === "profile" &&
    d.volumes === "listed" &&
    d.snapshotUnlisted === false
  );
  return {
    settings: {
      fsBackup,
      defaultVolumesToFsBackup,
      nodeAgent: set.nodeAgent ?? copies,
      uploaderType: set.uploaderType ?? d.uploader ?? DEFAULT_UPLOADER,
      snapshotVolumes: profile.snapshotVolumes && snapshotsUnlisted,
    },
    problems,
  };
}

/**
 * The volumes a source backs up only as disk snapshots, as a sentence naming them (or the rule
 * that selects them); undefined when there are none. A volume no running pod mounts is still
 * snapshotted with `all` (Velero 1.10.3 copies only mounted volumes file by file): a matter of the
 * cluster's state, not of the configuration, and said in README instead.
 */
export function snapshotOnlyVolumes(
  profile: Pick<AppProfile, "displayName" | "namespaces" | "fsBackup" | "excludeVolumes" | "backupVolume">,
  source: { fsBackup: FsBackupScope; snapshotVolumes: boolean },
): string | undefined {
  if (!source.snapshotVolumes || source.fsBackup === "all") return undefined;
  const ns = profile.namespaces.join(", ");
  const own = profile.backupVolume
    ? ` (among them ${profile.backupVolume.claim}, the claim holding ${profile.displayName}'s own backups)`
    : "";
  const left = profile.excludeVolumes.length > 0 ? "those left out of the backup" : undefined;
  if (source.fsBackup === "off" || profile.fsBackup.length === 0) {
    return `every persistent volume in ${ns}${own}${left ? ` except ${left}` : ""}`;
  }
  const listed = profile.fsBackup
    .map((w) => `${w.volumes.join(", ")} of ${w.kind} ${w.namespace}/${w.name}`)
    .join("; ");
  return `every persistent volume in ${ns} except the ones copied file by file (${listed})${left ? ` and ${left}` : ""}`;
}

/** Azure and AWS compare region names ignoring case and spaces ("West Europe" is westeurope). */
export function sameRegion(a: string, b: string): boolean {
  const n = (s: string) => s.replace(/\s+/g, "").toLowerCase();
  return n(a) === n(b);
}

/**
 * The cross-region guard's message, or undefined when the destination may go on: a volume backed
 * up only as a disk snapshot restores only in the snapshot's region.
 */
export function crossRegionProblem(i: {
  profile: Pick<
    AppProfile,
    "displayName" | "namespaces" | "fsBackup" | "excludeVolumes" | "backupVolume" | "volumeBackup"
  >;
  source: { fsBackup: FsBackupScope; snapshotVolumes: boolean };
  sourceRegion: string;
  destinationRegion: string;
  /** The destination's region key, with the namespace (`velero-dr:azure.location`). */
  regionKey: string;
}): string | undefined {
  if (sameRegion(i.sourceRegion, i.destinationRegion)) return undefined;
  const volumes = snapshotOnlyVolumes(i.profile, i.source);
  if (volumes === undefined) return undefined;
  const listed = i.profile.fsBackup.length > 0 && i.source.fsBackup !== "profile";
  return (
    `${i.regionKey}: got ${JSON.stringify(i.destinationRegion)}, but the source backs up ${i.profile.displayName}'s volumes in ${JSON.stringify(i.sourceRegion)} as disk snapshots only: ${volumes}. ` +
    `A disk snapshot restores only in its own region, so these volumes would come back empty. Two ways out: ` +
    `(1) copy them file by file on the source stack (velero-dr:velero.defaultVolumesToFsBackup: true copies every pod volume${listed ? "; velero-dr:fsBackup: profile the profile's listed ones" : ""}; the node agent comes with it), run pulumi up there and restore a backup taken since (while the source region is still up); ` +
    `or (2) restore in the source's region: set ${i.regionKey}: ${i.sourceRegion}`
  );
}

/** What a destination knows of the source's volume backup, from its outputs. */
export interface SourceVolumeFacts {
  fsBackup: FsBackupScope;
  snapshotVolumes: boolean;
  /** The source's uploader; "" when it runs no node agent. */
  uploaderType: string;
}

/**
 * The source's volume backup as its outputs say it. Outputs of a source from before these keys
 * were exported: no node agent means nothing was copied file by file, a node agent at least the
 * listed volumes; snapshots wherever the backend takes them (the guard errs on refusing).
 */
export function sourceVolumeFacts(
  velero: { uploaderType: string; fsBackup?: FsBackupScope; snapshotVolumes?: boolean },
  backend: { volumeSnapshots: boolean },
): SourceVolumeFacts {
  return {
    fsBackup: velero.fsBackup ?? (velero.uploaderType === "" ? "off" : "profile"),
    snapshotVolumes: velero.snapshotVolumes ?? backend.volumeSnapshots,
    uploaderType: velero.uploaderType,
  };
}

/**
 * A destination's refusals about volume data, given the source's: the cross-region guard; the node
 * agent, without which the source's file-system backups do not restore; the uploader, which a
 * destination takes from the source (Velero 1.10.3 restores each volume with the uploader its
 * PodVolumeBackup records; the promoted destination's own backups go on with the same). The same
 * checks run at validation (source.outputs typed in) and in the destination stack once a
 * StackReference answers.
 */
export function destinationVolumeProblems(i: {
  profile: Parameters<typeof crossRegionProblem>[0]["profile"];
  source: SourceVolumeFacts;
  /** Where the backend has regions that matter: the source's (undefined: its outputs do not say) and ours. */
  regions?: { source?: string; destination: string; key: string; sourceOutputPath: string };
  set: Pick<VolumeKeysSet, "nodeAgent" | "uploaderType">;
  key: (k: string) => string;
}): string[] {
  const problems: string[] = [];
  const r = i.regions;
  if (r && r.source === undefined) {
    const volumes = snapshotOnlyVolumes(i.profile, i.source);
    if (volumes !== undefined) {
      problems.push(
        `${i.key(`source.outputs.${r.sourceOutputPath}`)}: is missing, and the source backs up ${i.profile.displayName}'s volumes as disk snapshots (${volumes}), which restore only in their own region; copy the value from the source stack's outputs (its region)`,
      );
    }
  } else if (r && r.source !== undefined) {
    const p = crossRegionProblem({
      profile: i.profile,
      source: i.source,
      sourceRegion: r.source,
      destinationRegion: r.destination,
      regionKey: i.key(r.key),
    });
    if (p) problems.push(p);
  }
  const up = i.source.uploaderType;
  if (up !== "") {
    if (i.set.nodeAgent === false) {
      problems.push(
        `${i.key("velero.nodeAgent")}: got false, but the source copies volumes file by file (uploader ${up}): they restore only through the node agent; remove the key`,
      );
    }
    if (i.set.uploaderType !== undefined && i.set.uploaderType !== up) {
      problems.push(
        `${i.key("velero.uploaderType")}: got ${JSON.stringify(i.set.uploaderType)}, but the source's file-system backups use ${up}; a destination runs the source's uploader (its own backups, once promoted, go on in the same kind of repository): remove the key`,
      );
    }
  }
  return problems;
}
