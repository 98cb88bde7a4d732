# Redeploys Dash Enterprise from the KOTS Admin Console (Plotly's Dash Enterprise backup and
# restore guide). Automated with the kots kubectl plugin when it is installed; otherwise a gate:
# a person redeploys, then sets the continue flag and runs pulumi up again.
if [ "$KOTS_CONFIRMED" = "true" ]; then
  echo "velero-dr: KOTS redeploy confirmed by configuration (velero-dr:app.kotsRedeployed)"
  exit 0
fi
# kubectl plugins must come first on the command line, hence `command kubectl` here.
if [ "$KOTS_AUTOMATE" = "true" ] && command kubectl kots version >/dev/null 2>&1; then
  # A new version from the current one with unchanged config, deployed: a redeploy.
  printf 'apiVersion: kots.io/v1beta1\nkind: ConfigValues\nspec:\n  values: {}\n' >"$vdr_tmp/config-values.yaml"
  command kubectl kots set config "$KOTS_APP_SLUG" -n "$DASH_NAMESPACE" --config-file "$vdr_tmp/config-values.yaml" \
    --merge --current --deploy
  echo "velero-dr: Dash Enterprise redeployed through the kots plugin"
  exit 0
fi
cat >&2 <<INSTRUCTIONS
velero-dr: GATE - redeploy Dash Enterprise from the KOTS Admin Console:
  1. kubectl port-forward -n $DASH_NAMESPACE svc/kotsadm 8800:3000
  2. open http://localhost:8800 and log in with the Admin Console password of the installation
  3. next to the "Currently deployed version", select Redeploy
  4. then: pulumi config set --path velero-dr:app.kotsRedeployed true && pulumi up
INSTRUCTIONS
exit 1
