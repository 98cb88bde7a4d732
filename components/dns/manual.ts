import { z } from "zod";
import { scriptBody } from "../shell/body";
import { DnsCommon } from "./dns-config";
import {
  COMMON_ENV,
  commonEnv,
  commonOf,
  DnsProvider,
  OPTIONAL_ENV,
  publishBase,
  UNPUBLISH_WHY,
  unpublishBase,
} from "./provider";

export interface ManualDns extends DnsCommon {
  provider: "manual";
  /** A person removed the old records (the unpublish gate's continue flag). */
  unpublishConfirmed: boolean;
}

/** A person changes the records: the chain stops at a gate to remove them, then prints the new ones. */
export const manual: DnsProvider<ManualDns> = {
  name: "manual",
  keys: {
    /** Manual DNS: continue past the unpublish gate. */
    unpublishConfirmed: z.boolean().default(false),
  },
  resolve: (dns, ctx) => ({
    provider: "manual",
    ...commonOf(dns, ctx.recordPrefixes),
    unpublishConfirmed: dns.unpublishConfirmed as boolean,
  }),
  env: (dns) => ({ ...commonEnv(dns), DNS_UNPUBLISH_CONFIRMED: String(dns.unpublishConfirmed) }),
  unpublishStep: (dns, needs) => ({
    ...unpublishBase(dns, needs),
    title: `Remove ${dns.baseDomain} from DNS (manual)`,
    why: UNPUBLISH_WHY,
    kind: "gate",
    script: {
      kubeconfig: false,
      env: [...COMMON_ENV, "DNS_UNPUBLISH_CONFIRMED"],
      optionalEnv: OPTIONAL_ENV,
      body: [
        'if [ "$DNS_UNPUBLISH_CONFIRMED" = "true" ]; then',
        '  echo "velero-dr: DNS removal confirmed by configuration (velero-dr:dns.unpublishConfirmed)"',
        "  exit 0",
        "fi",
        'echo "velero-dr: GATE - delete the DNS records of $DNS_BASE_DOMAIN and its sub-domains (${DNS_RECORD_PREFIXES:-none}), wait ${DNS_TTL_SECONDS}s, then: pulumi config set --path velero-dr:dns.unpublishConfirmed true && pulumi up" >&2',
        "exit 1",
      ].join("\n"),
    },
    gate: {
      instructions: [
        `Delete the DNS record of ${dns.baseDomain} and the CNAMEs ${dns.recordPrefixes.map((p) => `${p}-${dns.baseDomain}`).join(", ")}.`,
        `Wait ${dns.ttlSeconds} seconds (one TTL).`,
      ],
      continueKey: "velero-dr:dns.unpublishConfirmed",
    },
    expected: `${dns.baseDomain} no longer resolves.`,
  }),
  publishStep: (dns) => ({
    ...publishBase(dns),
    title: `Publish ${dns.baseDomain} with the new address (manual)`,
    retry: { attempts: 1, delaySeconds: 0 },
    script: {
      kubeconfig: false,
      env: [...COMMON_ENV, "LB_ADDRESS"],
      optionalEnv: OPTIONAL_ENV,
      body: scriptBody("dns-manual-publish"),
    },
    expected: "Prints the records to create; create them in your DNS.",
  }),
};
