# Final check (Plotly's Dash Enterprise backup and restore guide): the DashEnterprise resource
# reports Appstack and Buildstack healthy.
ns="$DASH_NAMESPACE"
poll="${VELERO_DR_POLL_SECONDS:-15}"
deadline=$(($(date +%s) + HEALTH_TIMEOUT_SECONDS))
while :; do
  appstack="$(kubectl -n "$ns" get dashenterprise dash-enterprise -o 'jsonpath={.status.appstack}' 2>/dev/null || true)"
  buildstack="$(kubectl -n "$ns" get dashenterprise dash-enterprise -o 'jsonpath={.status.buildstack}' 2>/dev/null || true)"
  echo "velero-dr: Appstack ${appstack:-unknown}, Buildstack ${buildstack:-unknown}"
  if [ "$appstack" = "healthy" ] && [ "$buildstack" = "healthy" ]; then
    echo "velero-dr: Dash Enterprise is healthy"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: Dash Enterprise not healthy after ${HEALTH_TIMEOUT_SECONDS}s (provisioning or pending means still converging: kubectl -n $ns get dashenterprise)" >&2
    exit 1
  fi
  sleep "$poll"
done
