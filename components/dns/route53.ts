import { z } from "zod";
import type { PreflightContext, PreflightFinding } from "../model/preflight";
import { show } from "../model/values";
import { scriptBodies } from "../shell/body";
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

export interface Route53Dns extends DnsCommon {
  provider: "route53";
  /** The public hosted zone of `zone` (Z...). */
  hostedZoneId: string;
  /**
   * The canonical hosted zone id of the load balancer (ELB's, per region and kind): with it a
   * host name is published as an alias A record; without it as a CNAME (never at the apex).
   */
  aliasHostedZoneId?: string;
  /** With an alias: an AAAA alias too (a dual-stack load balancer). */
  ipv6: boolean;
}

/**
 * A Route 53 hosted zone id as the API and console print it, without the `/hostedzone/` prefix
 * (the API allows 32 characters).
 */
export const ROUTE53_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

const zoneId = (what: string) =>
  z.string().refine((v) => ROUTE53_ZONE_ID.test(v), {
    error: (iss) =>
      `got ${show(iss.input)}; expected ${what}, such as Z0123456789ABCDEFGHIJ (upper-case letters and digits, without /hostedzone/)`,
  });

const ENV = ["DNS_ROUTE53_ZONE_ID", "DNS_ROUTE53_IPV6"];
const ALIAS_ENV = ["DNS_ROUTE53_ALIAS_ZONE_ID"];

const LOGIN_HOW =
  "`aws configure` / `aws sso login` (and AWS_PROFILE), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment of `pulumi up`";

/** What `aws sts get-caller-identity` says about the AWS CLI's credentials; nothing when aws is missing. */
function awsLoginFindings(dns: Route53Dns, ctx: PreflightContext): PreflightFinding[] {
  if (!ctx.has("aws")) return [];
  const what = `the DNS steps change ${dns.baseDomain}'s records in Route 53 hosted zone ${dns.hostedZoneId} (${dns.zone}) with it`;
  const r = ctx.run("aws", ["sts", "get-caller-identity", "--output", "json"]);
  const detail =
    r.stderr
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ??
    r.error ??
    `exit status ${String(r.status)}`;
  if (r.status !== 0) {
    // The CLI's words: "Unable to locate credentials. ..." (exit 253: no credentials at all), or a
    // service error (254) such as ExpiredToken, InvalidClientTokenId or an expired SSO session.
    const loggedOut =
      /Unable to locate credentials|ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|Token has expired|aws sso login/.test(
        r.stderr,
      );
    return [
      {
        level: "error",
        message: loggedOut
          ? `the AWS CLI has no valid credentials (aws sts get-caller-identity: ${detail}), and ${what}: log in with ${LOGIN_HOW} as an identity allowed route53:ChangeResourceRecordSets, ListResourceRecordSets, GetChange and GetHostedZone on that zone`
          : `the AWS CLI's credentials could not be checked (aws sts get-caller-identity: ${detail}), and ${what}: run that command here and fix what it says`,
      },
    ];
  }
  return [];
}

/**
 * The hosted zone, where a call to Route 53 is allowed (not in a preview): it exists, it is the
 * zone of `dns.zone`, it is public (its name servers answer the checks).
 */
function zoneFindings(dns: Route53Dns, ctx: PreflightContext): PreflightFinding[] {
  if (ctx.preview || !ctx.has("aws")) return [];
  const r = ctx.run("aws", [
    "route53",
    "get-hosted-zone",
    "--id",
    dns.hostedZoneId,
    "--query",
    "[HostedZone.Name, HostedZone.Config.PrivateZone]",
    "--output",
    "text",
  ]);
  if (r.status !== 0) {
    const detail = r.stderr.trim().split("\n").pop() || r.error || `exit status ${String(r.status)}`;
    const fix = /NoSuchHostedZone/.test(r.stderr)
      ? `set velero-dr:dns.route53.hostedZoneId to ${dns.zone}'s hosted zone (aws route53 list-hosted-zones-by-name --dns-name ${dns.zone})`
      : /AccessDenied/.test(r.stderr)
        ? "allow the CLI's identity route53:GetHostedZone (and ChangeResourceRecordSets, ListResourceRecordSets, GetChange) on that zone"
        : "run that command here and fix what it says";
    return [
      {
        level: "error",
        message: `Route 53 hosted zone ${dns.hostedZoneId} could not be read (aws route53 get-hosted-zone: ${detail}): ${fix}`,
      },
    ];
  }
  const [name, isPrivate] = r.stdout.trim().split(/\s+/);
  const findings: PreflightFinding[] = [];
  if ((name ?? "").toLowerCase().replace(/\.$/, "") !== dns.zone) {
    findings.push({
      level: "error",
      message: `Route 53 hosted zone ${dns.hostedZoneId} is ${show(name)}, not dns.zone ${dns.zone}: set velero-dr:dns.route53.hostedZoneId to ${dns.zone}'s hosted zone (aws route53 list-hosted-zones-by-name --dns-name ${dns.zone})`,
    });
  }
  if (isPrivate !== "False") {
    findings.push({
      level: "error",
      message: `Route 53 hosted zone ${dns.hostedZoneId} is a private zone: the application's names are published in the public hosted zone of ${dns.zone}, whose name servers the steps query; set velero-dr:dns.route53.hostedZoneId to it`,
    });
  }
  return findings;
}

