# Step 2 of the Code Dx Kubernetes Backup & Restore Procedure, as restart-db.ps1 does it: the
# restored MariaDB pods wait for data claims that were left out of the backup; scaled to 0 and up
# again, the StatefulSets create new, empty ones.
# Code Dx stays at 0 replicas: the database restore comes next. Restarting twice does no harm.
ns="$CODEDX_NAMESPACE"
release="$CODEDX_RELEASE"
slaves="$CODEDX_SLAVE_REPLICAS"
master="$release-mariadb-master"
slave="$release-mariadb-slave"
poll="${VELERO_DR_POLL_SECONDS:-10}"
for sts in "$master" "$slave"; do
  if ! kubectl -n "$ns" get statefulset "$sts" >/dev/null; then
    echo "velero-dr: StatefulSet $sts not found in $ns (did the restore bring Code Dx back?)" >&2
    exit 1
  fi
done

echo "velero-dr: stopping Code Dx ($release) and MariaDB ($master, $slave)"
kubectl -n "$ns" scale deployment "$release" --replicas=0
kubectl -n "$ns" scale statefulset "$master" --replicas=0
kubectl -n "$ns" scale statefulset "$slave" --replicas=0

# Pods must be gone, not only terminating: new pods of the same name get the new claims.
deadline=$(($(date +%s) + DB_TIMEOUT_SECONDS))
while :; do
  codedx="$(kubectl -n "$ns" get deployment "$release" -o 'jsonpath={.status.replicas}')"
  pods="$(kubectl -n "$ns" get pods -l "app=mariadb,release=$release" -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{end}')"
  if [ "${codedx:-0}" = "0" ] && [ -z "$pods" ]; then
    break
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: still running after ${DB_TIMEOUT_SECONDS}s: ${pods:-} (Code Dx pods: ${codedx:-0}); kubectl -n $ns get pods" >&2
    exit 1
  fi
  echo "velero-dr: waiting for pods to stop: ${pods:-}${codedx:+ (Code Dx: $codedx)}"
  sleep "$poll"
done

echo "velero-dr: starting MariaDB: $master 1 replica, $slave $slaves replica(s)"
kubectl -n "$ns" scale statefulset "$master" --replicas=1
kubectl -n "$ns" scale statefulset "$slave" --replicas="$slaves"
for sts in "$master" "$slave"; do
  if ! kubectl -n "$ns" rollout status statefulset "$sts" --timeout="${DB_TIMEOUT_SECONDS}s"; then
    echo "velero-dr: $sts not ready within ${DB_TIMEOUT_SECONDS}s: kubectl -n $ns describe pods -l app=mariadb,release=$release" >&2
    exit 1
  fi
done
echo "velero-dr: MariaDB restarted on new data volumes; Code Dx stays stopped until the database is restored"
