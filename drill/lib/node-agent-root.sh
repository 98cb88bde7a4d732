#!/usr/bin/env bash
# The drill's stand-in for a node agent pod's sandbox: runs the command given as arguments (Velero's
# node agent) in a network namespace and a mount namespace of its own, as a DaemonSet pod has them:
# - network: its own loopback, where it binds its fixed ports (:8085 metrics, :8080 controller
#   metrics); the API server's and the object store's ports are forwarded to the drill's loopback
#   (forward.js; VELERO_DR_FORWARDS: "<port>=<unix socket>" separated by spaces);
# - mounts: this machine's root with the node's pod directories (VELERO_DR_HOST_PODS, laid out as the
#   kubelet's /var/lib/kubelet/pods) at /host_pods, as the DaemonSet's hostPath volume mounts them.
#   Nothing of this machine's own tree changes: the new root is a tmpfs at VELERO_DR_ROOT_MOUNTPOINT.
# Run it as root: unshare --net --mount --propagation private -- bash node-agent-root.sh <command> ...
set -euo pipefail
: "${VELERO_DR_HOST_PODS:?}" "${VELERO_DR_ROOT_MOUNTPOINT:?}" "${VELERO_DR_FORWARDS:?}" "${VELERO_DR_NODE:?}"
forwarder="$(dirname "${BASH_SOURCE[0]}")/forward.js"

/usr/sbin/ip link set lo up
ready="$VELERO_DR_ROOT_MOUNTPOINT.forward-ready"
rm -f "$ready"
# shellcheck disable=SC2086 # one argument per forward
"$VELERO_DR_NODE" "$forwarder" tcp-to-unix $VELERO_DR_FORWARDS >"$ready" &
for _ in $(seq 1 100); do
  if grep -q ready "$ready" 2>/dev/null; then break; fi
  sleep 0.1
done
grep -q ready "$ready" || {
  echo "node-agent-root: the port forwards did not start" >&2
  exit 1
}

root="$VELERO_DR_ROOT_MOUNTPOINT"
/usr/bin/mount -t tmpfs -o mode=0755 velero-dr-node-root "$root"
for entry in /*; do
  name="${entry#/}"
  if [ -L "$entry" ]; then
    ln -s "$(readlink "$entry")" "$root/$name"
  elif [ -d "$entry" ]; then
    mkdir "$root/$name"
    /usr/bin/mount --rbind "$entry" "$root/$name"
  fi
done
mkdir "$root/host_pods"
/usr/bin/mount --rbind "$VELERO_DR_HOST_PODS" "$root/host_pods"
# shellcheck disable=SC2016 # the inner shell expands its own arguments
exec /usr/sbin/chroot "$root" /bin/bash -c 'cd "$1" && shift && exec "$@"' _ "$PWD" "$@"
