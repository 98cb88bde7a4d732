# The application's public entry point is served: the Service users reach has ready endpoints,
# pods that match its selector and are Ready. Status fields and a load balancer address can all
# be green while the Service routes to no pod (a re-created controller whose pod labels no longer
# match the restored Service's selector): users would reach nothing.
poll="${VELERO_DR_POLL_SECONDS:-5}"
deadline=$(($(date +%s) + ENTRY_TIMEOUT_SECONDS))
svc="$ENTRY_NAMESPACE/$ENTRY_SERVICE"
while :; do
  # Endpoints list Ready pods under addresses (not-ready ones under notReadyAddresses).
  ready="$(kubectl -n "$ENTRY_NAMESPACE" get endpoints "$ENTRY_SERVICE" -o 'jsonpath={.subsets[*].addresses[*].ip}' 2>/dev/null || true)"
  if [ -n "$ready" ]; then
    echo "velero-dr: $svc is served by ready endpoints: $ready"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    selector="$(kubectl -n "$ENTRY_NAMESPACE" get service "$ENTRY_SERVICE" -o 'jsonpath={.spec.selector}' 2>/dev/null || true)"
    echo "velero-dr: $svc has no ready endpoint after ${ENTRY_TIMEOUT_SECONDS}s: no Ready pod matches its selector ${selector:-(none: the Service is missing)}, so users reach nothing." >&2
    echo "velero-dr: compare the selector with the pods' labels: kubectl -n $ENTRY_NAMESPACE get pods --show-labels; kubectl -n $ENTRY_NAMESPACE describe service $ENTRY_SERVICE" >&2
    exit 1
  fi
  sleep "$poll"
done
