# Refuses to restore into the cluster the backup came from (unsupported by the vendor, and a
# restore over the live source would fight its running controllers).
# Fails closed: a value that is not an API server address or a uid (an unedited runbook
# placeholder) would never equal the source's, and the guard would wave the source through.
url_re='^https://[^[:space:]<>"]+$'
if ! [[ "$SOURCE_API_SERVER" =~ $url_re ]]; then
  echo "velero-dr: SOURCE_API_SERVER is not an API server address (got '$SOURCE_API_SERVER'); set it to the source cluster's, e.g. from: pulumi stack output -s <source stack> --json (cluster.apiServer)" >&2
  exit 2
fi
if [ -n "${SOURCE_CLUSTER_UID:-}" ] && ! [[ "$SOURCE_CLUSTER_UID" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]; then
  echo "velero-dr: SOURCE_CLUSTER_UID is not a uid (got '$SOURCE_CLUSTER_UID'); set it to the source cluster's kube-system uid (source stack output cluster.uid), or leave it empty when the source never reported one" >&2
  exit 2
fi
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
