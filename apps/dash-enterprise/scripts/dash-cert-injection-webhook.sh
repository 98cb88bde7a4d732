# Scales the cert-injection-webhook deployments back up, if the cluster has them (Plotly's Dash
# Enterprise backup and restore guide).
if kubectl get namespace cert-injection-webhook >/dev/null 2>&1 &&
  [ -n "$(kubectl -n cert-injection-webhook get deployments -o name 2>/dev/null)" ]; then
  kubectl -n cert-injection-webhook scale deployment --replicas=1 --all
  echo "velero-dr: cert-injection-webhook scaled to 1"
else
  echo "velero-dr: no cert-injection-webhook deployment; nothing to scale"
fi
