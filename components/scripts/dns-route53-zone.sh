# Route 53, shared by its DNS steps: the hosted zone must be the public zone of DNS_ZONE, and its
# own name servers answer the checks (dig @ns, no recursion). The AWS CLI runs with the
# credentials of whoever runs the step (AWS_PROFILE, an SSO session, AWS_ACCESS_KEY_ID...).
# The record sets are built as JSON from values checked here: names and ids cannot break out.
poll="${VELERO_DR_POLL_SECONDS:-10}"
# AWS CLI v2 pipes output through a pager unless told not to; a step reads it.
export AWS_PAGER=""
vdr_zone_id_re='^Z[A-Z0-9]{1,31}$'
for vdr_id in "$DNS_ROUTE53_ZONE_ID" "${DNS_ROUTE53_ALIAS_ZONE_ID:-ZNONE}"; do
  if ! [[ "$vdr_id" =~ $vdr_zone_id_re ]]; then
    echo "velero-dr: not a Route 53 hosted zone id: $vdr_id" >&2
    exit 2
  fi
done
vdr_name_re='^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'
# A name as Route 53 lists it: lower case, fully qualified (final dot).
r53_fqdn() {
  local n="${1,,}"
  n="${n%.}"
  if ! [[ "$n" =~ $vdr_name_re ]]; then
    echo "velero-dr: not a DNS name: $1" >&2
    exit 2
  fi
  printf '%s.' "$n"
}
zone_fqdn="$(r53_fqdn "$DNS_ZONE")"
base_fqdn="$(r53_fqdn "$DNS_BASE_DOMAIN")"
names=("$base_fqdn")
for prefix in ${DNS_RECORD_PREFIXES:-}; do
  names+=("$(r53_fqdn "$prefix-$DNS_BASE_DOMAIN")")
done

zone_info="$(aws route53 get-hosted-zone --id "$DNS_ROUTE53_ZONE_ID" \
  --query '[HostedZone.Name, HostedZone.Config.PrivateZone]' --output text)"
read -r zone_name zone_private <<<"$zone_info"
if [ "${zone_name,,}" != "$zone_fqdn" ]; then
  echo "velero-dr: Route 53 hosted zone $DNS_ROUTE53_ZONE_ID is '${zone_name}', not $DNS_ZONE: set velero-dr:dns.route53.hostedZoneId to the hosted zone of $DNS_ZONE (aws route53 list-hosted-zones-by-name --dns-name $DNS_ZONE)" >&2
  exit 1
fi
if [ "$zone_private" != "False" ]; then
  echo "velero-dr: Route 53 hosted zone $DNS_ROUTE53_ZONE_ID is private: set velero-dr:dns.route53.hostedZoneId to the public hosted zone of $DNS_ZONE" >&2
  exit 1
fi
name_servers="$(aws route53 get-hosted-zone --id "$DNS_ROUTE53_ZONE_ID" --query 'DelegationSet.NameServers' --output text)"
if [ -z "$name_servers" ]; then
  echo "velero-dr: Route 53 lists no name servers for hosted zone $DNS_ROUTE53_ZONE_ID" >&2
  exit 1
fi

# The A, AAAA and CNAME record sets at a name, through a JMESPath projection ($2), as the CLI prints them ($3).
r53_list() {
  aws route53 list-resource-record-sets --hosted-zone-id "$DNS_ROUTE53_ZONE_ID" --start-record-name "$1" \
    --max-items 100 --output "$3" \
    --query "ResourceRecordSets[?Name == '$1' && (Type == 'A' || Type == 'AAAA' || Type == 'CNAME')]$2"
}

# DELETE changes for those record sets, exactly as listed (Route 53 deletes a record set only when
# every value matches), without the brackets of their list; nothing when there are none.
r53_deletions() {
  local listed
  # In a command substitution bash clears -e: a failed listing must fail the caller's assignment.
  listed="$(r53_list "$1" ".{Action: 'DELETE', ResourceRecordSet: @}" json)" || return 1
  listed="${listed#"${listed%%[![:space:]]*}"}"
  listed="${listed%"${listed##*[![:space:]]}"}"
  listed="${listed#[}"
  listed="${listed%]}"
  if [[ "$listed" =~ [^[:space:]] ]]; then
    printf '%s' "$listed"
  fi
}

# Sends a change batch ($1: comment, $2: the changes, comma-separated) and waits until Route 53
# reports it INSYNC: every name server of the zone serves it.
r53_change() {
  local id status deadline
  id="$(aws route53 change-resource-record-sets --hosted-zone-id "$DNS_ROUTE53_ZONE_ID" \
    --change-batch "{\"Comment\": \"$1\", \"Changes\": [$2]}" --query 'ChangeInfo.Id' --output text)"
  id="${id##*/}"
  deadline=$(($(date +%s) + 240))
  while :; do
    status="$(aws route53 get-change --id "$id" --query 'ChangeInfo.Status' --output text)"
    if [ "$status" = "INSYNC" ]; then
      break
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "velero-dr: Route 53 change $id is still $status after 240s (aws route53 get-change --id $id)" >&2
      exit 1
    fi
    sleep "$poll"
  done
  echo "velero-dr: Route 53 change $id is INSYNC (every name server of $DNS_ZONE serves it)"
}

# What one of the zone's name servers answers for a name and type, without recursion.
r53_ask() {
  local answer
  if ! answer="$(dig +short +norecurse "@$1" "$2" "$3")"; then
    echo "velero-dr: could not ask name server $1 for $2 $3: ${answer}" >&2
    exit 1
  fi
  printf '%s' "$answer"
}
