/** How the application's DNS names are cut over to the destination cluster. */
export interface DnsCommon {
  /** The application's base domain, e.g. dash.example.com. */
  baseDomain: string;
  /** The zone holding it, e.g. example.com. */
  zone: string;
  ttlSeconds: number;
  /** Sub-domains published as `<prefix>-<baseDomain>` CNAMEs (the profile's list by default). */
  recordPrefixes: string[];
}

/** A destination's validated DNS settings (each provider's own type; see providers.ts). */
export type { DnsConfig } from "./providers";

/** Record name relative to the zone (`@` for the apex). */
export function relativeName(fqdn: string, zone: string): string {
  if (fqdn === zone) return "@";
  if (!fqdn.endsWith(`.${zone}`)) throw new Error(`${fqdn} is not inside zone ${zone}`);
  return fqdn.slice(0, -(zone.length + 1));
}

/**
 * The records of Plotly's Dash Enterprise AKS installation guide: the base domain to the load balancer,
 * each prefix as a CNAME to it.
 */
export function plannedRecords(
  dns: DnsCommon,
  address: string,
): { name: string; type: "A" | "CNAME"; value: string }[] {
  const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(address);
  return [
    { name: dns.baseDomain, type: isIp ? "A" : "CNAME", value: address },
    ...dns.recordPrefixes.map((p) => ({
      name: `${p}-${dns.baseDomain}`,
      type: "CNAME" as const,
      value: dns.baseDomain,
    })),
  ];
}
