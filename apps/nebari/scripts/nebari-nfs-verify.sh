# The backup hook listed every file under /exports with its size (.velero-dr/manifest) right before
# Velero copied the volume; the restored volume must list the same. Velero's own restore markers
# (.velero/) are not the user's files and are left out on both sides.
ns="$NEBARI_NAMESPACE"
pod="$(ready_pod "$ns" "$NFS_SELECTOR" "NFS server" "$NEBARI_TIMEOUT_SECONDS")"
echo "velero-dr: listing /exports in $pod and comparing it with .velero-dr/manifest"

# In the container: the listing made exactly as the hook made it, then only the lines that differ
# (comm -3: manifest-only lines as they are, lines only in the new listing after a tab), after a
# first line with the number of files the manifest lists. Only differences cross the connection.
if ! compared="$(kubectl -n "$ns" exec "$pod" -- bash -c 'set -euo pipefail
cd /exports
if [ ! -f .velero-dr/manifest ]; then
  echo "velero-dr: /exports/.velero-dr/manifest not found: the backup did not run the nfs-manifest hook" >&2
  exit 3
fi
user_files() { grep -v "^[0-9]* \./\.velero/" || true; }
user_files < .velero-dr/manifest | wc -l
LC_ALL=C comm -3 \
  <(user_files < .velero-dr/manifest | LC_ALL=C sort) \
  <(find . -path ./.velero-dr -prune -o -type f -printf "%s %p\n" | user_files | LC_ALL=C sort)')"; then
  echo "velero-dr: could not compare /exports with its manifest in $pod" >&2
  exit 1
fi
listed="${compared%%$'\n'*}"
listed="${listed//[[:space:]]/}"
rest=""
if [[ "$compared" == *$'\n'* ]]; then
  rest="${compared#*$'\n'}"
fi
report="$(printf '%s\n' "$rest" | LC_ALL=C awk '
  NF == 0 { next }
  {
    side = "manifest"
    line = $0
    if (substr(line, 1, 1) == "\t") { side = "now"; line = substr(line, 2) }
    size = line; sub(/ .*/, "", size)
    path = line; sub(/^[^ ]* /, "", path)
    if (side == "manifest") { was[path] = size; order[++n] = path } else { now[path] = size; extra[++m] = path }
  }
  END {
    for (i = 1; i <= n; i++) {
      p = order[i]
      if (p in now) { changed++; if (changed <= 10) c = c "\n  size changed: " p " (" was[p] " -> " now[p] " bytes)" }
      else { missing++; if (missing <= 10) s = s "\n  missing: " p " (" was[p] " bytes)" }
    }
    for (i = 1; i <= m; i++) {
      p = extra[i]
      if (!(p in was)) { added++; if (added <= 10) e = e "\n  extra: " p " (" now[p] " bytes)" }
    }
    if (missing + changed + added > 0)
      printf "%d missing, %d extra, %d size changed (at most 10 of each below)%s%s%s\n", missing, added, changed, s, c, e
  }')"
if [ -n "$report" ]; then
  echo "velero-dr: /exports does not match the manifest of the backup ($listed files listed): $report" >&2
  exit 1
fi
echo "velero-dr: /exports matches the backup's manifest: $listed files, paths and sizes"
