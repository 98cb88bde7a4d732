# Deletes what the Dash operators must rebuild in the new cluster (Plotly's Dash Enterprise backup
# and restore guide): the builder, the appstack and the ingress controller deployment.
# Already-deleted objects are fine.
ns="$DASH_NAMESPACE"
kubectl -n "$ns" delete builder dash-app-builder --ignore-not-found
kubectl -n "$ns" delete appstack de-appstack --ignore-not-found
kubectl -n "$ns" delete deployment ingress-nginx-controller --ignore-not-found
echo "velero-dr: builder, appstack and ingress-nginx-controller deployment deleted for re-creation"
