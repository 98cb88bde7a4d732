# Opts the profile's chosen volumes into Velero's file-system backup: the pod template of each
# workload gets backup.velero.io/backup-volumes (what the vendor's set-backup.ps1 does for
# Code Dx with Restic). The workloads roll their pods once. With FS_BACKUP_REMOVE=true the
# annotation is taken away again (stack update or destroy).
# FS_BACKUP_TARGETS: one "<namespace> <kind> <name> <volume>[,<volume>...]" per line.
remove="${FS_BACKUP_REMOVE:-false}"
while read -r ns kind name volumes; do
  [ -n "$ns" ] || continue
  resource="deployments.apps"
  if [ "$kind" = "StatefulSet" ]; then
    resource="statefulsets.apps"
  fi
  if ! kubectl -n "$ns" get "$resource" "$name" >/dev/null 2>&1; then
    if [ "$remove" = "true" ]; then
      echo "velero-dr: $kind $ns/$name is gone; nothing to remove"
      continue
    fi
    echo "velero-dr: $kind $ns/$name does not exist; check the app settings (velero-dr:app) or install the application first" >&2
    exit 1
  fi
  current="$(kubectl -n "$ns" get "$resource" "$name" -o 'jsonpath={.spec.template.metadata.annotations.backup\.velero\.io/backup-volumes}')"
  if [ "$remove" = "true" ]; then
    if [ -n "$current" ]; then
      kubectl -n "$ns" patch "$resource" "$name" --type=json \
        -p '[{"op":"remove","path":"/spec/template/metadata/annotations/backup.velero.io~1backup-volumes"}]'
      echo "velero-dr: $kind $ns/$name: file-system backup annotation removed"
    fi
    continue
  fi
  if [ "$current" = "$volumes" ]; then
    echo "velero-dr: $kind $ns/$name already backs up $volumes file by file"
    continue
  fi
  kubectl -n "$ns" patch "$resource" "$name" --type=merge \
    -p "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"backup.velero.io/backup-volumes\":\"$volumes\"}}}}}"
  echo "velero-dr: $kind $ns/$name: volumes $volumes backed up file by file from now on"
done <<<"$FS_BACKUP_TARGETS"
