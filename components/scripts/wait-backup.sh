# Waits until the chosen backup has been synced from storage and is Completed, then prints
# its name (last line). With BACKUP_SCHEDULE it picks the newest Completed backup of that
# schedule: in Velero 1.10.3 a Restore must name its backup.
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + BACKUP_SYNC_TIMEOUT_SECONDS))
chosen=""
while :; do
  if [ -n "${BACKUP_NAME:-}" ]; then
    phase="$(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$BACKUP_NAME" -o 'jsonpath={.status.phase}' 2>/dev/null || true)"
    case "$phase" in
      Completed)
        chosen="$BACKUP_NAME"
        ;;
      Failed | PartiallyFailed | FailedValidation | Deleting)
        echo "velero-dr: backup $BACKUP_NAME is $phase; it cannot be restored safely. Choose another backup (velero-dr:backup.name) or the latest of a schedule (velero-dr:backup.schedule)." >&2
        exit 1
        ;;
    esac
  else
    listing="$(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io -l "velero.io/schedule-name=$BACKUP_SCHEDULE" \
      -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\t"}{.status.completionTimestamp}{"\n"}{end}' 2>/dev/null || true)"
    chosen="$(printf '%s\n' "$listing" | awk -F '\t' '$2 == "Completed" { print $3 "\t" $1 }' | sort | tail -n 1 | cut -f 2)"
  fi
  if [ -n "$chosen" ]; then
    break
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    what="${BACKUP_NAME:-a Completed backup of schedule $BACKUP_SCHEDULE}"
    echo "velero-dr: $what did not appear within ${BACKUP_SYNC_TIMEOUT_SECONDS}s." >&2
    echo "velero-dr: Velero syncs backups from the storage location every backup-sync-period; check that this Velero uses the same container, prefix and credentials as the source (velero backup get; velero backup-location get)." >&2
    exit 1
  fi
  echo "velero-dr: waiting for the backup to sync from storage..."
  sleep "$poll"
done
if ! [[ "$chosen" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]]; then
  echo "velero-dr: unexpected backup name: $chosen" >&2
  exit 1
fi
echo "velero-dr: restoring from backup $chosen"
echo "$chosen"
