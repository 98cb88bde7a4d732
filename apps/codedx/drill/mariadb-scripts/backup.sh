#!/usr/bin/env bash
# The drill's stand-in for the vendor's /bitnami/mariadb/scripts/backup.sh (Code Dx's MariaDB
# image; the hook of the Code Dx Kubernetes Backup & Restore Procedure runs it in the
# subordinate): a full mariabackup of the running server into
# /bitnami/mariadb/backup/data/<yyyymmdd-hhmmss>-Full, with a `done` file written only once it
# succeeded - what restore-db looks for. The server is the pod's (its client configuration).
set -euo pipefail
dir="/bitnami/mariadb/backup/data/$(date -u +%Y%m%d-%H%M%S)-Full"
mkdir -p "$dir"
mariabackup --backup --user=root --target-dir="$dir" 2>"$dir.log"
touch "$dir/done"
echo "backup.sh: $dir"
