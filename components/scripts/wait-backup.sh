# Waits until the chosen backup has been synced from storage and is Completed, then prints
# its name (last line). With BACKUP_SCHEDULE it picks the newest Completed backup of that
# schedule: in Velero 1.10.3 a Restore must name its backup. It says which newer backups it
# skipped and why, and how old the chosen one is (the data lost since: the RPO).
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + BACKUP_SYNC_TIMEOUT_SECONDS))
chosen=""
listing=""
inspect="velero -n $VELERO_NAMESPACE backup describe <name> --details; velero -n $VELERO_NAMESPACE backup logs <name>"
while :; do
  if [ -n "${BACKUP_NAME:-}" ]; then
    phase="$(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$BACKUP_NAME" -o 'jsonpath={.status.phase}' 2>/dev/null || true)"
    case "$phase" in
      Completed)
        chosen="$BACKUP_NAME"
        ;;
      Failed | PartiallyFailed | FailedValidation | Deleting)
        echo "velero-dr: backup $BACKUP_NAME is $phase; it cannot be restored safely. Choose another backup (velero-dr:backup.name) or the latest of a schedule (velero-dr:backup.schedule). Inspect it: ${inspect//<name>/$BACKUP_NAME}" >&2
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
  synced="$(printf '%s\n' "$listing" | awk -F '\t' 'NF >= 2 { n++ } END { print n + 0 }')"
  if [ "$(date +%s)" -ge "$deadline" ]; then
    if [ "$synced" -gt 0 ]; then
      # Backups of the schedule are here, none of them Completed: storage and credentials work.
      newest="$(printf '%s\n' "$listing" | awk -F '\t' 'NF >= 2 { print $3 "\t" $1 "\t" $2 }' | sort | tail -n 1)"
      newest_name="$(printf '%s' "$newest" | cut -f 2)"
      echo "velero-dr: schedule $BACKUP_SCHEDULE has $synced backup(s) in storage and none is Completed (the newest, $newest_name, is $(printf '%s' "$newest" | cut -f 3)); velero-dr restores only Completed backups." >&2
      echo "velero-dr: inspect them: ${inspect//<name>/$newest_name}. Then fix the source's backups, or choose a Completed backup by name (velero-dr:backup.name)." >&2
    else
      what="${BACKUP_NAME:-a Completed backup of schedule $BACKUP_SCHEDULE}"
      echo "velero-dr: $what did not appear within ${BACKUP_SYNC_TIMEOUT_SECONDS}s." >&2
      echo "velero-dr: Velero syncs backups from the storage location every backup-sync-period; check that this Velero uses the same container, prefix and credentials as the source (velero backup get; velero backup-location get)." >&2
    fi
    exit 1
  fi
  if [ "$synced" -gt 0 ]; then
    echo "velero-dr: waiting for a Completed backup of schedule $BACKUP_SCHEDULE ($synced synced so far, none Completed)..."
  else
    echo "velero-dr: waiting for the backup to sync from storage..."
  fi
  sleep "$poll"
done
if ! [[ "$chosen" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]]; then
  echo "velero-dr: unexpected backup name: $chosen" >&2
  exit 1
fi
completed="$(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$chosen" -o 'jsonpath={.status.completionTimestamp}' 2>/dev/null || true)"
if [ -n "$listing" ] && [ -n "$completed" ]; then
  # Newer backups of the schedule that are not Completed: restoring the chosen one loses what they hold.
  printf '%s\n' "$listing" | awk -F '\t' -v c="$completed" 'NF >= 2 && $2 != "Completed" && $3 > c { print $1 "\t" $2 }' |
    while IFS=$'\t' read -r skipped phase; do
      echo "velero-dr: skipped the newer backup $skipped: it is ${phase:-not finished} (only Completed backups are restored; ${inspect//<name>/$skipped})"
      echo "velero-dr:report skipped=$skipped phase=${phase:-InProgress} completed=" >&2
    done
fi
# For the recovery report: what the chosen backup holds and when it was taken (its start is the
# oldest moment of its data, the RPO's reference).
IFS='|' read -r b_started b_backed b_total < <(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$chosen" \
  -o 'jsonpath={.status.startTimestamp}|{.status.progress.itemsBackedUp}|{.status.progress.totalItems}' 2>/dev/null || true) || true
echo "velero-dr:report backup=$chosen started=${b_started:-} completed=$completed items=${b_backed:-}/${b_total:-}" >&2
at=""
if [ -n "$completed" ]; then
  at="$(date -d "$completed" +%s 2>/dev/null || true)"
fi
if [ -n "$at" ]; then
  echo "velero-dr: restoring from backup $chosen, completed $completed: $((($(date +%s) - at) / 60)) minutes ago (what changed since is lost: the RPO)"
else
  echo "velero-dr: restoring from backup $chosen"
fi
echo "$chosen"
