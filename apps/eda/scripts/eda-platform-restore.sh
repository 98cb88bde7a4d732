# Nokia EDA's backup and restore documentation: EDA restores itself from the tarball `edactl
# platform backup` wrote (it unpacks it, pushes the repositories and restarts its ConfigEngine).
# The newest one on the restored claim is used. A marker written next to it afterwards keeps a re-run from restoring the same file twice.
ns="$EDA_NAMESPACE"
container="$EDA_TOOLBOX_CONTAINER"
# The toolbox pod the mount step rolled out (ready-pod.sh).
pod="$(ready_pod "$ns" "eda.nokia.com/app=$EDA_TOOLBOX" eda-toolbox "$EDA_RESTORE_TIMEOUT_SECONDS")"

# shellcheck disable=SC2016 # runs in the container, with the mount as $1
file="$(kubectl -n "$ns" exec "$pod" -c "$container" -- bash -c 'set -eu
cd -- "$1"
shopt -s nullglob
files=(eda-backup-*.tar.gz eda-backup-*.tgz)
if [ "${#files[@]}" -gt 0 ]; then
  ls -1t -- "${files[@]}" | head -n 1
fi' _ "$EDA_MOUNT")"
if [ -z "$file" ]; then
  echo "velero-dr: no platform backup (eda-backup-*.tgz or .tar.gz) in $EDA_MOUNT of $pod: the restored claim holds none; was the eda-platform-backup hook run by the backup? (kubectl -n $ns exec $pod -c $container -- ls -l $EDA_MOUNT)" >&2
  exit 1
fi
if ! [[ "$file" =~ ^eda-backup-[A-Za-z0-9._-]+\.(tar\.gz|tgz)$ ]]; then
  echo "velero-dr: unexpected backup file name in $EDA_MOUNT: $file" >&2
  exit 1
fi

# shellcheck disable=SC2016 # runs in the container
done_before="$(kubectl -n "$ns" exec "$pod" -c "$container" -- bash -c 'if [ -e "$1/.velero-dr-restored-$2" ]; then echo yes; else echo no; fi' _ "$EDA_MOUNT" "$file")"
if [ "$done_before" = "yes" ]; then
  echo "velero-dr: $file was restored already (marker $EDA_MOUNT/.velero-dr-restored-$file); not restoring it again"
  exit 0
fi

echo "velero-dr: edactl platform restore $file (in $pod, up to ${EDA_RESTORE_TIMEOUT_SECONDS}s)"
rc=0
# shellcheck disable=SC2016 # runs in the container: mount, file, timeout
kubectl -n "$ns" exec "$pod" -c "$container" -- bash -c 'set -eu
cd -- "$1"
if command -v timeout >/dev/null 2>&1; then
  exec timeout "$3" edactl platform restore "$2"
fi
exec edactl platform restore "$2"' _ "$EDA_MOUNT" "$file" "$EDA_RESTORE_TIMEOUT_SECONDS" || rc=$?
if [ "$rc" -ne 0 ]; then
  if [ "$rc" -eq 124 ]; then
    echo "velero-dr: edactl platform restore $file did not end within ${EDA_RESTORE_TIMEOUT_SECONDS}s" >&2
  else
    echo "velero-dr: edactl platform restore $file failed (exit code $rc); the destination must run the EDA version of the source (Nokia EDA's backup and restore documentation)" >&2
  fi
  exit 1
fi
# shellcheck disable=SC2016 # runs in the container
kubectl -n "$ns" exec "$pod" -c "$container" -- bash -c 'touch -- "$1/.velero-dr-restored-$2"' _ "$EDA_MOUNT" "$file"
echo "velero-dr: platform restored from $file; EDA's ConfigEngine restarts with it"
