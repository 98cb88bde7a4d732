import type { Tool } from "../model/tool";
import type { PreflightContext, PreflightFinding } from "../model/preflight";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { Step, StepEnv } from "../model/step";
import { DnsCommon } from "./dns-config";

/**
 * A DNS provider: how the application's names move to the destination cluster. Each provider is
 * one file of this folder and one line of the registry (providers.ts); nothing else branches on
 * the provider's name. The chain, the stack, the config schema and the runbook ask the provider.
 */

/** Step ids other code (stack, policies, bench) refers to: a provider's steps keep these ids. */
export const DNS_UNPUBLISH = "dns-unpublish";
export const DNS_PUBLISH = "dns-publish";
/** The step printing the new load balancer address (LB_ADDRESS); a publish step needs it. */
export const WAIT_LB = "wait-load-balancer";
/** What a publish step waits for when the provider creates the records as resources (Step.waitsFor). */
export const DNS_RECORDS = "dns-records";

/** `velero-dr:dns` as parsed: the common keys, and each provider's own keys (see `keys`). */
export interface RawDns {
  provider: string;
  baseDomain?: string;
  zone?: string;
  ttlSeconds: number;
  recordPrefixes?: string[];
  [key: string]: unknown;
}

/** A configuration problem: the key (path under `velero-dr:`) and what to set. */
export interface DnsIssue {
  path: (string | number)[];
  message: string;
}

/** What a provider's Pulumi resources get: the new address, and the step printing it. */
export interface DnsResourceArgs<C> {
  dns: C;
  /** The new load balancer address (the wait-load-balancer step's output). */
  address: pulumi.Output<string>;
  /** The wait-load-balancer step's Command: records must not exist before the unpublish ran. */
  after: pulumi.Resource;
}

export interface DnsResources {
  /** What the publish step must wait for. */
  publishAfter: pulumi.Resource[];
  /** Names of the records, for the stack output `dnsRecords`. */
  records: pulumi.Output<string>[];
}

export interface DnsProvider<C extends { provider: string }> {
  /** `dns.provider` value; equals the provider's key in the registry. */
  name: C["provider"];
  /** Keys the provider adds under `velero-dr:dns` (zod), e.g. its own map `dns.<name>`. */
  keys?: Record<string, z.ZodType>;
  /** Secret config keys (`velero-dr:<key>`) its steps read, by environment name. */
  secretEnv?: Record<string, string>;
  /** Programs its steps run on the machine that runs `pulumi up` (checked before anything is created). */
  tools?: Tool[];
  /**
   * Checks on the machine of `pulumi up` before anything is registered, beyond `tools` being on
   * PATH (azure: the Azure CLI is logged in and may use the zone's subscription).
   */
  preflight?(dns: C, ctx: PreflightContext): PreflightFinding[];
  /** `dns.baseDomain` and `dns.zone` are required (default true). */
  needsDomain?: boolean;
  /** Problems with the parsed config: a missing key of this provider, a missing secret. */
  check?(dns: RawDns, config: Record<string, unknown>): DnsIssue[];
  /**
   * What is wrong with the value of one of its secret config keys (`secretEnv`), or undefined. The
   * message must not contain the value.
   */
  checkSecret?(key: string, value: string, dns: RawDns): string | undefined;
  /** The validated settings the steps and resources use. */
  resolve(dns: RawDns, ctx: { recordPrefixes: string[]; azureSubscriptionId?: string }): C;
  /** Plain values its step scripts read (secrets come from `secretEnv`). */
  env(dns: C): StepEnv;
  /** Removes the old records before the restore (id DNS_UNPUBLISH), or no step. */
  unpublishStep(dns: C, needs: string[]): Step | undefined;
  /** Points the names at the new address (id DNS_PUBLISH, needs WAIT_LB), or no step. */
  publishStep(dns: C): Step | undefined;
  /** Pulumi resources of the provider (created after the wait-load-balancer step). */
  resources?(args: DnsResourceArgs<C>): DnsResources;
  /** A line for the runbook when the steps alone do not say what happens to DNS. */
  runbookNote?(dns: C, chain: { loadBalancer: boolean }): string;
}

/** The common keys, required by every provider that changes records. */
export function commonOf(dns: RawDns, recordPrefixes: string[]): DnsCommon {
  return {
    baseDomain: dns.baseDomain as string,
    zone: dns.zone as string,
    ttlSeconds: dns.ttlSeconds,
    recordPrefixes,
  };
}

export const COMMON_ENV = ["DNS_BASE_DOMAIN", "DNS_ZONE", "DNS_TTL_SECONDS"];
// Empty for an app without sub-domains (Code Dx, Nebari, EDA): read when set, never required.
export const OPTIONAL_ENV = ["DNS_RECORD_PREFIXES"];

export function commonEnv(dns: DnsCommon): StepEnv {
  return {
    DNS_BASE_DOMAIN: dns.baseDomain,
    DNS_ZONE: dns.zone,
    DNS_TTL_SECONDS: String(dns.ttlSeconds),
    DNS_RECORD_PREFIXES: dns.recordPrefixes.join(" "),
  };
}

export const UNPUBLISH_WHY =
  "Before restoring, remove the base domain so the restored system does not pull images from (or send users to) the old cluster.";

/** What every unpublish step shares: waits up to one TTL more than its own work. */
export function unpublishBase(dns: DnsCommon, needs: string[]) {
  const timeoutSeconds = dns.ttlSeconds + 300;
  return { id: DNS_UNPUBLISH, needs, timeoutSeconds, retry: { attempts: 1, delaySeconds: 0 } };
}

/** What every publish step shares. */
export function publishBase(dns: DnsCommon) {
  return {
    id: DNS_PUBLISH,
    kind: "dns-publish" as const,
    needs: [WAIT_LB],
    timeoutSeconds: 300,
    retry: { attempts: 3, delaySeconds: 15 },
    why: `Serve ${dns.baseDomain} from the restored instance: the base domain points at the new load balancer, its sub-domains are CNAMEs to it.`,
    expected: `${dns.baseDomain} resolves to the new load balancer address.`,
  };
}
