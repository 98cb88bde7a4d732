import { canonicalDuration } from "../config/durations";
import { ScheduleConfig } from "../config/validate";

/**
 * Velero custom resource specs (velero.io/v1), built from plain data.
 * The test suite validates every spec built here against the upstream 1.10.3 CRD schemas.
 */

export const MANAGED_BY_LABELS = { "app.kubernetes.io/managed-by": "velero-dr" } as const;

export interface BackupTemplateInput {
  namespaces: string[];
  excludedResources: string[];
  ttl: string;
  storageLocation: string;
  volumeSnapshotLocation: string;
  snapshotVolumes: boolean;
  includeClusterResources?: boolean;
  defaultVolumesToFsBackup: boolean;
  profile: string;
}

export function buildBackupSpec(i: BackupTemplateInput): Record<string, unknown> {
  return {
    includedNamespaces: [...i.namespaces],
    excludedResources: [...i.excludedResources],
    ...(i.includeClusterResources === undefined
      ? {}
      : { includeClusterResources: i.includeClusterResources }),
    ttl: canonicalDuration(i.ttl),
    storageLocation: i.storageLocation,
    volumeSnapshotLocations: [i.volumeSnapshotLocation],
    snapshotVolumes: i.snapshotVolumes,
    defaultVolumesToFsBackup: i.defaultVolumesToFsBackup,
    metadata: { labels: { ...MANAGED_BY_LABELS, "velero-dr/profile": i.profile } },
  };
}

export interface ScheduleSpecInput
  extends Omit<BackupTemplateInput, "namespaces" | "excludedResources" | "ttl"> {
  schedule: ScheduleConfig;
}

export function buildScheduleSpec(i: ScheduleSpecInput): Record<string, unknown> {
  return {
    schedule: i.schedule.cron,
    // true makes every backup owned by the Schedule: deleting or re-creating the Schedule (as a
    // restore into a new cluster does) garbage-collects the backups (velero #4093).
    useOwnerReferencesInBackup: false,
    paused: i.schedule.paused,
    template: buildBackupSpec({
      ...i,
      namespaces: i.schedule.namespaces,
      excludedResources: i.schedule.excludedResources,
      ttl: i.schedule.ttl,
    }),
  };
}

/** The Schedule resources of a stack: one per configured schedule, with the profile's template. */
export function buildProfileSchedules(
  schedules: ScheduleConfig[],
  profile: { name: string; snapshotVolumes: boolean; includeClusterResources?: boolean },
  locations: { storageLocation: string; volumeSnapshotLocation: string; defaultVolumesToFsBackup: boolean },
): { name: string; spec: Record<string, unknown> }[] {
  return schedules.map((s) => ({
    name: s.name,
    spec: buildScheduleSpec({
      schedule: s,
      ...locations,
      snapshotVolumes: profile.snapshotVolumes,
      includeClusterResources: profile.includeClusterResources,
      profile: profile.name,
    }),
  }));
}
