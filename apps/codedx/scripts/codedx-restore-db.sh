# Step 3 of the Code Dx Kubernetes Backup & Restore Procedure, as restore-db.ps1 does it: the
# database comes back from the newest complete mariabackup the pre-backup hook left on the
# subordinate's (slave's) restored backup volume. It is
# prepared and copied back into the data volume of the master and of every subordinate by Jobs
# (the databases must be stopped for that), then replication restarts from the master's new position.
# A re-run starts over from the backup, which nothing here changes.
ns="$CODEDX_NAMESPACE"
release="$CODEDX_RELEASE"
slaves="$CODEDX_SLAVE_REPLICAS"
name_re='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
master_sts="$release-mariadb-master"
slave_sts="$release-mariadb-slave"
master_pod="$master_sts-0"
slave_pods=()
for ((i = 0; i < slaves; i++)); do
  slave_pods+=("$slave_sts-$i")
done
slave0="${slave_pods[0]}"
poll="${VELERO_DR_POLL_SECONDS:-10}"

# The root password never leaves the containers: they read it from the file Code Dx mounts (as the
# vendor's backup.sh does), or from the image's own environment.
# shellcheck disable=SC2016 # expanded in the container
root_pw='if [ -r /opt/codedx/cfg/.passwd ]; then MYSQL_PWD="$(cat /opt/codedx/cfg/.passwd)"; else MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}"; fi; export MYSQL_PWD; '
# shellcheck disable=SC2016 # the statements are the container's $1
sql_rows() { # pod, statements: tab-separated rows without headers
  kubectl -n "$ns" exec "$1" -c mariadb -- bash -c "set -euo pipefail; $root_pw"'mysql -uroot -N -B -e "$1"' _ "$2"
}
# shellcheck disable=SC2016 # the statements are the container's $1
sql_vertical() { # pod, statements ending in \G
  kubectl -n "$ns" exec "$1" -c mariadb -- bash -c "set -euo pipefail; $root_pw"'mysql -uroot -e "$1"' _ "$2"
}

wait_ready() { # statefulset
  if ! kubectl -n "$ns" rollout status statefulset "$1" --timeout="${DB_TIMEOUT_SECONDS}s"; then
    echo "velero-dr: $1 not ready within ${DB_TIMEOUT_SECONDS}s: kubectl -n $ns describe pods -l app=mariadb,release=$release" >&2
    exit 1
  fi
}

wait_stopped() { # "codedx" (its Deployment) or "MariaDB" (every database pod of the release)
  local deadline left
  deadline=$(($(date +%s) + DB_TIMEOUT_SECONDS))
  while :; do
    if [ "$1" = "codedx" ]; then
      left="$(kubectl -n "$ns" get deployment "$release" -o 'jsonpath={.status.replicas}')"
      [ "${left:-0}" = "0" ] && left=""
    else
      left="$(kubectl -n "$ns" get pods -l "app=mariadb,release=$release" -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{end}')"
    fi
    if [ -z "$left" ]; then
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "velero-dr: $1 still running after ${DB_TIMEOUT_SECONDS}s ($left); kubectl -n $ns get pods" >&2
      exit 1
    fi
    echo "velero-dr: waiting for $1 to stop ($left)"
    sleep "$poll"
  done
}

for sts in "$master_sts" "$slave_sts"; do
  if ! kubectl -n "$ns" get statefulset "$sts" >/dev/null; then
    echo "velero-dr: StatefulSet $sts not found in $ns (did the restore bring Code Dx back?)" >&2
    exit 1
  fi
done
# An interrupted earlier run may have left the databases stopped: the backup is read from a
# running subordinate, and the restore needs them all running.
master_replicas="$(kubectl -n "$ns" get statefulset "$master_sts" -o 'jsonpath={.spec.replicas}')"
slave_replicas="$(kubectl -n "$ns" get statefulset "$slave_sts" -o 'jsonpath={.spec.replicas}')"
if [ "${master_replicas:-1}" -lt 1 ] || [ "${slave_replicas:-1}" -lt "$slaves" ]; then
  echo "velero-dr: MariaDB is stopped (master ${master_replicas:-1}, subordinates ${slave_replicas:-1}); starting it to read the backup"
  kubectl -n "$ns" scale statefulset "$master_sts" --replicas=1
  kubectl -n "$ns" scale statefulset "$slave_sts" --replicas="$slaves"
  wait_ready "$master_sts"
  wait_ready "$slave_sts"
