# Points the application's DNS records at the new load balancer (RFC 2136, TSIG-signed):
# the base domain (A for an IP, CNAME for a host name) and its sub-domains as CNAMEs (Plotly's
# Dash Enterprise AKS installation guide).
printf 'key "%s" {\n  algorithm %s;\n  secret "%s";\n};\n' "$DNS_TSIG_KEY_NAME" "$DNS_TSIG_ALGORITHM" "$DNS_TSIG_SECRET" >"$vdr_tmp/tsig.key"
unset DNS_TSIG_SECRET
if [[ "$LB_ADDRESS" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  base_record="A $LB_ADDRESS"
else
  base_record="CNAME $LB_ADDRESS."
fi
{
  echo "server $DNS_SERVER $DNS_PORT"
  echo "zone $DNS_ZONE"
  echo "update delete $DNS_BASE_DOMAIN. A"
  echo "update delete $DNS_BASE_DOMAIN. CNAME"
  echo "update add $DNS_BASE_DOMAIN. $DNS_TTL_SECONDS $base_record"
  for prefix in ${DNS_RECORD_PREFIXES:-}; do
    echo "update delete $prefix-$DNS_BASE_DOMAIN. CNAME"
    echo "update add $prefix-$DNS_BASE_DOMAIN. $DNS_TTL_SECONDS CNAME $DNS_BASE_DOMAIN."
  done
  echo "send"
} >"$vdr_tmp/update.txt"
nsupdate -k "$vdr_tmp/tsig.key" "$vdr_tmp/update.txt"
if command -v dig >/dev/null 2>&1; then
  answer="$(dig +short -p "$DNS_PORT" "@$DNS_SERVER" "$DNS_BASE_DOMAIN" | tail -n 1)"
  if [ "$answer" != "$LB_ADDRESS" ] && [ "$answer" != "$LB_ADDRESS." ]; then
    echo "velero-dr: $DNS_BASE_DOMAIN answers '${answer}' at $DNS_SERVER, expected $LB_ADDRESS" >&2
    exit 1
  fi
fi
echo "velero-dr: $DNS_BASE_DOMAIN now points at $LB_ADDRESS (with $(echo "${DNS_RECORD_PREFIXES:-}" | wc -w) CNAMEs)"
