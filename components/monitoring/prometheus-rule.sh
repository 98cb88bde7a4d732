# Applies the PrometheusRule when the cluster serves the Prometheus operator's PrometheusRule
# kind, and otherwise says so and succeeds: "auto" must not fail a cluster without the operator.
# Discovery (api-resources) needs no RBAC beyond being authenticated; a cluster that cannot be
# reached fails the script instead of being mistaken for one without the CRD.
served="$(kubectl api-resources --api-group=monitoring.coreos.com -o name)"
# A here-string, not printf | grep -q: under pipefail an early-quitting grep can SIGPIPE the writer.
if grep -qx 'prometheusrules.monitoring.coreos.com' <<<"$served"; then
  if [ "${VELERO_DR_DELETE:-}" = "true" ]; then
    kubectl delete prometheusrule "$PROMETHEUS_RULE_NAME" -n "$VELERO_NAMESPACE" --ignore-not-found >&2
    echo "deleted"
  else
    printf '%s\n' "$PROMETHEUS_RULE_MANIFEST" | kubectl apply -f - >&2
    echo "applied"
  fi
else
  echo "velero-dr: the cluster serves no monitoring.coreos.com/v1 PrometheusRule (no Prometheus operator); in-cluster alert rules were not applied. After installing the operator run: pulumi up --replace <urn of this command>, or set velero-dr:alerting.prometheusRule to true." >&2
  echo "skipped"
fi
