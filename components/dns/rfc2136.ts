import { z } from "zod";
import { HOSTNAME, IPV4, tsigKeyName } from "../model/domain";
import { int, show } from "../model/values";
import { scriptBody } from "../shell/body";
import { DnsCommon } from "./dns-config";
import {
  COMMON_ENV,
  commonEnv,
  commonOf,
  DnsIssue,
  DnsProvider,
  OPTIONAL_ENV,
  publishBase,
  UNPUBLISH_WHY,
  unpublishBase,
} from "./provider";

export interface Rfc2136Dns extends DnsCommon {
  provider: "rfc2136";
  server: string;
  port: number;
  keyName: string;
  keyAlgorithm: string;
}

const ENV = ["DNS_SERVER", "DNS_PORT", "DNS_TSIG_KEY_NAME", "DNS_TSIG_ALGORITHM"];

/** On-premises DNS: dynamic updates (RFC 2136) signed with a TSIG key, with `nsupdate`. */
export const rfc2136: DnsProvider<Rfc2136Dns> = {
  name: "rfc2136",
  tools: [
    {
      name: "nsupdate",
      why: "the DNS steps remove and publish the records by TSIG-signed dynamic updates",
      install:
        "Debian/Ubuntu: apt-get install bind9-dnsutils (dig, from the same package, verifies the changes when present)",
    },
  ],
  keys: {
    rfc2136: z
      .strictObject({
        server: z.string().refine((v) => IPV4.test(v) || HOSTNAME.test(v), {
          error: (iss) =>
            `got ${show(iss.input)}; expected the primary name server's IPv4 address or host name`,
        }),
        port: int(1, 65535, "port").default(53),
        keyName: tsigKeyName,
        keyAlgorithm: z.enum(["hmac-sha256", "hmac-sha384", "hmac-sha512"]).default("hmac-sha256"),
      })
      .optional(),
  },
  // The TSIG secret (base64), a secret config key of its own.
  secretEnv: { DNS_TSIG_SECRET: "dnsTsigSecret" },
  // The `secret` of a TSIG key, as tsig-keygen prints it: base64 of at least the HMAC's output
  // length (RFC 8945). A pasted key file, or a password, fails here rather than at nsupdate.
  checkSecret: (key, value, dns) => {
    if (key !== "dnsTsigSecret") return undefined;
    const algorithm = (dns.rfc2136 as { keyAlgorithm?: string } | undefined)?.keyAlgorithm ?? "hmac-sha256";
    const bytes = { "hmac-sha256": 32, "hmac-sha384": 48, "hmac-sha512": 64 }[algorithm] ?? 32;
    const keygen = `tsig-keygen -a ${algorithm} <key name> prints a key whose secret "..." is that value`;
    const v = value.trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0) {
      return `is not base64 (the value is secret and not shown): set only the key's secret, not the key file; ${keygen}`;
    }
    const length = Buffer.from(v, "base64").length;
    if (length < bytes) {
      return `is ${length} bytes long, shorter than the ${bytes} bytes ${algorithm} needs (RFC 8945); ${keygen}`;
    }
    return undefined;
  },
  check: (dns, config) => {
    const issues: DnsIssue[] = [];
    if (dns.rfc2136 === undefined) {
      issues.push({
        path: ["dns", "rfc2136"],
        message: "required with dns.provider rfc2136: { server, keyName }",
      });
    }
    if (config.dnsTsigSecret === undefined) {
      issues.push({
        path: ["dnsTsigSecret"],
        message:
          "required with dns.provider rfc2136: `pulumi config set --secret velero-dr:dnsTsigSecret <base64 TSIG secret>`",
      });
    }
    return issues;
  },
  resolve: (dns, ctx) => {
    const r = dns.rfc2136 as Omit<Rfc2136Dns, keyof DnsCommon | "provider">;
    return {
      provider: "rfc2136",
      ...commonOf(dns, ctx.recordPrefixes),
      server: r.server,
      port: r.port,
      keyName: r.keyName,
      keyAlgorithm: r.keyAlgorithm,
    };
  },
  env: (dns) => ({
    ...commonEnv(dns),
    DNS_SERVER: dns.server,
    DNS_PORT: String(dns.port),
    DNS_TSIG_KEY_NAME: dns.keyName,
    DNS_TSIG_ALGORITHM: dns.keyAlgorithm,
  }),
  unpublishStep: (dns, needs) => ({
    ...unpublishBase(dns, needs),
    title: `Remove ${dns.baseDomain} from DNS (RFC 2136) and wait one TTL`,
    why: UNPUBLISH_WHY,
    kind: "dns-unpublish",
    script: {
      kubeconfig: false,
      env: [...COMMON_ENV, ...ENV],
      optionalEnv: OPTIONAL_ENV,
      secretEnv: ["DNS_TSIG_SECRET"],
      body: scriptBody("dns-rfc2136-unpublish"),
    },
    expected: `${dns.baseDomain} no longer resolves at ${dns.server}.`,
  }),
  publishStep: (dns) => ({
    ...publishBase(dns),
    title: `Publish ${dns.baseDomain} with the new address (RFC 2136)`,
    script: {
      kubeconfig: false,
      env: [...COMMON_ENV, ...ENV, "LB_ADDRESS"],
      optionalEnv: OPTIONAL_ENV,
      secretEnv: ["DNS_TSIG_SECRET"],
      body: scriptBody("dns-rfc2136-publish"),
    },
  }),
};
