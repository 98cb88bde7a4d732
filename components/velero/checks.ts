import { scriptBody } from "../shell/body";
import { buildScript, ScriptSpec } from "../shell/script";

/**
 * Scripts that check Velero after install. Plain data in, script text out; the Command
 * resources and the tests (bash against a fake kubectl, shellcheck) use the same text.
 */

/**
 * Waits for the BackupStorageLocation to report `Available`.
 *
 * Velero validates the location every minute; right after install (and while Azure role
 * assignments propagate) it may briefly say Unavailable, so the script waits up to a timeout
 * and only then fails, with Velero's message and the advice of Plotly's Dash Enterprise backup and
 * restore guide.
 */
export const BSL_CHECK: ScriptSpec = {
  kubeconfig: true,
  env: ["VELERO_NAMESPACE", "BSL_NAME", "BSL_TIMEOUT_SECONDS"],
  body: scriptBody("wait-bsl-available"),
};

/**
 * Creates one Backup from a schedule's template at install time (Velero schedules do not run
 * on creation) and waits for it to finish, so a new stack proves the whole backup path works.
 * Idempotent: an existing backup of that name is only waited for.
 */
export const FIRST_BACKUP: ScriptSpec = {
  kubeconfig: true,
  env: ["VELERO_NAMESPACE", "BACKUP_NAME", "BACKUP_MANIFEST", "BACKUP_TIMEOUT_SECONDS"],
  body: scriptBody("first-backup"),
};

export const bslCheckScript = (): string => buildScript(BSL_CHECK);
export const firstBackupScript = (): string => buildScript(FIRST_BACKUP);

export function buildFirstBackupManifest(i: {
  name: string;
  namespace: string;
  schedule: string;
  storageLocation: string;
  spec: Record<string, unknown>;
}): string {
  // What Velero 1.10's --from-schedule gives a backup: the template's metadata.labels (the app
  // version a destination's guard reads, the profile) on the Backup itself. A Backup created
  // directly keeps spec.metadata.labels in its spec only: the server copies nothing from there.
  const templateLabels = (i.spec.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  return JSON.stringify({
    apiVersion: "velero.io/v1",
    kind: "Backup",
    metadata: {
      name: i.name,
      namespace: i.namespace,
      labels: {
        ...templateLabels,
        "app.kubernetes.io/managed-by": "velero-dr",
        // Counted as a backup of the schedule: metrics, alerts and "latest backup of schedule X".
        "velero.io/schedule-name": i.schedule,
        "velero.io/storage-location": i.storageLocation,
      },
    },
    spec: i.spec,
  });
}
