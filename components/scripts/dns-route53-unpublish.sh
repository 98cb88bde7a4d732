# Removes the application's records from the Route 53 hosted zone and waits out their TTL, so
# clients and the restored apps stop reaching the old cluster (Plotly's Dash Enterprise backup
# and restore guide): the base domain's A, AAAA and CNAME record sets and its sub-domains'.
changes=""
wait_seconds=0
for name in "${names[@]}"; do
  deletions="$(r53_deletions "$name")"
  if [ -n "$deletions" ]; then
    changes="${changes:+$changes,}$deletions"
  fi
  rows="$(r53_list "$name" ".[Type, TTL]" text)"
  while read -r type ttl; do
    if [ -z "$type" ]; then
      continue
    fi
    # An alias record has no TTL of its own: resolvers cache the load balancer's answer, 60 s.
    if [ "$ttl" = "None" ]; then
      ttl=60
    fi
    if [ "$ttl" -gt "$DNS_TTL_SECONDS" ]; then
      echo "velero-dr: $type $name has a TTL of ${ttl}s, longer than dns.ttlSeconds (${DNS_TTL_SECONDS}s) that this step may wait: set velero-dr:dns.ttlSeconds to $ttl (the zone's TTL); nothing was removed" >&2
      exit 1
    fi
    echo "velero-dr: removing $type $name (TTL ${ttl}s)"
    if [ "$ttl" -gt "$wait_seconds" ]; then
      wait_seconds="$ttl"
    fi
  done <<<"$rows"
done
if [ -z "$changes" ]; then
  # Nothing left: an earlier run may have removed them moments ago, so caches may still hold them.
  echo "velero-dr: no record of $DNS_BASE_DOMAIN or its sub-domains in hosted zone $DNS_ROUTE53_ZONE_ID"
  wait_seconds="$DNS_TTL_SECONDS"
else
  r53_change "velero-dr: unpublish $DNS_BASE_DOMAIN before the restore" "$changes"
fi
for ns in $name_servers; do
  for name in "${names[@]}"; do
    for type in A AAAA CNAME; do
      left="$(r53_ask "$ns" "$name" "$type")"
      if [ -n "$left" ]; then
        echo "velero-dr: name server $ns still answers $type $name: $left" >&2
        exit 1
      fi
    done
  done
done
echo "velero-dr: removed $DNS_BASE_DOMAIN and its $((${#names[@]} - 1)) sub-domains from Route 53 zone $DNS_ZONE; its name servers ($name_servers) answer none"
echo "velero-dr: waiting ${wait_seconds}s (the records' TTL) for caches to drop the old address"
sleep "$wait_seconds"
