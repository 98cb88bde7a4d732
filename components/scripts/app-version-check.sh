# ($image and $tag come from workload-version.sh.)
# The version every backup records (velero-dr:app.version) must be what the cluster runs, or a
# destination would trust a wrong label. Fails `pulumi up` with both values when they differ.
if [ -z "$image" ]; then
  echo "velero-dr: no container $VERSION_CONTAINER in $VERSION_RESOURCE $VERSION_NAMESPACE/$VERSION_WORKLOAD; install the application first or fix velero-dr:app" >&2
  exit 1
fi
if [ "$tag" != "$APP_VERSION" ]; then
  echo "velero-dr: velero-dr:app.version is $APP_VERSION, but the cluster runs ${tag:-an untagged image} ($image); set velero-dr:app.version to ${tag:-the running version} so backups record the version they hold" >&2
  exit 1
fi
echo "velero-dr: the cluster runs version $tag, as configured"