/**
 * Amazon Route 53: the records are changed with the AWS CLI (the credentials of whoever runs
 * `pulumi up`), each change waited for until Route 53 reports it INSYNC, and checked at the
 * zone's own name servers with dig.
 */
export const route53: DnsProvider<Route53Dns> = {
  name: "route53",
  tools: [
    {
      name: "aws",
      why: "the DNS steps change the records with the AWS CLI, with credentials allowed route53:ChangeResourceRecordSets, ListResourceRecordSets, GetChange and GetHostedZone on the hosted zone",
      install: "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
    },
    {
      name: "dig",
      why: "the DNS steps check the records at the hosted zone's own name servers",
      install: "Debian/Ubuntu: apt-get install bind9-dnsutils",
    },
  ],
  preflight: (dns, ctx) => {
    const login = awsLoginFindings(dns, ctx);
    return login.length > 0 ? login : zoneFindings(dns, ctx);
  },
  keys: {
    route53: z
      .strictObject({
        hostedZoneId: zoneId("the public hosted zone's id (aws route53 list-hosted-zones-by-name)"),
        aliasHostedZoneId: zoneId(
          "the load balancer's canonical hosted zone id (aws elbv2 describe-load-balancers --query 'LoadBalancers[].CanonicalHostedZoneId', or the Elastic Load Balancing endpoints table for the region)",
        ).optional(),
        ipv6: z.boolean().default(false),
      })
      .optional(),
  },
  check: (dns) => {
    const r = dns.route53 as { aliasHostedZoneId?: string; ipv6?: boolean } | undefined;
    if (r === undefined) {
      return [
        {
          path: ["dns", "route53"],
          message:
            "required with dns.provider route53: { hostedZoneId } of dns.zone's public hosted zone (aws route53 list-hosted-zones-by-name --dns-name <zone>)",
        },
      ];
    }
    const issues: DnsIssue[] = [];
    // A CNAME cannot be at a zone's apex (RFC 1034 section 3.6.2; Route 53 refuses it): a host name
    // there needs an alias, hence the load balancer's hosted zone.
    if (r.aliasHostedZoneId === undefined && dns.baseDomain !== undefined && dns.baseDomain === dns.zone) {
      issues.push({
        path: ["dns", "route53", "aliasHostedZoneId"],
        message: `is required when dns.baseDomain is the zone apex (${dns.zone}): a load balancer's host name cannot be a CNAME there; set the load balancer's canonical hosted zone id (aws elbv2 describe-load-balancers --query 'LoadBalancers[].CanonicalHostedZoneId') so the apex is an alias record`,
      });
    }
    if (r.ipv6 === true && r.aliasHostedZoneId === undefined) {
      issues.push({
        path: ["dns", "route53", "ipv6"],
        message:
          "got true without dns.route53.aliasHostedZoneId: an AAAA record is published only as an alias to a dual-stack load balancer; set aliasHostedZoneId, or ipv6: false",
      });
    }
    return issues;
  },
  resolve: (dns, ctx) => {
    const r = dns.route53 as { hostedZoneId: string; aliasHostedZoneId?: string; ipv6: boolean };
    return {
      provider: "route53",
      ...commonOf(dns, ctx.recordPrefixes),
      hostedZoneId: r.hostedZoneId,
      ...(r.aliasHostedZoneId === undefined ? {} : { aliasHostedZoneId: r.aliasHostedZoneId }),
      ipv6: r.ipv6,
    };
  },
  env: (dns) => ({
    ...commonEnv(dns),
    DNS_ROUTE53_ZONE_ID: dns.hostedZoneId,
    DNS_ROUTE53_ALIAS_ZONE_ID: dns.aliasHostedZoneId ?? "",
    DNS_ROUTE53_IPV6: String(dns.ipv6),
  }),
  unpublishStep: (dns, needs) => ({
    ...unpublishBase(dns, needs),
    title: `Remove ${dns.baseDomain} from Route 53 and wait out its TTL`,
    why: `${UNPUBLISH_WHY} Runs the AWS CLI with the credentials of whoever runs the step; waits until Route 53 reports the change INSYNC, checks the zone's name servers, then waits the removed records' TTL.`,
    kind: "dns-unpublish",
    script: {
      kubeconfig: false,
      env: [...COMMON_ENV, ...ENV],
      optionalEnv: [...OPTIONAL_ENV, ...ALIAS_ENV],
      formats: { DNS_TTL_SECONDS: "count" },
      body: scriptBodies("dns-route53-zone", "dns-route53-unpublish"),
    },
    expected: `No A, AAAA or CNAME record for ${dns.baseDomain} or its sub-domains in hosted zone ${dns.hostedZoneId}; its name servers answer none.`,
  }),
  publishStep: (dns) => ({
    ...publishBase(dns),
    title: `Publish ${dns.baseDomain} in Route 53 with the new address`,
    why: `${publishBase(dns).why} A load balancer's host name is ${dns.aliasHostedZoneId ? `an alias A${dns.ipv6 ? "/AAAA" : ""} record (hosted zone ${dns.aliasHostedZoneId})` : "a CNAME"}, an IP address an A record; checked at the zone's name servers.`,
    script: {
      kubeconfig: false,
      env: [...COMMON_ENV, ...ENV, "LB_ADDRESS"],
      optionalEnv: [...OPTIONAL_ENV, ...ALIAS_ENV],
      formats: { DNS_TTL_SECONDS: "count" },
      body: scriptBodies("dns-route53-zone", "dns-route53-publish"),
    },
  }),
};
