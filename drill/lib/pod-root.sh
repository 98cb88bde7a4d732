# shellcheck shell=bash
# The drill's stand-in for a container's filesystem, read by bash as BASH_ENV: before the command
# of a `bash -c` that KWOK runs for a fake pod, bash re-runs that command in a private mount
# namespace whose root is this machine's with the pod's volumes added at their container paths
# (VELERO_DR_POD_MOUNTS, one "<container path>=<directory>" per line). So a Velero hook or a
# restore step that writes /bitnami/postgresql/... in "the container" writes that pod's volume
# directory, and nothing of this machine's own tree changes. Only commands run by bash see it.
if [ -n "${VELERO_DR_POD_MOUNTS:-}" ] && [ -z "${VELERO_DR_POD_ROOT:-}" ] && [ -n "${BASH_EXECUTION_STRING:-}" ]; then
  unset BASH_ENV
  # shellcheck disable=SC2016 # the inner script expands its own arguments
  exec /usr/bin/unshare --mount --propagation private -- /bin/bash -c '
set -euo pipefail
cwd="$1"
command="$2"
shift 2
root="${VELERO_DR_POD_ROOT_MOUNTPOINT:?}"
/usr/bin/mount -t tmpfs -o mode=0755 velero-dr-pod-root "$root"
for entry in /*; do
  name="${entry#/}"
  if [ -L "$entry" ]; then
    ln -s "$(readlink "$entry")" "$root/$name"
  elif [ -d "$entry" ]; then
    mkdir "$root/$name"
    /usr/bin/mount --rbind "$entry" "$root/$name"
  fi
done
while IFS="=" read -r target source; do
  [ -n "$target" ] || continue
  top="${target#/}"
  top="/${top%%/*}"
  if [ "${target:0:1}" != "/" ] || [ -e "$top" ]; then
    echo "pod-root: container path $target must be absolute and not under one of this machine'"'"'s directories ($top)" >&2
    exit 126
  fi
  mkdir -p "$root$target"
  /usr/bin/mount --bind "$source" "$root$target"
done <<<"$VELERO_DR_POD_MOUNTS"
export VELERO_DR_POD_ROOT="$root"
exec /usr/sbin/chroot "$root" /bin/bash -c "cd \"\$1\" && shift && exec /bin/bash -c \"\$@\"" _ "$cwd" "$command" "$@"
' _ "$PWD" "$BASH_EXECUTION_STRING" "$0" "$@"
fi
