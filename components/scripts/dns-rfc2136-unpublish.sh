# Removes the application's DNS records (RFC 2136 dynamic update, TSIG-signed) and waits one
# TTL, so clients and the restored apps stop reaching the old cluster (Plotly's Dash Enterprise
# backup and restore guide).
printf 'key "%s" {\n  algorithm %s;\n  secret "%s";\n};\n' "$DNS_TSIG_KEY_NAME" "$DNS_TSIG_ALGORITHM" "$DNS_TSIG_SECRET" >"$vdr_tmp/tsig.key"
unset DNS_TSIG_SECRET
{
  echo "server $DNS_SERVER $DNS_PORT"
  echo "zone $DNS_ZONE"
  echo "update delete $DNS_BASE_DOMAIN. A"
  echo "update delete $DNS_BASE_DOMAIN. CNAME"
  for prefix in ${DNS_RECORD_PREFIXES:-}; do
    echo "update delete $prefix-$DNS_BASE_DOMAIN. CNAME"
  done
  echo "send"
} >"$vdr_tmp/update.txt"
nsupdate -k "$vdr_tmp/tsig.key" "$vdr_tmp/update.txt"
echo "velero-dr: removed $DNS_BASE_DOMAIN and its $(echo "${DNS_RECORD_PREFIXES:-}" | wc -w) sub-domains from $DNS_ZONE at $DNS_SERVER"
if command -v dig >/dev/null 2>&1; then
  left="$(dig +short -p "$DNS_PORT" "@$DNS_SERVER" "$DNS_BASE_DOMAIN" A)"
  if [ -n "$left" ]; then
    echo "velero-dr: $DNS_BASE_DOMAIN still answers $left at $DNS_SERVER" >&2
    exit 1
  fi
fi
echo "velero-dr: waiting ${DNS_TTL_SECONDS}s (one TTL) for caches to drop the old address"
sleep "$DNS_TTL_SECONDS"
