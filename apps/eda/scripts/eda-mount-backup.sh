# Nokia EDA's backup and restore documentation: `edactl platform restore` reads the backup inside
# the eda-toolbox pod. The claim Velero restored holds the platform backups; the destination's own
# toolbox gets it mounted
# (once: a toolbox that has the volume already is left as it is) and rolls out with it.
ns="$EDA_NAMESPACE"
poll="${VELERO_DR_POLL_SECONDS:-10}"
deadline=$(($(date +%s) + EDA_TIMEOUT_SECONDS))
while [ -z "$(kubectl -n "$ns" get pvc "$EDA_CLAIM" --ignore-not-found -o name)" ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "velero-dr: claim $EDA_CLAIM not found in $ns after ${EDA_TIMEOUT_SECONDS}s: the Velero restore did not bring the platform backup volume back (did the backup include it? velero backup describe <backup> --details)" >&2
    exit 1
  fi
  echo "velero-dr: waiting for claim $EDA_CLAIM"
  sleep "$poll"
done
echo "velero-dr: claim $EDA_CLAIM is there"

deploy="$EDA_TOOLBOX"
container="$EDA_TOOLBOX_CONTAINER"
volumes="$(kubectl -n "$ns" get deployment "$deploy" -o 'jsonpath={range .spec.template.spec.volumes[*]}{.name}{"\n"}{end}')"
if [[ $'\n'"$volumes"$'\n' == *$'\n'velero-dr-backup$'\n'* ]]; then
  echo "velero-dr: $deploy has the volume velero-dr-backup already; not patching it"
else
  # The patch names the container by its index; a `test` operation makes sure the index still
  # points at it when the patch applies.
  names="$(kubectl -n "$ns" get deployment "$deploy" -o 'jsonpath={range .spec.template.spec.containers[*]}{.name}{"\n"}{end}')"
  index="$(printf '%s\n' "$names" | awk -v want="$container" '$0 == want && !found { print NR - 1; found = 1 }')"
  if [ -z "$index" ]; then
    echo "velero-dr: $deploy has no container $container (it has: $(printf '%s' "$names" | tr '\n' ' '))" >&2
    exit 1
  fi
  mounts="$(kubectl -n "$ns" get deployment "$deploy" -o "jsonpath={.spec.template.spec.containers[$index].volumeMounts}")"
  volume="{\"name\":\"velero-dr-backup\",\"persistentVolumeClaim\":{\"claimName\":\"$EDA_CLAIM\"}}"
  mount="{\"name\":\"velero-dr-backup\",\"mountPath\":\"$EDA_MOUNT\"}"
  patch="[{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/$index/name\",\"value\":\"$container\"}"
  if [ -z "$volumes" ]; then
    patch="$patch,{\"op\":\"add\",\"path\":\"/spec/template/spec/volumes\",\"value\":[$volume]}"
  else
    patch="$patch,{\"op\":\"add\",\"path\":\"/spec/template/spec/volumes/-\",\"value\":$volume}"
  fi
  if [ -z "$mounts" ] || [ "$mounts" = "[]" ]; then
    patch="$patch,{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/$index/volumeMounts\",\"value\":[$mount]}]"
  else
    patch="$patch,{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/$index/volumeMounts/-\",\"value\":$mount}]"
  fi
  echo "velero-dr: mounting claim $EDA_CLAIM at $EDA_MOUNT in $deploy (container $container)"
  kubectl -n "$ns" patch deployment "$deploy" --type=json -p "$patch"
fi
if ! kubectl -n "$ns" rollout status deployment "$deploy" --timeout="${EDA_TIMEOUT_SECONDS}s"; then
  echo "velero-dr: $deploy did not roll out within ${EDA_TIMEOUT_SECONDS}s: kubectl -n $ns describe pods -l eda.nokia.com/app=$deploy" >&2
  exit 1
fi
echo "velero-dr: $deploy runs with $EDA_CLAIM mounted at $EDA_MOUNT"
