# Creates the claim that holds an application's own backups (EDA's platform tarballs) and mounts
# it into the workload that writes them, once: the claim carries velero-dr/volume so a
# destination can restore just it. The workload rolls its pod when the mount is added.
manifest="$(printf '{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"%s","namespace":"%s","labels":{"app.kubernetes.io/managed-by":"velero-dr","velero-dr/volume":"%s"}},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"%s"}}%s}}' \
  "$BACKUP_CLAIM" "$BACKUP_NAMESPACE" "$BACKUP_VOLUME_ID" "$BACKUP_SIZE" \
  "$([ -n "${BACKUP_STORAGE_CLASS:-}" ] && printf ',"storageClassName":"%s"' "$BACKUP_STORAGE_CLASS")")"
if kubectl -n "$BACKUP_NAMESPACE" get persistentvolumeclaims "$BACKUP_CLAIM" >/dev/null 2>&1; then
  echo "velero-dr: claim $BACKUP_NAMESPACE/$BACKUP_CLAIM exists"
else
  printf '%s' "$manifest" | kubectl create -f -
fi
resource="deployments.apps"
if [ "$BACKUP_WORKLOAD_KIND" = "StatefulSet" ]; then
  resource="statefulsets.apps"
fi
if ! kubectl -n "$BACKUP_NAMESPACE" get "$resource" "$BACKUP_WORKLOAD" >/dev/null 2>&1; then
  echo "velero-dr: $BACKUP_WORKLOAD_KIND $BACKUP_NAMESPACE/$BACKUP_WORKLOAD does not exist; install the application first or fix velero-dr:app" >&2
  exit 1
fi
volumes="$(kubectl -n "$BACKUP_NAMESPACE" get "$resource" "$BACKUP_WORKLOAD" -o 'jsonpath={.spec.template.spec.volumes[*].name}')"
if [[ " $volumes " == *" velero-dr-backup "* ]]; then
  echo "velero-dr: $BACKUP_WORKLOAD_KIND $BACKUP_WORKLOAD mounts the claim already"
  exit 0
fi
names="$(kubectl -n "$BACKUP_NAMESPACE" get "$resource" "$BACKUP_WORKLOAD" -o 'jsonpath={.spec.template.spec.containers[*].name}')"
index=0
found=""
for n in $names; do
  if [ "$n" = "$BACKUP_CONTAINER" ]; then
    found="$index"
    break
  fi
  index=$((index + 1))
done
if [ -z "$found" ]; then
  echo "velero-dr: $BACKUP_WORKLOAD_KIND $BACKUP_WORKLOAD has no container $BACKUP_CONTAINER (it has: $names)" >&2
  exit 1
fi
volume="$(printf '{"name":"velero-dr-backup","persistentVolumeClaim":{"claimName":"%s"}}' "$BACKUP_CLAIM")"
mount="$(printf '{"name":"velero-dr-backup","mountPath":"%s"}' "$BACKUP_MOUNT")"
if [ -z "$volumes" ]; then
  volume_op="{\"op\":\"add\",\"path\":\"/spec/template/spec/volumes\",\"value\":[$volume]}"
else
  volume_op="{\"op\":\"add\",\"path\":\"/spec/template/spec/volumes/-\",\"value\":$volume}"
fi
mounts="$(kubectl -n "$BACKUP_NAMESPACE" get "$resource" "$BACKUP_WORKLOAD" -o "jsonpath={.spec.template.spec.containers[$found].volumeMounts[*].name}")"
if [ -z "$mounts" ]; then
  mount_op="{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/$found/volumeMounts\",\"value\":[$mount]}"
else
  mount_op="{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/$found/volumeMounts/-\",\"value\":$mount}"
fi
kubectl -n "$BACKUP_NAMESPACE" patch "$resource" "$BACKUP_WORKLOAD" --type=json -p "[$volume_op,$mount_op]"
echo "velero-dr: $BACKUP_WORKLOAD_KIND $BACKUP_WORKLOAD mounts $BACKUP_CLAIM at $BACKUP_MOUNT"
