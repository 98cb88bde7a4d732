# The records themselves are Pulumi resources (azure-native RecordSets); this checks that the
# base domain's record in the zone now holds the new load balancer address.
relative="${DNS_BASE_DOMAIN%."$DNS_ZONE"}"
if [ "$relative" = "$DNS_BASE_DOMAIN" ]; then
  relative="@"
fi
value="$(az network dns record-set a show --subscription "$DNS_SUBSCRIPTION_ID" --resource-group "$DNS_RESOURCE_GROUP" \
  --zone-name "$DNS_ZONE" --name "$relative" --query 'ARecords[0].ipv4Address' --output tsv)"
if [ "$value" != "$LB_ADDRESS" ]; then
  echo "velero-dr: $DNS_BASE_DOMAIN holds '${value}' in zone $DNS_ZONE, expected $LB_ADDRESS" >&2
  exit 1
fi
echo "velero-dr: $DNS_BASE_DOMAIN points at $LB_ADDRESS in Azure DNS zone $DNS_ZONE"
