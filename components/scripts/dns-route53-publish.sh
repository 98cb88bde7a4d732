# Points the application's names at the new load balancer in Route 53 (Plotly's Dash Enterprise
# AKS installation guide, in Route 53's terms): the base domain as an A record for an IP address,
# an alias A (and AAAA) record to a load balancer's host name when its hosted zone is configured,
# else a CNAME; each sub-domain a CNAME to the base domain. Whatever A, AAAA or CNAME record sets
# the names hold are deleted in the same change batch (one transaction).
ttl="$DNS_TTL_SECONDS"
lb="${LB_ADDRESS,,}"
lb="${lb%.}"
if ! [[ "$lb" =~ $vdr_name_re ]]; then
  echo "velero-dr: unexpected load balancer address: $LB_ADDRESS" >&2
  exit 2
fi
if [[ "$lb" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  kind="A"
  records=("{\"Name\": \"$base_fqdn\", \"Type\": \"A\", \"TTL\": $ttl, \"ResourceRecords\": [{\"Value\": \"$lb\"}]}")
elif [ -n "${DNS_ROUTE53_ALIAS_ZONE_ID:-}" ]; then
  kind="alias"
  target="$(r53_fqdn "$lb")"
  records=("{\"Name\": \"$base_fqdn\", \"Type\": \"A\", \"AliasTarget\": {\"HostedZoneId\": \"$DNS_ROUTE53_ALIAS_ZONE_ID\", \"DNSName\": \"$target\", \"EvaluateTargetHealth\": false}}")
  if [ "$DNS_ROUTE53_IPV6" = "true" ]; then
    # An Application or Classic Load Balancer answers AAAA under its dualstack. name.
    if [[ "$target" == *.elb.amazonaws.com. && "$target" != dualstack.* ]]; then
      target="dualstack.$target"
    fi
    records+=("{\"Name\": \"$base_fqdn\", \"Type\": \"AAAA\", \"AliasTarget\": {\"HostedZoneId\": \"$DNS_ROUTE53_ALIAS_ZONE_ID\", \"DNSName\": \"$target\", \"EvaluateTargetHealth\": false}}")
  fi
elif [ "$base_fqdn" = "$zone_fqdn" ]; then
  echo "velero-dr: $DNS_BASE_DOMAIN is the apex of $DNS_ZONE and cannot be a CNAME to $lb: set velero-dr:dns.route53.aliasHostedZoneId to the load balancer's canonical hosted zone id" >&2
  exit 1
else
  kind="CNAME"
  records=("{\"Name\": \"$base_fqdn\", \"Type\": \"CNAME\", \"TTL\": $ttl, \"ResourceRecords\": [{\"Value\": \"$lb.\"}]}")
fi
changes=""
for name in "${names[@]}"; do
  deletions="$(r53_deletions "$name")"
  if [ -n "$deletions" ]; then
    changes="${changes:+$changes,}$deletions"
  fi
done
for name in "${names[@]:1}"; do
  records+=("{\"Name\": \"$name\", \"Type\": \"CNAME\", \"TTL\": $ttl, \"ResourceRecords\": [{\"Value\": \"$base_fqdn\"}]}")
done
for record in "${records[@]}"; do
  changes="${changes:+$changes,}{\"Action\": \"CREATE\", \"ResourceRecordSet\": $record}"
done
r53_change "velero-dr: publish $DNS_BASE_DOMAIN at the restored cluster" "$changes"
for ns in $name_servers; do
  case "$kind" in
    A)
      answer="$(r53_ask "$ns" "$base_fqdn" A)"
      ok=false
      if grep -qxF "$lb" <<<"$answer"; then ok=true; fi
      ;;
    CNAME)
      answer="$(r53_ask "$ns" "$base_fqdn" CNAME)"
      ok=false
      if [ "$answer" = "$lb." ]; then ok=true; fi
      ;;
    alias)
      # The name server answers the load balancer's own addresses for an alias.
      answer="$(r53_ask "$ns" "$base_fqdn" A)"
      ok=false
      if grep -qE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' <<<"$answer"; then ok=true; fi
      ;;
  esac
  if [ "$ok" != "true" ]; then
    echo "velero-dr: name server $ns answers '${answer}' for $DNS_BASE_DOMAIN, expected the new load balancer $lb ($kind)" >&2
    exit 1
  fi
  for name in "${names[@]:1}"; do
    answer="$(r53_ask "$ns" "$name" CNAME)"
    if [ "$answer" != "$base_fqdn" ]; then
      echo "velero-dr: name server $ns answers '${answer}' for $name, expected CNAME $base_fqdn" >&2
      exit 1
    fi
  done
done
echo "velero-dr: $DNS_BASE_DOMAIN now points at $lb ($kind, with $((${#names[@]} - 1)) CNAMEs) at every name server of $DNS_ZONE ($name_servers)"
