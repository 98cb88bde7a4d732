import { azure } from "./azure";
import { manual } from "./manual";
import { none } from "./none";
import { DnsProvider } from "./provider";
import { rfc2136 } from "./rfc2136";
import { route53 } from "./route53";

/**
 * The DNS providers, by `velero-dr:dns.provider` value. Adding one is a file of this folder
 * (a `DnsProvider`) and a line here; the config schema, chain, stack and runbook read it from here.
 */
export const dnsProviders = { azure, rfc2136, route53, manual, none };

export type DnsProviderName = keyof typeof dnsProviders;

type ConfigOf<P> = P extends DnsProvider<infer C> ? C : never;

/** A destination's validated DNS settings, one of the providers' own. */
export type DnsConfig = ConfigOf<(typeof dnsProviders)[DnsProviderName]>;

export const DNS_PROVIDER_NAMES = Object.keys(dnsProviders) as [DnsProviderName, ...DnsProviderName[]];

/** The provider of a validated DNS config. */
export function dnsProviderOf<C extends DnsConfig>(dns: C): DnsProvider<C> {
  return dnsProviders[dns.provider] as unknown as DnsProvider<C>;
}

/** The secret config key a step's secret environment variable comes from. */
export function secretConfigKeyOf(env: string): string | undefined {
  for (const p of Object.values(dnsProviders) as DnsProvider<DnsConfig>[]) {
    if (p.secretEnv?.[env] !== undefined) return p.secretEnv[env];
  }
  return undefined;
}
