# Creates the Restore (named after its backup, so a re-run finds the same one instead of
# restoring twice) and follows it to a terminal phase, printing progress.
backup="$RESTORE_BACKUP_NAME"
if ! [[ "$backup" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]] || [ "${#backup}" -gt 253 ]; then
  echo "velero-dr: invalid backup name: $backup" >&2
  exit 2
fi
# Earlier phases of a multi-phase restore add their phase (e.g. -priority-classes).
suffix="${RESTORE_NAME_SUFFIX:-}"
if ! [[ "$suffix" =~ ^(-[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$ ]] || [ "${#suffix}" -gt 20 ]; then
  echo "velero-dr: invalid restore name suffix: $suffix" >&2
  exit 2
fi
name="restore-$backup$suffix"
if [ "${#name}" -gt 63 ]; then
  keep=40
  if [ -n "$suffix" ]; then
    keep=32
  fi
  name="restore-$(printf '%s' "$backup" | sha256sum | cut -c "1-$keep")$suffix"
fi
if kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" >/dev/null 2>&1; then
  echo "velero-dr: restore $name exists already; following it instead of restoring again"
else
  manifest="${RESTORE_MANIFEST//__RESTORE_NAME__/$name}"
  manifest="${manifest//__BACKUP_NAME__/$backup}"
  printf '%s' "$manifest" | kubectl create -f -
fi
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + RESTORE_TIMEOUT_SECONDS))
last=""
while :; do
  phase="$(kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" -o 'jsonpath={.status.phase}')"
  progress="$(kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" -o 'jsonpath={.status.progress.itemsRestored}/{.status.progress.totalItems}' 2>/dev/null || true)"
  if [ "$phase $progress" != "$last" ]; then
    echo "velero-dr: restore $name: ${phase:-New} (items restored ${progress:-?})"
    last="$phase $progress"
  fi
  case "$phase" in
    Completed | PartiallyFailed | Failed | FailedValidation)
      break
      ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: restore $name still ${phase:-New} after ${RESTORE_TIMEOUT_SECONDS}s; it keeps running in the cluster. Run pulumi up again to keep following it." >&2
    exit 1
  fi
  sleep "$poll"
done
warnings="$(kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" -o 'jsonpath={.status.warnings}')"
errors="$(kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" -o 'jsonpath={.status.errors}')"
echo "velero-dr: restore $name ended $phase with ${errors:-0} errors and ${warnings:-0} warnings"
IFS='|' read -r r_started r_completed r_restored r_total < <(kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" \
  -o 'jsonpath={.status.startTimestamp}|{.status.completionTimestamp}|{.status.progress.itemsRestored}|{.status.progress.totalItems}' 2>/dev/null || true) || true
report="velero-dr:report restore=$name backup=$backup phase=$phase started=${r_started:-} completed=${r_completed:-} items=${r_restored:-}/${r_total:-} warnings=${warnings:-0} errors=${errors:-0}"
refused_upload_logged() {
  # grep reads the whole log (no -q): quitting at the first match would end kubectl with SIGPIPE
  # on a log longer than the pipe's buffer, which pipefail makes a failed check.
  kubectl -n "$VELERO_NAMESPACE" logs deployment/velero --since-time="${r_started:-1970-01-01T00:00:00Z}" 2>/dev/null |
    grep 'Error uploading restore results to backup storage' >/dev/null
}
refused_upload=false
if [ "$phase" = "PartiallyFailed" ] && { [ "${VELERO_DR_MODE:-}" = "rehearsal" ] || [ "${VELERO_DR_STORAGE_READ_ONLY:-}" = "true" ]; } &&
  [ "${errors:-0}" = "1" ]; then
  # Velero logs the refused upload just before it sets the phase; the line reaches `kubectl logs`
  # through the container runtime's log file, so it is looked for again for a short while.
  for attempt in 1 2 3; do
    if refused_upload_logged; then
      refused_upload=true
      break
    fi
    if [ "$attempt" -lt 3 ]; then
      sleep "$poll"
    fi
  done
fi
if [ "$refused_upload" = true ]; then
  # A rehearsal's key, or a destination's identity until it is promoted, may only read the
  # backups. Velero 1.10.3 still uploads a restore's log and results to the bucket, whatever the
  # location's access mode; the storage refuses, which Velero counts as the restore's one error.
  # Its server log shows the refused upload: nothing else failed.
  echo "velero-dr: restore $name: its one error is Velero's upload of the restore log, refused by the read-only credentials (Velero 1.10.3 uploads it even to a ReadOnly location); nothing was written to the backup storage. Counted as Completed."
  echo "$report refusedUpload=true" >&2
  exit 0
fi
echo "$report" >&2
if [ "${warnings:-0}" != "0" ]; then
  echo "velero-dr: warnings such as \"could not restore, ... already exists\" are expected in a new cluster"
fi
if [ "$phase" = "Completed" ]; then
  exit 0
fi
reason="$(kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" -o 'jsonpath={.status.failureReason}' 2>/dev/null || true)"
validation="$(kubectl -n "$VELERO_NAMESPACE" get restores.velero.io "$name" -o 'jsonpath={.status.validationErrors}' 2>/dev/null || true)"
if [ -n "$reason" ]; then
  echo "velero-dr: failure reason: $reason" >&2
fi
if [ -n "$validation" ]; then
  echo "velero-dr: validation errors: $validation" >&2
fi
if command -v velero >/dev/null 2>&1; then
  velero -n "$VELERO_NAMESPACE" restore describe "$name" --details >&2 || true
else
  echo "velero-dr: details: velero -n $VELERO_NAMESPACE restore describe $name --details; velero -n $VELERO_NAMESPACE restore logs $name" >&2
fi
if [ "$phase" = "PartiallyFailed" ] && [ "$RESTORE_ALLOW_PARTIAL" = "true" ]; then
  echo "velero-dr: restore $name PartiallyFailed; continuing because velero-dr:restore.allowPartiallyFailed is true" >&2
  exit 0
fi
if [ "$phase" = "PartiallyFailed" ]; then
  # Velero restored what it could: the operator decides whether the errors matter.
  echo "velero-dr: restore $name PartiallyFailed with ${errors:-0} errors: Velero restored what it could. Inspect the errors: velero -n $VELERO_NAMESPACE restore describe $name --details; velero -n $VELERO_NAMESPACE restore logs $name | grep -i error" >&2
  echo "velero-dr: if they are acceptable, go on: pulumi config set --path velero-dr:restore.allowPartiallyFailed true && pulumi up (the same Restore is followed, not run again)" >&2
  exit 1
fi
echo "velero-dr: restore $name $phase${reason:+: $reason}" >&2
exit 1
