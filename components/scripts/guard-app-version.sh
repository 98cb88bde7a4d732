# ($image and $tag come from workload-version.sh.)
# Refuses to restore a backup of another application version: the backup carries the version
# the source ran (a label every backup of the schedule gets), the destination runs the image tag
# of the given workload's container. Both must be present and equal.
backup_version="$(kubectl -n "$VELERO_NAMESPACE" get backups.velero.io "$RESTORE_BACKUP_NAME" \
  -o "jsonpath={.metadata.labels['${VERSION_LABEL//./\\.}']}")"
if [ -z "$backup_version" ]; then
  echo "velero-dr: backup $RESTORE_BACKUP_NAME has no $VERSION_LABEL label: the source recorded no version (velero-dr:app.version on the source stack); refusing to restore blind" >&2
  exit 1
fi
if [ -z "$image" ]; then
  echo "velero-dr: no container $VERSION_CONTAINER in $VERSION_RESOURCE $VERSION_NAMESPACE/$VERSION_WORKLOAD on the destination; install the application (version $backup_version) first" >&2
  exit 1
fi
if [ "$tag" != "$backup_version" ]; then
  echo "velero-dr: backup $RESTORE_BACKUP_NAME is of version $backup_version, but the destination runs ${tag:-an untagged image} ($image); install version $backup_version on the destination (or choose a backup of ${tag:-its version}) - restoring across versions is not supported" >&2
  exit 1
fi
echo "velero-dr: backup and destination both run version $tag"
