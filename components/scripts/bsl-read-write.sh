# The destination becomes the primary: backups may be written to the location again.
kubectl -n "$VELERO_NAMESPACE" patch backupstoragelocations.velero.io "$BSL_NAME" --type merge \
  -p '{"spec":{"accessMode":"ReadWrite"}}'
mode="$(kubectl -n "$VELERO_NAMESPACE" get backupstoragelocations.velero.io "$BSL_NAME" -o 'jsonpath={.spec.accessMode}')"
if [ "$mode" != "ReadWrite" ]; then
  echo "velero-dr: backup storage location $BSL_NAME is $mode after the patch" >&2
  exit 1
fi
echo "velero-dr: backup storage location $BSL_NAME is ReadWrite"
