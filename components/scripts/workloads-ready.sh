# Final check: the application serves users once every Deployment and StatefulSet of its namespace
# has all its replicas ready.
ns="$WORKLOADS_NAMESPACE"
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + HEALTH_TIMEOUT_SECONDS))
row='{range .items[*]}{.metadata.name}{" "}{.spec.replicas}{" "}{.status.readyReplicas}{"\n"}{end}'
last=""
while :; do
  deployments="$(kubectl -n "$ns" get deployments -o "jsonpath=$row")"
  statefulsets="$(kubectl -n "$ns" get statefulsets -o "jsonpath=$row")"
  # "kind/name ready/wanted ready" for each workload not ready, then "total <n>". An absent
  # readyReplicas means none; an absent spec.replicas (the API server sets it) means 1.
  status="$(
    {
      printf '%s\n' "$deployments" | sed '/^$/d; s|^|deployment/|'
      printf '%s\n' "$statefulsets" | sed '/^$/d; s|^|statefulset/|'
    } | awk '{ total++; want = ($2 == "" ? 1 : $2); ready = ($3 == "" ? 0 : $3); if (ready != want) printf "%s %s/%s ready\n", $1, ready, want } END { printf "total %d\n", total }'
  )"
  total="$(printf '%s\n' "$status" | sed -n 's/^total //p')"
  waiting="$(printf '%s\n' "$status" | sed '/^total /d')"
  if [ "$total" != "0" ] && [ -z "$waiting" ]; then
    echo "velero-dr: all $total Deployments and StatefulSets in $ns are ready"
    exit 0
  fi
  if [ "$total" = "0" ]; then
    waiting="no Deployments or StatefulSets in $ns yet"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: not ready after ${HEALTH_TIMEOUT_SECONDS}s in $ns:" >&2
    printf '%s\n' "$waiting" | sed 's/^/  /' >&2
    echo "velero-dr: kubectl -n $ns get deploy,sts; kubectl -n $ns describe pods" >&2
    exit 1
  fi
  if [ "$waiting" != "$last" ]; then
    echo "velero-dr: waiting for:"
    printf '%s\n' "$waiting" | sed 's/^/  /'
    last="$waiting"
  fi
  sleep "$poll"
done
