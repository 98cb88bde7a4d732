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
version_re='^v?([0-9]+)\.([0-9]+)(\.[0-9]+)?([-+][0-9A-Za-z.+-]*)?$'
if [ -n "${SOURCE_KUBERNETES_VERSION:-}" ] && ! [[ "$SOURCE_KUBERNETES_VERSION" =~ $version_re ]]; then
  echo "velero-dr: SOURCE_KUBERNETES_VERSION is not a Kubernetes version (got '$SOURCE_KUBERNETES_VERSION'); set it to the source cluster's (source stack output cluster.kubernetesVersion, e.g. 1.29.7), or leave it empty when the source never reported one" >&2
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
# Velero restores only into the same or a newer Kubernetes minor. A cluster reached by a
# kubeconfig tells its version only here, from its API server, before anything is installed in it.
if [ -n "${SOURCE_KUBERNETES_VERSION:-}" ]; then
  [[ "$SOURCE_KUBERNETES_VERSION" =~ $version_re ]]
  src_major="${BASH_REMATCH[1]}"
  src_minor="${BASH_REMATCH[2]}"
  raw="$(kubectl get --raw /version)"
  git_re='"gitVersion"[[:space:]]*:[[:space:]]*"([^"]+)"'
  dest_version=""
  if [[ "$raw" =~ $git_re ]]; then
    dest_version="${BASH_REMATCH[1]}"
  fi
  if ! [[ "$dest_version" =~ $version_re ]]; then
    echo "velero-dr: the destination's API server reported no Kubernetes version (kubectl get --raw /version: $raw)" >&2
    exit 1
  fi
  dest_major="${BASH_REMATCH[1]}"
  dest_minor="${BASH_REMATCH[2]}"
  if [ "$dest_major" -lt "$src_major" ] || { [ "$dest_major" -eq "$src_major" ] && [ "$dest_minor" -lt "$src_minor" ]; }; then
    echo "velero-dr: the destination cluster runs Kubernetes $dest_version, older than the source cluster's $SOURCE_KUBERNETES_VERSION; Velero restores only into the same or a newer Kubernetes. Upgrade the destination to $src_major.$src_minor or newer (on EKS: aws eks update-cluster-version --name <cluster> --kubernetes-version $src_major.$src_minor), or restore into a new cluster." >&2
    exit 1
  fi
  echo "velero-dr: destination Kubernetes $dest_version, not older than the source's $SOURCE_KUBERNETES_VERSION"
fi
echo "velero-dr: destination differs from the source cluster"
