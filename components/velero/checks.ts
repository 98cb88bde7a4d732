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
 * and only then fails, with Velero's message and the seed's advice.
 */
export const BSL_CHECK: ScriptSpec = {
  kubeconfig: true,
  env: ["VELERO_NAMESPACE", "BSL_NAME", "BSL_TIMEOUT_SECONDS"],
  body: `
poll="\${VELERO_DR_POLL_SECONDS:-5}"
deadline=$(( $(date +%s) + BSL_TIMEOUT_SECONDS ))
while :; do
  phase="$(kubectl -n "$VELERO_NAMESPACE" get backupstoragelocations.velero.io "$BSL_NAME" -o 'jsonpath={.status.phase}' 2>/dev/null || true)"
  if [ "$phase" = "Available" ]; then
    echo "velero-dr: backup storage location $BSL_NAME is Available"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    message="$(kubectl -n "$VELERO_NAMESPACE" get backupstoragelocations.velero.io "$BSL_NAME" -o 'jsonpath={.status.message}' 2>/dev/null || true)"
    echo "velero-dr: backup storage location $BSL_NAME is \${phase:-not reporting a phase} after \${BSL_TIMEOUT_SECONDS}s." >&2
    if [ -n "$message" ]; then
      echo "velero-dr: Velero reports: $message" >&2
    fi
    echo "velero-dr: review your network settings: if the cluster is behind a firewall, allow Velero to reach the storage account (HTTPS to <account>.blob.core.windows.net and management.azure.com), then run pulumi up again." >&2
    exit 1
  fi
  sleep "$poll"
done
`,
};

/**
 * Creates one Backup from a schedule's template at install time (Velero schedules do not run
 * on creation) and waits for it to finish, so a new stack proves the whole backup path works.
 * Idempotent: an existing backup of that name is only waited for.
 */
export const FIRST_BACKUP: ScriptSpec = {
  kubeconfig: true,
  env: ["VELERO_NAMESPACE", "BACKUP_NAME", "BACKUP_MANIFEST", "BACKUP_TIMEOUT_SECONDS"],
  body: `
poll="\${VELERO_DR_POLL_SECONDS:-10}"
if ! kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$BACKUP_NAME" >/dev/null 2>&1; then
  printf '%s' "$BACKUP_MANIFEST" | kubectl create -f -
fi
deadline=$(( $(date +%s) + BACKUP_TIMEOUT_SECONDS ))
while :; do
  phase="$(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$BACKUP_NAME" -o 'jsonpath={.status.phase}')"
  case "$phase" in
    Completed)
      echo "velero-dr: first backup $BACKUP_NAME completed"
      exit 0
      ;;
    Failed | PartiallyFailed | FailedValidation)
      errors="$(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$BACKUP_NAME" -o 'jsonpath={.status.validationErrors}' 2>/dev/null || true)"
      echo "velero-dr: first backup $BACKUP_NAME ended $phase \${errors}" >&2
      echo "velero-dr: inspect it with: velero -n $VELERO_NAMESPACE backup describe $BACKUP_NAME --details; velero -n $VELERO_NAMESPACE backup logs $BACKUP_NAME" >&2
      exit 1
      ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: first backup $BACKUP_NAME still \${phase:-New} after \${BACKUP_TIMEOUT_SECONDS}s" >&2
    exit 1
  fi
  sleep "$poll"
done
`,
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
  return JSON.stringify({
    apiVersion: "velero.io/v1",
    kind: "Backup",
    metadata: {
      name: i.name,
      namespace: i.namespace,
      labels: {
        "app.kubernetes.io/managed-by": "velero-dr",
        // Counted as a backup of the schedule: metrics, alerts and "latest backup of schedule X".
        "velero.io/schedule-name": i.schedule,
        "velero.io/storage-location": i.storageLocation,
      },
    },
    spec: i.spec,
  });
}