fi
for pod in "$master_pod" "${slave_pods[@]}"; do
  phase="$(kubectl -n "$ns" get pod "$pod" -o 'jsonpath={.status.phase}' 2>/dev/null || true)"
  if [ "$phase" != "Running" ]; then
    echo "velero-dr: pod $pod is ${phase:-missing}, not Running; run codedx-restart-db first (kubectl -n $ns get pods -l app=mariadb,release=$release)" >&2
    exit 1
  fi
done

# The newest backup the hook finished: backup.sh names them <yyyymmdd-hhmmss>-Full and writes
# `done` into one only when mariabackup succeeded.
# shellcheck disable=SC2016 # runs in the container
backup="$(kubectl -n "$ns" exec "$slave0" -c mariadb -- bash -c 'set -euo pipefail
export LC_ALL=C
shopt -s nullglob
cd /bitnami/mariadb/backup/data 2>/dev/null || exit 0
dirs=(*-Full/)
for ((i = ${#dirs[@]} - 1; i >= 0; i--)); do
  if [ -f "${dirs[i]}done" ]; then
    printf "%s\n" "${dirs[i]%/}"
    exit 0
  fi
done')"
if [ -z "$backup" ]; then
  echo "velero-dr: no complete database backup (a *-Full directory with a done file) in /bitnami/mariadb/backup/data of $slave0; nothing was changed. The Velero backup must carry the database-backup hook's result: kubectl -n $ns exec $slave0 -c mariadb -- ls -l /bitnami/mariadb/backup/data" >&2
  exit 1
fi
if ! [[ "$backup" =~ ^[A-Za-z0-9._-]+-Full$ ]]; then
  echo "velero-dr: unexpected backup directory name: $backup" >&2
  exit 1
fi
backup_dir="/bitnami/mariadb/backup/data/$backup"
echo "velero-dr: restoring database backup $backup from $slave0 into $master_pod ${slave_pods[*]}"

image="$(kubectl -n "$ns" get statefulset "$master_sts" -o 'jsonpath={.spec.template.spec.containers[?(@.name=="mariadb")].image}')"
if ! [[ "$image" =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]]; then
  echo "velero-dr: cannot read the mariadb image of $master_sts ('$image')" >&2
  exit 1
fi
pull_secrets=""
for s in $(kubectl -n "$ns" get statefulset "$master_sts" -o 'jsonpath={range .spec.template.spec.imagePullSecrets[*]}{.name}{" "}{end}'); do
  if [[ "$s" =~ $name_re ]]; then
    pull_secrets="${pull_secrets:+$pull_secrets,}{\"name\":\"$s\"}"
  fi
done
for pod in "$master_pod" "${slave_pods[@]}"; do
  if ! kubectl -n "$ns" get pvc "data-$pod" >/dev/null; then
    echo "velero-dr: claim data-$pod not found in $ns" >&2
    exit 1
  fi
done

echo "velero-dr: stopping Code Dx ($release)"
kubectl -n "$ns" scale deployment "$release" --replicas=0
wait_stopped codedx
for pod in "${slave_pods[@]}"; do
  echo "velero-dr: STOP SLAVE on $pod"
  sql_rows "$pod" "STOP SLAVE"
done

# Streamed pod to pod (no local copy): into /bitnami/mariadb/restore on each data volume.
for pod in "$master_pod" "${slave_pods[@]}"; do
  echo "velero-dr: copying $backup to $pod:/bitnami/mariadb/restore"
  # shellcheck disable=SC2016 # runs in the container, with the backup directory as $1
  kubectl -n "$ns" exec "$slave0" -c mariadb -- bash -c 'exec tar -C "$1" -cf - .' _ "$backup_dir" |
    kubectl -n "$ns" exec -i "$pod" -c mariadb -- bash -c 'set -euo pipefail
rm -rf /bitnami/mariadb/restore
mkdir -p /bitnami/mariadb/restore
tar -C /bitnami/mariadb/restore -xf -
echo "velero-dr: $(du -sh /bitnami/mariadb/restore | cut -f1) in /bitnami/mariadb/restore"'
done

echo "velero-dr: stopping MariaDB ($master_sts, $slave_sts)"
kubectl -n "$ns" scale statefulset "$master_sts" --replicas=0
kubectl -n "$ns" scale statefulset "$slave_sts" --replicas=0
wait_stopped MariaDB

job_name() { # pod
  local name="velero-dr-dbrestore-$1"
  if [ "${#name}" -gt 63 ]; then
    name="velero-dr-dbrestore-$(printf '%s' "$1" | sha256sum | cut -c 1-16)"
  fi
  printf '%s' "$name"
}
restore_cmd='set -e; mariabackup --prepare --target-dir=/bitnami/mariadb/restore && rm -rf /bitnami/mariadb/data && mkdir -p /bitnami/mariadb/data && mariabackup --copy-back --target-dir=/bitnami/mariadb/restore --datadir=/bitnami/mariadb/data && rm -rf /bitnami/mariadb/restore'
# A Job runs where its StatefulSet's pods may run (a dedicated or tainted node pool): it uses the
# same claim, and a zonal disk attaches only there. The API server's own JSON of each field.
placement() { # statefulset
  local field value out=""
  for field in nodeSelector tolerations affinity; do
    value="$(kubectl -n "$ns" get statefulset "$1" -o "jsonpath={.spec.template.spec.$field}")"
    case "$value" in
      "") ;;
      "{"*"}" | "["*"]") out="$out\"$field\":$value," ;;
      *)
        echo "velero-dr: unexpected $field in StatefulSet $1: $value" >&2
        exit 1
        ;;
    esac
  done
  printf '%s' "$out"
}
master_placement="$(placement "$master_sts")"
slave_placement="$(placement "$slave_sts")"
job_json() { # job, pod, placement
  printf '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"%s","namespace":"%s",' "$1" "$ns"
  printf '"labels":{"app.kubernetes.io/managed-by":"velero-dr","velero-dr/database-restore":"%s"}},' "$release"
  printf '"spec":{"backoffLimit":1,"activeDeadlineSeconds":%s,"template":{"spec":{"restartPolicy":"Never",%s' "$DB_TIMEOUT_SECONDS" "$3"
  printf '"securityContext":{"runAsUser":1001,"fsGroup":1001},"imagePullSecrets":[%s],' "$pull_secrets"
  printf '"containers":[{"name":"restore","image":"%s","command":["/bin/bash","-c","%s"],' "$image" "$restore_cmd"
  printf '"volumeMounts":[{"name":"data","mountPath":"/bitnami/mariadb"}]}],'
  printf '"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data-%s"}}]}}}}\n' "$2"
}
jobs=()
for pod in "$master_pod" "${slave_pods[@]}"; do
  job="$(job_name "$pod")"
  jobs+=("$job")
  # A Job of an interrupted earlier run would stand in the way (and may hold the claim).
  kubectl -n "$ns" delete job "$job" --ignore-not-found --cascade=foreground
  echo "velero-dr: Job $job: mariabackup --prepare and --copy-back into data-$pod"
  if [ "$pod" = "$master_pod" ]; then
    job_json "$job" "$pod" "$master_placement" | kubectl -n "$ns" create -f -
  else
    job_json "$job" "$pod" "$slave_placement" | kubectl -n "$ns" create -f -
  fi
