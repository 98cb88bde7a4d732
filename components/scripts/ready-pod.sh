# ready_pod NAMESPACE SELECTOR WHAT SECONDS: prints the name of a pod matching the label selector
# that runs, is Ready and is not being deleted (a restored pod, or one a rollout just replaced),
# waiting up to SECONDS for one (0: looking once). WHAT names the pod in messages.
ready_pod() {
  local ns="$1" selector="$2" what="$3" seconds="$4" deadline listing pod
  deadline=$(($(date +%s) + seconds))
  while :; do
    listing="$(kubectl -n "$ns" get pods -l "$selector" -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{.status.phase}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.metadata.deletionTimestamp}{"\n"}{end}')"
    pod="$(printf '%s\n' "$listing" | awk '!found && $2 == "Running" && $3 == "True" && NF == 3 { print $1; found = 1 }')"
    if [ -n "$pod" ]; then
      printf '%s\n' "$pod"
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "velero-dr: no running, ready $what pod ($selector) in $ns after ${seconds}s: kubectl -n $ns get pods -l $selector" >&2
      return 1
    fi
    echo "velero-dr: waiting for the $what pod ($selector)" >&2
    sleep "${VELERO_DR_POLL_SECONDS:-10}"
  done
}
