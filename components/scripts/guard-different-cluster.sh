# Refuses to restore into the cluster the backup came from (unsupported by the vendor, and a
# restore over the live source would fight its running controllers).
server="$(kubectl config view --minify -o 'jsonpath={.clusters[0].cluster.server}')"
uid="$(kubectl get namespace kube-system -o 'jsonpath={.metadata.uid}')"
echo "velero-dr: destination API server $server, kube-system uid $uid"
if [ "$server" = "$SOURCE_API_SERVER" ]; then
  echo "velero-dr: the destination cluster is the source cluster ($server); restoring into the source cluster is not supported. Point the destination stack at a new cluster." >&2
  exit 1
fi
if [ -n "${SOURCE_CLUSTER_UID:-}" ] && [ "$uid" = "$SOURCE_CLUSTER_UID" ]; then
  echo "velero-dr: the destination cluster has the source cluster's kube-system uid ($uid): it is the same cluster behind another address. Restoring into the source cluster is not supported." >&2
  exit 1
fi
echo "velero-dr: destination differs from the source cluster"
