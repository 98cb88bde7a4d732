# Waits for the dash-app-builder to be Ready. A known issue in Plotly's Dash Enterprise backup
# and restore guide: after the DNS change it may fail to resolve the registry; if it is not Ready
# after BUILDER_RECONNECT_SECONDS, delete it once to make it reconnect.
ns="$DASH_NAMESPACE"
poll="${VELERO_DR_POLL_SECONDS:-15}"
start=$(date +%s)
reconnected=false
while :; do
  ready="$(kubectl -n "$ns" get builder dash-app-builder -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)"
  if [ "$ready" = "True" ]; then
    echo "velero-dr: dash-app-builder is Ready"
    exit 0
  fi
  elapsed=$(($(date +%s) - start))
  if [ "$reconnected" = false ] && [ "$elapsed" -ge "$BUILDER_RECONNECT_SECONDS" ]; then
    echo "velero-dr: dash-app-builder not Ready after ${elapsed}s; deleting it once to trigger a reconnect to the registry"
    kubectl -n "$ns" delete builder dash-app-builder --ignore-not-found
    reconnected=true
  fi
  if [ "$elapsed" -ge "$BUILDER_TIMEOUT_SECONDS" ]; then
    echo "velero-dr: dash-app-builder still not Ready after ${elapsed}s (kubectl -n $ns get builder)" >&2
    exit 1
  fi
  sleep "$poll"
done
