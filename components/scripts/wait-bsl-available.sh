# Waits for the backup storage location to report Available. Right after install (and while
# Azure role assignments propagate) Velero may report Unavailable for a while.
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
    echo "velero-dr: review your network settings: if the cluster is behind a firewall, allow Velero to reach the storage account (HTTPS to <account>.blob.core.windows.net and management.azure.com), then run pulumi up again." >&2
    exit 1
  fi
  sleep "$poll"
done
