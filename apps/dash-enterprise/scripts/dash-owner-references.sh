# Velero does not restore owner references' UIDs (the owners get new UIDs in the new cluster):
# re-point each child at its live owner, as Plotly's Dash Enterprise backup and restore guide does
# by hand (with correct quoting).
ns="$DASH_NAMESPACE"
uid_of() {
  local uid
  uid="$(kubectl -n "$ns" get "$1" "$2" -o 'jsonpath={.metadata.uid}')"
  if ! [[ "$uid" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]; then
    echo "velero-dr: $1/$2 has no valid uid ('$uid')" >&2
    return 1
  fi
  printf '%s' "$uid"
}
owner() {
  # apiVersion kind name uid
  printf '{"apiVersion":"%s","kind":"%s","blockOwnerDeletion":true,"controller":true,"name":"%s","uid":"%s"}' "$1" "$2" "$3" "$4"
}
de_uid="$(uid_of dashenterprise dash-enterprise)"
buildstack_uid="$(uid_of buildstack de-buildstack)"
harbor_uid="$(uid_of harborcluster de)"
redpanda_uid="$(uid_of clusters.redpanda.vectorized.io redpanda)"
de_owner="$(owner dash.plotly.com/v1alpha1 DashEnterprise dash-enterprise "$de_uid")"
buildstack_owner="$(owner dash.plotly.com/v1alpha1 Buildstack de-buildstack "$buildstack_uid")"
harbor_owner="$(owner goharbor.io/v1beta1 HarborCluster de "$harbor_uid")"
redpanda_owner="$(owner redpanda.vectorized.io/v1alpha1 Cluster redpanda "$redpanda_uid")"
kubectl -n "$ns" patch appstack de-appstack --type merge \
  -p "{\"metadata\":{\"ownerReferences\":[$de_owner]}}"
kubectl -n "$ns" patch buildstack de-buildstack --type merge \
  -p "{\"metadata\":{\"finalizers\":[\"csc.dash.plotly.com/finalizer\"],\"ownerReferences\":[$de_owner]}}"
kubectl -n "$ns" patch gitea gitea-cluster --type merge \
  -p "{\"metadata\":{\"ownerReferences\":[$buildstack_owner]}}"
kubectl -n "$ns" patch harborcluster de --type merge \
  -p "{\"metadata\":{\"ownerReferences\":[$buildstack_owner]}}"
kubectl -n "$ns" patch harbor de-harbor --type merge \
  -p "{\"metadata\":{\"ownerReferences\":[$harbor_owner]}}"
kubectl -n "$ns" patch statefulset redpanda --type merge \
  -p "{\"metadata\":{\"ownerReferences\":[$redpanda_owner]}}"
echo "velero-dr: owner references re-applied (dash-enterprise $de_uid, de-buildstack $buildstack_uid, de $harbor_uid, redpanda $redpanda_uid)"
