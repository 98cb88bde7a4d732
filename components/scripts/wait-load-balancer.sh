# Waits for the application's load balancer to get its external address and prints it (last
# line). The DNS records point at this address.
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + LB_TIMEOUT_SECONDS))
while :; do
  address="$(kubectl -n "$LB_NAMESPACE" get service "$LB_SERVICE" -o 'jsonpath={.status.loadBalancer.ingress[0].ip}' 2>/dev/null || true)"
  if [ -z "$address" ]; then
    address="$(kubectl -n "$LB_NAMESPACE" get service "$LB_SERVICE" -o 'jsonpath={.status.loadBalancer.ingress[0].hostname}' 2>/dev/null || true)"
  fi
  if [ -n "$address" ]; then
    break
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: service $LB_NAMESPACE/$LB_SERVICE has no load balancer address after ${LB_TIMEOUT_SECONDS}s (kubectl -n $LB_NAMESPACE describe service $LB_SERVICE)" >&2
    exit 1
  fi
  sleep "$poll"
done
if ! [[ "$address" =~ ^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$ ]]; then
  echo "velero-dr: unexpected load balancer address: $address" >&2
  exit 1
fi
echo "velero-dr: load balancer address $address"
echo "$address"