done
deadline=$(($(date +%s) + DB_TIMEOUT_SECONDS))
while :; do
  pending=()
  for job in "${jobs[@]}"; do
    failed="$(kubectl -n "$ns" get job "$job" -o 'jsonpath={.status.conditions[?(@.type=="Failed")].status}')"
    if [ "$failed" = "True" ]; then
      echo "velero-dr: Job $job failed; its log:" >&2
      kubectl -n "$ns" logs "job/$job" --all-containers=true --tail=100 >&2 || true
      echo "velero-dr: the Job stays for inspection (kubectl -n $ns describe job $job); MariaDB is stopped until this step runs again" >&2
      exit 1
    fi
    complete="$(kubectl -n "$ns" get job "$job" -o 'jsonpath={.status.conditions[?(@.type=="Complete")].status}')"
    if [ "$complete" != "True" ]; then
      pending+=("$job")
    fi
  done
  if [ "${#pending[@]}" -eq 0 ]; then
    break
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: database restore Jobs not complete after ${DB_TIMEOUT_SECONDS}s: ${pending[*]} (kubectl -n $ns describe job ${pending[0]})" >&2
    exit 1
  fi
  echo "velero-dr: waiting for ${pending[*]}"
  sleep "$poll"
done
for job in "${jobs[@]}"; do
  kubectl -n "$ns" delete job "$job" --ignore-not-found --cascade=foreground
