# Creates one Backup from a schedule's template at install time (schedules do not run on
# creation) and waits for it; an existing backup of that name is only waited for.
poll="${VELERO_DR_POLL_SECONDS:-10}"
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
      echo "velero-dr: first backup $BACKUP_NAME ended $phase ${errors}" >&2
      echo "velero-dr: inspect it with: velero -n $VELERO_NAMESPACE backup describe $BACKUP_NAME --details; velero -n $VELERO_NAMESPACE backup logs $BACKUP_NAME" >&2
      exit 1
      ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: first backup $BACKUP_NAME still ${phase:-New} after ${BACKUP_TIMEOUT_SECONDS}s" >&2
    exit 1
  fi
  sleep "$poll"
done
