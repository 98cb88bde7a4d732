# Air-gapped clusters: once imageswap runs, restart Harbor so it serves the images again (Plotly's
# Dash Enterprise backup and restore guide).
ns="$DASH_NAMESPACE"
kubectl -n imageswap-system rollout status deployment imageswap --timeout="${IMAGESWAP_TIMEOUT_SECONDS}s"
for component in core portal registry jobservice; do
  selector="$component.goharbor.io/name=de-harbor-harbor-$component"
  kubectl -n "$ns" delete pod -l "$selector" --ignore-not-found
  kubectl -n "$ns" get pod -l "$selector"
done
echo "velero-dr: Harbor core, portal, registry and jobservice restarted"
