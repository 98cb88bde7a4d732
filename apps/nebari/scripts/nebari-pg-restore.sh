# The volume Velero restored holds a crash-consistent copy of a running PostgreSQL; the pg_dump the
# pre-backup hook wrote next to it is the consistent state. It is restored over the database while
# the database's clients are stopped, and the clients start again with the replicas they had.
# Each client's replicas are recorded on it (annotation velero-dr/replicas) before it is stopped,
# so a re-run after a failure still starts it with its own count.
# The clients are found by their labels (PG_CLIENTS: one key=value selector per client), not by a
# workload name: Nebari's Keycloak StatefulSet has been `keycloak` and is `keycloak-keycloakx` now,
# and a client that is not found would stay up while its database is replaced.
ns="$NEBARI_NAMESPACE"
read -r -a selectors <<<"$PG_CLIENTS"
for sel in "${selectors[@]}"; do
  if ! [[ "$sel" =~ ^[A-Za-z0-9][-A-Za-z0-9_./]*=[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$ ]]; then
    echo "velero-dr: invalid client selector in PG_CLIENTS (expected key=value): $sel" >&2
    exit 2
  fi
done
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + NEBARI_TIMEOUT_SECONDS))

# Every selector must find a workload, the database's own excepted, before anything is stopped.
clients=()
for sel in "${selectors[@]}"; do
  found=0
  for kind in deployments.apps statefulsets.apps; do
    database=" $(kubectl -n "$ns" get "$kind" -l "$PG_SELECTOR" -o name | sed 's|^.*/||' | tr '\n' ' ')"
    # Listed first, so that a failing kubectl fails the step (set -e) instead of finding nothing.
    listed="$(kubectl -n "$ns" get "$kind" -l "$sel" -o name)"
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      name="${line#*/}"
      [[ "$database" == *" $name "* ]] && continue
      clients+=("$kind/$name")
      found=1
    done <<<"$listed"
  done
  if [ "$found" = 0 ]; then
    echo "velero-dr: no Deployment or StatefulSet in $ns matches $sel, a client of the database; pg_restore --clean must not run while a client may write. Nothing was changed. Find the client's labels with: kubectl -n $ns get deployments,statefulsets --show-labels (and set the app's release names in velero-dr:app to match)" >&2
    exit 1
  fi
done

# The PostgreSQL pod Velero restored (ready-pod.sh).
pod="$(ready_pod "$ns" "$PG_SELECTOR" PostgreSQL "$NEBARI_TIMEOUT_SECONDS")"
echo "velero-dr: PostgreSQL pod $pod is ready"

# shellcheck disable=SC2016 # runs in the container, with the dump as $1
present="$(kubectl -n "$ns" exec "$pod" -- bash -c 'if [ -s "$1" ]; then echo present; else echo missing; fi' _ "$PG_DUMP")"
if [ "$present" != "present" ]; then
  echo "velero-dr: $PG_DUMP is missing or empty in $pod; the backup's pre-backup dump hook did not leave it there. Nothing was changed." >&2
  exit 1
fi

# (The ${a[@]+"${a[@]}"} form: an empty array is "unbound" to bash 3.2 under set -u.)
stopped=()
for client in "${clients[@]}"; do
  kind="${client%%/*}"
  name="${client#*/}"
  replicas="$(kubectl -n "$ns" get "$kind" "$name" -o 'jsonpath={.metadata.annotations.velero-dr/replicas}')"
  if [ -z "$replicas" ]; then
    replicas="$(kubectl -n "$ns" get "$kind" "$name" -o 'jsonpath={.spec.replicas}')"
    replicas="${replicas:-1}"
    if ! [[ "$replicas" =~ ^[0-9]+$ ]]; then
      echo "velero-dr: $client has unexpected replicas '$replicas'" >&2
      exit 1
    fi
    kubectl -n "$ns" patch "$kind" "$name" --type=merge \
      -p "{\"metadata\":{\"annotations\":{\"velero-dr/replicas\":\"$replicas\"}}}" >/dev/null
  elif ! [[ "$replicas" =~ ^[0-9]+$ ]]; then
    echo "velero-dr: $client has an invalid velero-dr/replicas annotation '$replicas'" >&2
    exit 1
  else
    echo "velero-dr: $client was stopped by an earlier run; it had $replicas replica(s)"
  fi
  echo "velero-dr: stopping $client ($replicas replica(s)) while its database is replaced"
  kubectl -n "$ns" scale "$kind" "$name" --replicas=0
  stopped+=("$client")
done
# No session of a client may hold the database while it is replaced.
for client in ${stopped[@]+"${stopped[@]}"}; do
  while :; do
    left="$(kubectl -n "$ns" get "${client%%/*}" "${client#*/}" -o 'jsonpath={.status.replicas}')"
    if [ "${left:-0}" = "0" ]; then
      break
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "velero-dr: $client still has $left pod(s) after ${NEBARI_TIMEOUT_SECONDS}s; kubectl -n $ns get pods" >&2
      exit 1
    fi
    echo "velero-dr: waiting for $client to stop ($left pod(s))"
    sleep "$poll"
  done
done

echo "velero-dr: pg_restore --single-transaction --clean --if-exists --no-owner of $PG_DUMP in $pod"
# Database, user and password from the Bitnami container's own environment, as the dump hook
# read them: the password never leaves the container. One transaction: a dump that fails half way
# leaves the database as it was (and the step fails), never half replaced.
# shellcheck disable=SC2016 # runs in the container, with the dump as $1
kubectl -n "$ns" exec "$pod" -- bash -c 'set -euo pipefail
db="${POSTGRES_DATABASE:-${POSTGRES_DB:-postgres}}"
user="${POSTGRES_USER:-${POSTGRES_USERNAME:-postgres}}"
export PGPASSWORD="${POSTGRES_PASSWORD:-${POSTGRESQL_PASSWORD:-}}"
pg_restore --single-transaction --exit-on-error --clean --if-exists --no-owner -h 127.0.0.1 -U "$user" -d "$db" "$1"' _ "$PG_DUMP"
echo "velero-dr: $PG_DUMP restored"

for client in ${stopped[@]+"${stopped[@]}"}; do
  kind="${client%%/*}"
  name="${client#*/}"
  replicas="$(kubectl -n "$ns" get "$kind" "$name" -o 'jsonpath={.metadata.annotations.velero-dr/replicas}')"
  if ! [[ "$replicas" =~ ^[0-9]+$ ]]; then
    replicas=1
  fi
  echo "velero-dr: starting $client with $replicas replica(s)"
  kubectl -n "$ns" scale "$kind" "$name" --replicas="$replicas"
  kubectl -n "$ns" patch "$kind" "$name" --type=merge \
    -p '{"metadata":{"annotations":{"velero-dr/replicas":null}}}' >/dev/null
done
echo "velero-dr: database restored from $PG_DUMP${stopped[*]:+; restarted ${stopped[*]}}"
