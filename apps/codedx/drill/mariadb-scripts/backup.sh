#!/usr/bin/env bash
# The drill's stand-in for /bitnami/mariadb/scripts/backup.sh of Code Dx's MariaDB image (the hook
# of the Code Dx Kubernetes Backup & Restore Procedure runs it in the subordinate), doing what the
# image's published script does:
# - logs to /bitnami/mariadb/backup/data/backup.log (the file the procedure tells you to read);
# - refuses to back up a subordinate whose replication is not running cleanly (IO and SQL threads
#   Yes, no error numbers), so a broken replica fails the hook;
# - runs mariabackup --backup --safe-slave-backup into
#   /bitnami/mariadb/backup/data/<yyyymmdd-hhmmss>-Full and writes `done` into it only once that
#   succeeded (restore-db's choice of backup relies on it);
# - removes backup directories older than two days.
# Unlike the image it reaches the pod's server through its client configuration (~/.my.cnf) rather
# than a password file.
set -euo pipefail
backup_dir=/bitnami/mariadb/backup/data
mkdir -p "$backup_dir"
target="$backup_dir/$(date -u +%Y%m%d-%H%M%S)-Full"
log="$backup_dir/backup.log"
[ -f "$target/done" ] && exit 0
fail() {
  echo "'$1' failed with exit code $2!" | tee -a "$log"
  exit "$2"
}
echo "Starting backup to $target..." | tee "$log"
status="$(mysql -EB --user=root -e 'SHOW REPLICA STATUS')" || fail test-replication $?
for want in 'Slave_IO_Running: Yes' 'Slave_SQL_Running: Yes' 'Last_Errno: 0' 'Last_IO_Errno: 0' 'Last_SQL_Errno: 0'; do
  grep -Eq "^ *${want}\$" <<<"$status" || fail test-replication 1
done
mariabackup --backup --safe-slave-backup --safe-slave-backup-timeout=600 --user=root \
  --target-dir="$target" 2>&1 | tee -a "$log" || fail backup $?
touch "$target/done"
echo "Removing old backups from $backup_dir..." | tee -a "$log"
find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -mtime +2 -exec rm -rf '{}' + || fail cleanup $?
echo "backup.sh: $target"
