#!/usr/bin/env bash
# The drill's stand-in for the vendor's /bitnami/mariadb/scripts/backup.sh (Code Dx's MariaDB
# image; the hook of seed 003 runs it in the subordinate): a full backup of the database into
# /bitnami/mariadb/backup/data/<yyyymmdd-hhmmss>-Full, with a `done` file written only once it
# succeeded. The vendor's script runs mariabackup; this one writes a mariadb-dump of the same
# server (MARIADB_PORT on 127.0.0.1), which the drill can check without MariaDB's Jobs.
set -euo pipefail
: "${MARIADB_PORT:?}"
dir="/bitnami/mariadb/backup/data/$(date -u +%Y%m%d-%H%M%S)-Full"
mkdir -p "$dir"
mariadb-dump --no-defaults --protocol=TCP -h 127.0.0.1 -P "$MARIADB_PORT" -u root \
  --all-databases --single-transaction >"$dir/backup.sql"
touch "$dir/done"
echo "backup.sh: $dir"
