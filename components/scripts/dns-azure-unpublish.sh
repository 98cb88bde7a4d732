# Removes the application's records from the Azure DNS zone and waits one TTL (Plotly's Dash
# Enterprise backup and restore guide).
# Uses the Azure CLI session of whoever runs the step.
relative="${DNS_BASE_DOMAIN%."$DNS_ZONE"}"
if [ "$relative" = "$DNS_BASE_DOMAIN" ]; then
  relative="@"
fi
az network dns record-set a delete --yes --subscription "$DNS_SUBSCRIPTION_ID" \
  --resource-group "$DNS_RESOURCE_GROUP" --zone-name "$DNS_ZONE" --name "$relative" --output none
for prefix in ${DNS_RECORD_PREFIXES:-}; do
  az network dns record-set cname delete --yes --subscription "$DNS_SUBSCRIPTION_ID" \
    --resource-group "$DNS_RESOURCE_GROUP" --zone-name "$DNS_ZONE" --name "$prefix-$relative" --output none
done
echo "velero-dr: removed $DNS_BASE_DOMAIN and its sub-domains from Azure DNS zone $DNS_ZONE"
echo "velero-dr: waiting ${DNS_TTL_SECONDS}s (one TTL) for caches to drop the old address"
sleep "$DNS_TTL_SECONDS"
