# Checks that the new cluster runs the supporting software the application needs and its backup
# does not hold (a vendor installs it on a new cluster, e.g. with its own scripts). Each piece is
# recognised by a CustomResourceDefinition it installs. Changes nothing.
# PREREQ_ITEMS: one "<name> <crd>" per line. PREREQ_INSTRUCTIONS: the vendor's way, one per line.
# A cluster that cannot be listed fails the step (set -e) rather than passing for one without them.
served="$(kubectl get customresourcedefinitions.apiextensions.k8s.io -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}')"
missing=""
while read -r name crd; do
  [ -n "$name" ] || continue
  # A here-string, not printf | grep -q: under pipefail, grep -q quitting at its first match can leave the
  # writer of a long CRD list dead of SIGPIPE, which would fail the check for an installed prerequisite.
  if grep -qxF "$crd" <<<"$served"; then
    echo "velero-dr: prerequisite $name is installed (CustomResourceDefinition $crd)"
  else
    echo "velero-dr: prerequisite $name is missing: the cluster serves no CustomResourceDefinition $crd" >&2
    missing="$missing $name"
  fi
done <<<"$PREREQ_ITEMS"
if [ -z "$missing" ]; then
  echo "velero-dr: every prerequisite is installed"
  exit 0
fi
if [ "$PREREQ_CONFIRMED" = "true" ]; then
  echo "velero-dr: missing:$missing; going on as confirmed by configuration (velero-dr:restore.prerequisitesConfirmed)" >&2
  exit 0
fi
{
  echo "velero-dr: GATE - the new cluster lacks supporting software the application needs:$missing. Nothing was restored."
  echo "Install it as the vendor does on a new cluster:"
  while IFS= read -r line; do
    [ -n "$line" ] && echo "  - $line"
  done <<<"$PREREQ_INSTRUCTIONS"
  echo "Then run pulumi up again (the check runs again). If this installation does not need them:"
  echo "  pulumi config set --path velero-dr:restore.prerequisitesConfirmed true && pulumi up"
} >&2
exit 1
