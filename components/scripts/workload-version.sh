# The application version a cluster runs: the image tag of the container VERSION_CONTAINER of
# VERSION_RESOURCE/VERSION_WORKLOAD in VERSION_NAMESPACE (a digest is ignored; no tag gives "").
# Sets $image and $tag for the script that follows.
image="$(kubectl -n "$VERSION_NAMESPACE" get "$VERSION_RESOURCE" "$VERSION_WORKLOAD" \
  -o "jsonpath={.spec.template.spec.containers[?(@.name==\"$VERSION_CONTAINER\")].image}" 2>/dev/null || true)"
last="${image##*/}"
last="${last%@*}"
tag=""
if [[ "$last" == *:* ]]; then
  tag="${last##*:}"
fi
