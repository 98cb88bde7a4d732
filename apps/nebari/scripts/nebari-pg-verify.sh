# The dump hook recorded counts (lines "name|count") next to the dump, from the database the dump
# was taken of; the restored database must give the same counts for the same query.
ns="$NEBARI_NAMESPACE"
pod="$(ready_pod "$ns" "$PG_SELECTOR" PostgreSQL 0)"

# shellcheck disable=SC2016 # runs in the container, with the file as $1
if ! expected="$(kubectl -n "$ns" exec "$pod" -- bash -c 'if [ -f "$1" ]; then cat -- "$1"; else echo "velero-dr: $1 not found" >&2; exit 3; fi' _ "$PG_DUMP.counts")"; then
  echo "velero-dr: cannot read $PG_DUMP.counts in $pod (the counts the dump hook recorded)" >&2
  exit 1
fi
if [ -z "${expected//[[:space:]]/}" ]; then
  echo "velero-dr: $PG_DUMP.counts in $pod is empty" >&2
  exit 1
fi
# The same query, against the restored database, with the container's own credentials.
# shellcheck disable=SC2016 # runs in the container, with the query as $1
actual="$(kubectl -n "$ns" exec "$pod" -- bash -c 'set -euo pipefail
db="${POSTGRES_DATABASE:-${POSTGRES_DB:-postgres}}"
user="${POSTGRES_USER:-${POSTGRES_USERNAME:-postgres}}"
export PGPASSWORD="${POSTGRES_PASSWORD:-${POSTGRESQL_PASSWORD:-}}"
psql -h 127.0.0.1 -U "$user" -d "$db" -Atc "$1"' _ "$PG_COUNTS_SQL")"
echo "velero-dr: counts recorded with the backup ($PG_DUMP.counts):"
printf '%s\n' "$expected" | sed 's/^/  /'
echo "velero-dr: counts of the restored database:"
printf '%s\n' "$actual" | sed 's/^/  /'
differences="$(LC_ALL=C awk -F '|' '
  { sub(/\r$/, "") }
  NF == 0 { next }
  NR == FNR { want[$1] = $2; order[++n] = $1; next }
  { got[$1] = $2 }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      if (!(k in got)) print k ": " want[k] " in the backup, missing now"
      else if (got[k] != want[k]) print k ": " want[k] " in the backup, " got[k] " now"
    }
    for (k in got) if (!(k in want)) print k ": not in the backup, " got[k] " now"
  }' <(printf '%s\n' "$expected") <(printf '%s\n' "$actual"))"
if [ -n "$differences" ]; then
  echo "velero-dr: the restored database differs from the backup:" >&2
  printf '%s\n' "$differences" | sed 's/^/  /' >&2
  exit 1
fi
echo "velero-dr: the restored database has the counts recorded with the backup"
