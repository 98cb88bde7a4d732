# Manual DNS: prints the records to create (Plotly's Dash Enterprise AKS installation guide),
# pointing at the new load balancer.
if [[ "$LB_ADDRESS" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  type="A"
else
  type="CNAME"
fi
echo "velero-dr: create these DNS records now (TTL ${DNS_TTL_SECONDS}s):"
echo "  $DNS_BASE_DOMAIN  $type  $LB_ADDRESS"
for prefix in ${DNS_RECORD_PREFIXES:-}; do
  echo "  $prefix-$DNS_BASE_DOMAIN  CNAME  $DNS_BASE_DOMAIN"
done
