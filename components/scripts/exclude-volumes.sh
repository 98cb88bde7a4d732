# Leaves data out of the backup that is rebuilt from an application backup instead (Code Dx's
# MariaDB data volumes, as set-backup.ps1 does): the claims and their volumes get
# velero.io/exclude-from-backup=true. Claims created later (a new replica) are labelled by the
# next `pulumi up`. With EXCLUDE_REMOVE=true the label is taken away again.
# EXCLUDE_TARGETS: one "<namespace> <label selector> <claim name prefix>" per line.
# EXCLUDE_REQUIRE=true (a promoted destination, after the app's repairs): a target without a claim
# fails, since the claims it leaves out must exist before the destination's first backup.
remove="${EXCLUDE_REMOVE:-false}"
require="${EXCLUDE_REQUIRE:-false}"
while read -r ns selector prefix; do
  [ -n "$ns" ] || continue
  claims="$(kubectl -n "$ns" get persistentvolumeclaims -l "$selector" \
    -o 'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.spec.volumeName}{"\n"}{end}')"
  found=0
  while IFS=$'\t' read -r claim volume; do
    [ -n "$claim" ] || continue
    case "$claim" in
      "$prefix"*) ;;
      *) continue ;;
    esac
    found=$((found + 1))
    if [ "$remove" = "true" ]; then
      kubectl -n "$ns" label persistentvolumeclaims "$claim" velero.io/exclude-from-backup-
      if [ -n "$volume" ]; then
        kubectl label persistentvolumes "$volume" velero.io/exclude-from-backup- || true
      fi
    else
      kubectl -n "$ns" label --overwrite persistentvolumeclaims "$claim" velero.io/exclude-from-backup=true
      if [ -n "$volume" ]; then
        kubectl label --overwrite persistentvolumes "$volume" velero.io/exclude-from-backup=true
      fi
    fi
  done <<<"$claims"
  if [ "$require" = "true" ] && [ "$found" = 0 ]; then
    echo "velero-dr: $ns: no claim matching $selector and $prefix*; the destination's backups would include the data they must leave out. kubectl -n $ns get pvc --show-labels" >&2
    exit 1
  fi
  echo "velero-dr: $ns: $found claim(s) matching $selector and $prefix* $([ "$remove" = "true" ] && echo "back in" || echo "left out of") the backup"
done <<<"$EXCLUDE_TARGETS"
