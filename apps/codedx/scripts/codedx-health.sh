# Final check: Code Dx runs on the restored database. The database restore starts it; an earlier
# failed or skipped run may have left it at 0 replicas, so it is started here too.
ns="$CODEDX_NAMESPACE"
release="$CODEDX_RELEASE"
replicas="$(kubectl -n "$ns" get deployment "$release" -o 'jsonpath={.spec.replicas}')"
if [ "${replicas:-1}" = "0" ]; then
  echo "velero-dr: Code Dx ($release) is scaled to 0; starting it"
  kubectl -n "$ns" scale deployment "$release" --replicas=1
fi
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + HEALTH_TIMEOUT_SECONDS))
while :; do
  ready="$(kubectl -n "$ns" get deployment "$release" -o 'jsonpath={.status.readyReplicas}')"
  if [ "${ready:-0}" -ge 1 ]; then
    echo "velero-dr: Code Dx is ready ($ready ready replica(s))"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: Code Dx ($release) not ready after ${HEALTH_TIMEOUT_SECONDS}s: kubectl -n $ns describe deployment $release; kubectl -n $ns logs deployment/$release" >&2
    exit 1
  fi
  echo "velero-dr: waiting for Code Dx to be ready (ready replicas: ${ready:-0})"
  sleep "$poll"
done
