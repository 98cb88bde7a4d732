import { BackupHooks, ExecHook } from "../model/profile";
import { canonicalDuration } from "../model/durations";
import { ScheduleConfig } from "../model/schedules";

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
  /** None: the storage backend has no volume snapshot location, so no volume is snapshotted. */
  volumeSnapshotLocation?: string;
  snapshotVolumes: boolean;
  includeClusterResources?: boolean;
  defaultVolumesToFsBackup: boolean;
  profile: string;
  /** Application-consistent hooks (pre/post exec in the app's pods). */
  hooks?: BackupHooks;
  /** Extra labels on every backup (e.g. the application version). */
  labels?: Record<string, string>;
}

/**
 * Velero backup hooks (spec.hooks.resources): one entry per hook, so each has its own pod
 * selector and Velero's log names the hook that failed.
 */
export function buildBackupHooks(hooks: BackupHooks): Record<string, unknown> | undefined {
  const entry = (h: ExecHook, when: "pre" | "post") => ({
    name: h.name,
    includedNamespaces: [h.namespace],
    labelSelector: { matchLabels: { ...h.selector } },
    [when]: [
      {
        exec: {
          ...(h.container === undefined ? {} : { container: h.container }),
          command: [...h.command],
          onError: h.onError,
          timeout: canonicalDuration(h.timeout),
        },
      },
    ],
  });
  const resources = [...hooks.pre.map((h) => entry(h, "pre")), ...hooks.post.map((h) => entry(h, "post"))];
  return resources.length === 0 ? undefined : { resources };
}

export function buildBackupSpec(i: BackupTemplateInput): Record<string, unknown> {
  const hooks = i.hooks ? buildBackupHooks(i.hooks) : undefined;
  return {
    includedNamespaces: [...i.namespaces],
    excludedResources: [...i.excludedResources],
    ...(i.includeClusterResources === undefined
      ? {}
      : { includeClusterResources: i.includeClusterResources }),
    ttl: canonicalDuration(i.ttl),
    storageLocation: i.storageLocation,
    ...(i.volumeSnapshotLocation === undefined
      ? { snapshotVolumes: false }
      : { volumeSnapshotLocations: [i.volumeSnapshotLocation], snapshotVolumes: i.snapshotVolumes }),
    defaultVolumesToFsBackup: i.defaultVolumesToFsBackup,
    ...(hooks ? { hooks } : {}),
    metadata: { labels: { ...(i.labels ?? {}), ...MANAGED_BY_LABELS, "velero-dr/profile": i.profile } },
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
  profile: {
    name: string;
    snapshotVolumes: boolean;
    includeClusterResources?: boolean;
    hooks?: BackupHooks;
    backupLabels?: Record<string, string>;
  },
  locations: { storageLocation: string; volumeSnapshotLocation?: string; defaultVolumesToFsBackup: boolean },
): { name: string; spec: Record<string, unknown> }[] {
  return schedules.map((s) => ({
    name: s.name,
    spec: buildScheduleSpec({
      schedule: s,
      ...locations,
      snapshotVolumes: profile.snapshotVolumes,
      includeClusterResources: profile.includeClusterResources,
      profile: profile.name,
      hooks: profile.hooks,
      labels: profile.backupLabels,
    }),
  }));
}