done
echo "velero-dr: database files restored; starting MariaDB"
kubectl -n "$ns" scale statefulset "$master_sts" --replicas=1
kubectl -n "$ns" scale statefulset "$slave_sts" --replicas="$slaves"
wait_ready "$master_sts"
wait_ready "$slave_sts"

# Replication starts afresh: the master's binary log from its start, each subordinate from there.
status="$(sql_rows "$master_pod" "RESET MASTER; SHOW MASTER STATUS")"
log_file=""
log_pos=""
IFS=$'\t' read -r log_file log_pos _ <<<"$status" || true
if ! [[ "$log_file" =~ ^[A-Za-z0-9._-]+$ ]] || ! [[ "$log_pos" =~ ^[0-9]+$ ]]; then
  echo "velero-dr: cannot read the master's binary log position from SHOW MASTER STATUS ('$status'); is log-bin enabled on $master_pod?" >&2
  exit 1
fi
echo "velero-dr: master $master_pod reset; replication starts at $log_file:$log_pos"
for pod in "${slave_pods[@]}"; do
  echo "velero-dr: CHANGE MASTER TO $log_file:$log_pos on $pod"
  # shellcheck disable=SC2016 # runs in the container, with the coordinates as $1 and $2
  kubectl -n "$ns" exec "$pod" -c mariadb -- bash -c "set -euo pipefail; $root_pw"'
if ! [[ "$1" =~ ^[A-Za-z0-9._-]+$ ]] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
  echo "velero-dr: invalid replication coordinates: $1 $2" >&2
  exit 2
fi
q="$(printf "\047")"
# A restored data directory has no replication connection (mariabackup does not copy master.info):
# it comes from the image'"'"'s own settings, as the image'"'"'s first boot configures it. The SQL goes
# to the client on stdin, so the password is on no command line.
connection=""
if [ -n "${MARIADB_MASTER_HOST:-}" ]; then
  host="$MARIADB_MASTER_HOST"
  port="${MARIADB_MASTER_PORT_NUMBER:-3306}"
  user="${MARIADB_REPLICATION_USER:-}"
  if ! [[ "$host" =~ ^[A-Za-z0-9._-]+$ ]] || ! [[ "$port" =~ ^[0-9]+$ ]] || ! [[ "$user" =~ ^[A-Za-z0-9._-]+$ ]]; then
    echo "velero-dr: unusable replication settings in the container (MARIADB_MASTER_HOST, MARIADB_MASTER_PORT_NUMBER, MARIADB_REPLICATION_USER)" >&2
    exit 2
  fi
  password="${MARIADB_REPLICATION_PASSWORD:-}"
  password="${password//\\/\\\\}"
  password="${password//$q/$q$q}"
  connection="MASTER_HOST=$q$host$q, MASTER_PORT=$port, MASTER_USER=$q$user$q, MASTER_PASSWORD=$q$password$q, "
fi
mysql -uroot <<<"STOP SLAVE; RESET SLAVE; CHANGE MASTER TO ${connection}MASTER_LOG_FILE=$q$1$q, MASTER_LOG_POS=$2; START SLAVE;"' _ "$log_file" "$log_pos"
done
for pod in "${slave_pods[@]}"; do
  deadline=$(($(date +%s) + DB_TIMEOUT_SECONDS))
  while :; do
    st="$(sql_vertical "$pod" 'SHOW SLAVE STATUS\G')"
    io="$(printf '%s\n' "$st" | sed -n 's/^ *Slave_IO_Running: *//p')"
    sqlr="$(printf '%s\n' "$st" | sed -n 's/^ *Slave_SQL_Running: *//p')"
    if [ "$io" = "Yes" ] && [ "$sqlr" = "Yes" ]; then
      echo "velero-dr: $pod replicates (Slave_IO_Running Yes, Slave_SQL_Running Yes)"
      break
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "velero-dr: replication on $pod not running after ${DB_TIMEOUT_SECONDS}s (Slave_IO_Running ${io:-?}, Slave_SQL_Running ${sqlr:-?})" >&2
      printf '%s\n' "$st" | grep -E 'Last_(IO|SQL)_Error:' >&2 || true
      exit 1
    fi
    echo "velero-dr: $pod: Slave_IO_Running ${io:-?}, Slave_SQL_Running ${sqlr:-?}"
    sleep "$poll"
  done
done

echo "velero-dr: starting Code Dx ($release)"
kubectl -n "$ns" scale deployment "$release" --replicas=1
echo "velero-dr: database restored from $backup; replication running on ${slave_pods[*]}"
