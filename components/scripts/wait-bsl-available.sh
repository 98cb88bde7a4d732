# Waits for the backup storage location to report Available. Right after install (and while
# role assignments or IAM policies propagate) Velero may report Unavailable for a while.
poll="${VELERO_DR_POLL_SECONDS:-5}"
deadline=$(($(date +%s) + BSL_TIMEOUT_SECONDS))
while :; do
  phase="$(kubectl -n "$VELERO_NAMESPACE" get backupstoragelocations.velero.io "$BSL_NAME" -o 'jsonpath={.status.phase}' 2>/dev/null || true)"
  if [ "$phase" = "Available" ]; then
    echo "velero-dr: backup storage location $BSL_NAME is Available"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    message="$(kubectl -n "$VELERO_NAMESPACE" get backupstoragelocations.velero.io "$BSL_NAME" -o 'jsonpath={.status.message}' 2>/dev/null || true)"
    echo "velero-dr: backup storage location $BSL_NAME is ${phase:-not reporting a phase} after ${BSL_TIMEOUT_SECONDS}s." >&2
    if [ -n "$message" ]; then
      echo "velero-dr: Velero reports: $message" >&2
    fi
    # Any backend: Velero's message above names the endpoint it could not use.
    echo "velero-dr: review your network settings: if the cluster is behind a firewall, allow Velero to reach the backup storage (HTTPS to the storage account, bucket or S3 endpoint of the location) and the cloud's sign-in endpoints, then run pulumi up again." >&2
    exit 1
  fi
  sleep "$poll"
done
