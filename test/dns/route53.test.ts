import { strict as assert } from "assert";
import { DNS_PUBLISH, DNS_UNPUBLISH } from "../../components/dns/dns-steps";
import { RawDns } from "../../components/dns/provider";
import { dnsProviders } from "../../components/dns/providers";
import { route53, Route53Dns } from "../../components/dns/route53";
import type { CommandResult, PreflightContext } from "../../components/model/preflight";
import { envForStep } from "../../components/restore/chain";
import { stepScript } from "../../components/restore/step";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { buildRestoreChain } from "../../components/restore/chain";
import { destinationChainInput } from "../../components/restore/destination-chain";
import { renderRunbook } from "../../components/restore/runbook";
import { allPolicies } from "../../policies/rules/all";
import { exampleConfigValues, runDestination } from "../support/examples";
import { RunResult } from "../support/harness";
import { fromRecording, runAll } from "../policies/support";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { FAKE_BIN, runScript, ScriptRun, shellcheck } from "../support/bash";

/**
 * The Route 53 DNS provider: its steps run by bash against the fake `aws` (test/fakes/fake-cli.js,
 * the AWS CLI's documented output and errors) and the fake `dig` answering as the hosted zone's
 * name servers; its configuration refusals; its pre-flight.
 */

const ZONE_ID = "Z0123456789ABCDEFGHIJ";
const ELB_ZONE = "Z35SXDOTRQ7X7K"; // the Classic/Application Load Balancer zone of us-east-1
const NS = ["ns-1536.awsdns-00.co.uk", "ns-0.awsdns-00.com", "ns-1024.awsdns-00.org", "ns-512.awsdns-00.net"];
const LB = "a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com";
const IDENTITY = {
  UserId: "AIDAEXAMPLEUSERID1234",
  Account: "123456789012",
  Arn: "arn:aws:iam::123456789012:user/dr-operator",
};

const dnsOf = (over: Partial<Route53Dns> = {}): Route53Dns => ({
  provider: "route53",
  baseDomain: "dash.example.com",
  zone: "example.com",
  ttlSeconds: 300,
  recordPrefixes: ["api", "ws"],
  hostedZoneId: ZONE_ID,
  ipv6: false,
  ...over,
});

type RecordSet = Record<string, unknown>;
const a = (name: string, value: string, ttl = 300): RecordSet => ({
  Name: name,
  Type: "A",
  TTL: ttl,
  ResourceRecords: [{ Value: value }],
});
const cname = (name: string, value: string, ttl = 300): RecordSet => ({
  Name: name,
  Type: "CNAME",
  TTL: ttl,
  ResourceRecords: [{ Value: value }],
});

/** The old cluster's records, as Plotly's guide has them: the base domain and its sub-domains' CNAMEs. */
const OLD_RECORDS = (): RecordSet[] => [
  { Name: "example.com.", Type: "NS", TTL: 172800, ResourceRecords: NS.map((n) => ({ Value: `${n}.` })) },
  { Name: "example.com.", Type: "MX", TTL: 300, ResourceRecords: [{ Value: "10 mail.example.com." }] },
  a("dash.example.com.", "203.0.113.7"),
  { Name: "dash.example.com.", Type: "TXT", TTL: 300, ResourceRecords: [{ Value: '"owner=team-dash"' }] },
  cname("api-dash.example.com.", "dash.example.com.", 120),
  cname("ws-dash.example.com.", "dash.example.com."),
  a("other.example.com.", "198.51.100.1"),
];

const world = (recordSets: RecordSet[] = OLD_RECORDS(), over: Record<string, unknown> = {}) => ({
  awsIdentity: IDENTITY,
  route53: {
    zones: { [ZONE_ID]: { name: "example.com.", private: false, nameServers: NS, recordSets } },
    loadBalancers: {
      [LB]: { hostedZoneId: ELB_ZONE, addresses: ["192.0.2.10", "192.0.2.11", "2001:db8::10"] },
    },
    pendingPolls: 2,
    ...over,
  },
});

const env = (dns: Route53Dns, extra: Record<string, string> = {}) => ({
  ...route53.env(dns),
  VELERO_DR_RETRY_DELAY_SECONDS: "0",
  ...extra,
});

/**
 * The sleeps of a run: a `sleep` first on PATH writes its argument to a file, then hands over to
 * the fake one (test/fakes/bin/sleep: the world's clock moves on, nothing waits).
 */
const SLEEPS = mkdtempSync(path.join(tmpdir(), "vdr-r53-sleep-"));
writeFileSync(
  path.join(SLEEPS, "sleep"),
  `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"$VDR_TEST_SLEEP_LOG"\nexec ${JSON.stringify(path.join(FAKE_BIN, "sleep"))} "$@"\n`,
  { mode: 0o755 },
);
process.on("exit", () => rmSync(SLEEPS, { recursive: true, force: true }));

type Run = ScriptRun & { sleeps: number[] };

function unpublish(dns: Route53Dns, state: object, script?: (s: string) => string): Run {
  const step = route53.unpublishStep(dns, ["guard-different-cluster"]);
  assert.ok(step);
  const log = path.join(SLEEPS, `log-${process.hrtime.bigint()}`);
  writeFileSync(log, "");
  const text = stepScript(step);
  const r = runScript(
    script ? script(text) : text,
    {
      ...envForStep(step, env(dns)),
      PATH: `${SLEEPS}:${FAKE_BIN}:/usr/local/bin:/usr/bin:/bin`,
      VDR_TEST_SLEEP_LOG: log,
    },
    state,
  );
  const sleeps = readFileSync(log, "utf8").split("\n").filter(Boolean).map(Number);
  rmSync(log);
  return { ...r, sleeps };
}

function publish(dns: Route53Dns, address: string, state: object): ScriptRun {
  const step = route53.publishStep(dns);
  assert.ok(step);
  return runScript(stepScript(step), envForStep(step, env(dns), { LB_ADDRESS: address }), state);
}

interface R53State {
  zones: Record<string, { recordSets: RecordSet[]; served?: RecordSet[] }>;
  batches?: { Comment: string; Changes: { Action: string; ResourceRecordSet: RecordSet }[] }[];
  changes?: Record<string, { polls: number }>;
}
const r53 = (r: ScriptRun) => (r.state as unknown as { route53: R53State }).route53;
const setsOf = (r: ScriptRun) => r53(r).zones[ZONE_ID].recordSets;
const at = (r: ScriptRun, name: string) =>
  setsOf(r)
    .filter((s) => s.Name === name)
    .map((s) => s.Type)
    .sort();
const awsCalls = (r: ScriptRun) =>
  r.calls.filter((c) => c.tool === "aws").map((c) => c.argv.slice(0, 2).join(" "));
/** Seconds the step slept on the fake clock, each sleep. */
const sleeps = (r: Run) => r.sleeps;

describe("Route 53 DNS provider: the unpublish step (fake aws and dig)", function () {
  this.timeout(120000);

  it("deletes the base domain's A and the sub-domains' CNAMEs exactly as listed, waits INSYNC, checks every name server, waits the records' TTL", () => {
    const r = unpublish(dnsOf(), world());
    assert.equal(r.code, 0, r.stderr);
    const batches = r53(r).batches ?? [];
    assert.equal(batches.length, 1, "one change batch: all or nothing");
    assert.deepEqual(
      batches[0].Changes.map(
        (c) => `${c.Action} ${String(c.ResourceRecordSet.Type)} ${String(c.ResourceRecordSet.Name)}`,
      ),
      [
        "DELETE A dash.example.com.",
        "DELETE CNAME api-dash.example.com.",
        "DELETE CNAME ws-dash.example.com.",
      ],
    );
    // What is not the application's stays: the TXT at its name, the zone's own, the other names.
    assert.deepEqual(at(r, "dash.example.com."), ["TXT"]);
    assert.deepEqual(at(r, "example.com."), ["MX", "NS"]);
    assert.deepEqual(at(r, "other.example.com."), ["A"]);
    assert.deepEqual(at(r, "api-dash.example.com."), []);
    // get-change polled until INSYNC (two PENDING answers), before any name server was asked.
    const calls = awsCalls(r);
    assert.equal(calls.filter((c) => c === "route53 get-change").length, 3);
    const firstDig = r.calls.findIndex((c) => c.tool === "dig");
    const lastGetChange = r.calls.map((c) => c.argv[1]).lastIndexOf("get-change");
    assert.ok(firstDig > lastGetChange, "the name servers are asked once the change is INSYNC");
    // Every name server asked, without recursion, for every name and type.
    const digs = r.calls.filter((c) => c.tool === "dig");
    assert.equal(digs.length, NS.length * 3 * 3);
    for (const ns of NS)
      assert.ok(
        digs.some((d) => d.argv.includes(`@${ns}`) && d.argv.includes("+norecurse")),
        ns,
      );
    // The TTL waited is the removed records' largest (300 s), after everything else.
    assert.deepEqual(
      sleeps(r),
      [1, 1, 300],
      "two polls of get-change (VELERO_DR_POLL_SECONDS), then the TTL",
    );
    assert.match(r.stdout, /waiting 300s \(the records' TTL\)/);
  });

  it("waits the records' own TTL (60 s for an alias: the load balancer's), not more", () => {
    const records = [
      {
        Name: "dash.example.com.",
        Type: "A",
        AliasTarget: { HostedZoneId: ELB_ZONE, DNSName: `dualstack.${LB}.`, EvaluateTargetHealth: false },
      },
      cname("api-dash.example.com.", "dash.example.com.", 30),
    ];
    const r = unpublish(dnsOf({ recordPrefixes: ["api"] }), world(records));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removing A dash\.example\.com\. \(TTL 60s\)/);
    assert.match(r.stdout, /removing CNAME api-dash\.example\.com\. \(TTL 30s\)/);
    assert.equal(sleeps(r).at(-1), 60);
    assert.deepEqual(at(r, "dash.example.com."), []);
  });

  it("refuses, removing nothing, a record whose TTL is longer than dns.ttlSeconds (the step's wait)", () => {
    const r = unpublish(dnsOf({ ttlSeconds: 60 }), world());
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /A dash\.example\.com\. has a TTL of 300s, longer than dns\.ttlSeconds \(60s\) .* set velero-dr:dns\.ttlSeconds to 300 .*nothing was removed/,
    );
    assert.equal(r53(r).batches, undefined);
    assert.deepEqual(at(r, "dash.example.com."), ["A", "TXT"]);
  });

  it("with nothing left to delete (an earlier run removed them), sends no change and still waits dns.ttlSeconds", () => {
    const r = unpublish(dnsOf({ ttlSeconds: 120 }), world([]));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!awsCalls(r).includes("route53 change-resource-record-sets"));
    assert.equal(sleeps(r).at(-1), 120);
  });

  it("refuses a hosted zone id of another zone, and a private zone, before changing anything", () => {
    const other = world();
    (other.route53.zones[ZONE_ID] as { name: string }).name = "example.org.";
    const r = unpublish(dnsOf(), other);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /hosted zone Z0123456789ABCDEFGHIJ is 'example\.org\.', not example\.com: set velero-dr:dns\.route53\.hostedZoneId/,
    );
    assert.equal(r53(r).batches, undefined);
    const priv = world();
    (priv.route53.zones[ZONE_ID] as { private: boolean }).private = true;
    const p = unpublish(dnsOf(), priv);
    assert.notEqual(p.code, 0);
    assert.match(
      p.stderr,
      /is private: set velero-dr:dns\.route53\.hostedZoneId to the public hosted zone of example\.com/,
    );
  });

  it("stops on the AWS CLI's errors as it prints them: no such zone, access denied, no credentials", () => {
    const missing = unpublish(dnsOf({ hostedZoneId: "Z999NOSUCHZONE" }), world());
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /An error occurred \(NoSuchHostedZone\) when calling the GetHostedZone operation: No hosted zone found with ID: Z999NOSUCHZONE/,
    );
    const denied = unpublish(dnsOf(), world(OLD_RECORDS(), { denied: ["ChangeResourceRecordSets"] }));
    assert.notEqual(denied.code, 0);
    assert.match(
      denied.stderr,
      /An error occurred \(AccessDenied\) when calling the ChangeResourceRecordSets operation: User: arn:aws:iam::123456789012:user\/dr-operator is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone\/Z0123456789ABCDEFGHIJ/,
    );
    assert.deepEqual(at(denied, "dash.example.com."), ["A", "TXT"]);
    assert.deepEqual(sleeps(denied), [], "no TTL waited when nothing was removed");
    const unlisted = unpublish(dnsOf(), world(OLD_RECORDS(), { denied: ["ListResourceRecordSets"] }));
    assert.notEqual(unlisted.code, 0);
    assert.match(unlisted.stderr, /\(AccessDenied\) when calling the ListResourceRecordSets operation/);
    assert.doesNotMatch(unlisted.stdout + unlisted.stderr, /no record of|waiting/);
    assert.deepEqual(sleeps(unlisted), []);
    assert.equal(r53(unlisted).batches, undefined);
    const noLogin = unpublish(dnsOf(), { route53: world().route53 });
    assert.notEqual(noLogin.code, 0);
    assert.match(noLogin.stderr, /Unable to locate credentials/);
  });

  it("fails when a name server still answers once the change is INSYNC", () => {
    const state = world();
    // A name server of the zone that did not get the change (what INSYNC promises never happens).
    (state.route53.zones[ZONE_ID] as { served?: RecordSet[] }).served = OLD_RECORDS();
    // get-change is not asked (INSYNC taken), so the fake's name servers keep serving the old zone.
    const r = unpublish(dnsOf(), state, (script) => {
      const stale = script.replace('status="$(aws route53 get-change', "status=INSYNC # ");
      assert.notEqual(stale, script);
      return stale;
    });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /name server ns-1536\.awsdns-00\.co\.uk still answers A dash\.example\.com\.: 203\.0\.113\.7/,
    );
  });
});

describe("Route 53 DNS provider: the publish step (fake aws and dig)", function () {
  this.timeout(120000);

  /** The zone after the unpublish: the application's names are gone. */
  const after = () =>
    OLD_RECORDS().filter((s) => !/dash\.example\.com\.$/.test(String(s.Name)) || s.Type === "TXT");

  it("a load balancer host name with aliasHostedZoneId: an alias A record to the ELB's hosted zone, sub-domains as CNAMEs; checked at every name server", () => {
    const dns = dnsOf({ aliasHostedZoneId: ELB_ZONE });
    const r = publish(dns, LB, world(after()));
    assert.equal(r.code, 0, r.stderr);
    const base = setsOf(r).find((s) => s.Name === "dash.example.com." && s.Type === "A");
    assert.deepEqual(base, {
      Name: "dash.example.com.",
      Type: "A",
      AliasTarget: { HostedZoneId: ELB_ZONE, DNSName: `${LB}.`, EvaluateTargetHealth: false },
    });
    assert.deepEqual(
      setsOf(r).find((s) => s.Name === "api-dash.example.com."),
      cname("api-dash.example.com.", "dash.example.com."),
    );
    assert.deepEqual(at(r, "dash.example.com."), ["A", "TXT"], "the TXT at the name stays");
    assert.equal(awsCalls(r).filter((c) => c === "route53 get-change").length, 3);
    const digs = r.calls.filter((c) => c.tool === "dig");
    for (const ns of NS)
      assert.ok(
        digs.some((d) => d.argv.includes(`@${ns}`)),
        ns,
      );
    assert.match(
      r.stdout,
      /dash\.example\.com now points at .* \(alias, with 2 CNAMEs\) at every name server/,
    );
  });

  it("ipv6: an AAAA alias too, to the load balancer's dualstack name", () => {
    const r = publish(dnsOf({ aliasHostedZoneId: ELB_ZONE, ipv6: true }), LB, world(after()));
    assert.equal(r.code, 0, r.stderr);
    const aaaa = setsOf(r).find((s) => s.Name === "dash.example.com." && s.Type === "AAAA");
    assert.deepEqual(aaaa?.AliasTarget, {
      HostedZoneId: ELB_ZONE,
      DNSName: `dualstack.${LB}.`,
      EvaluateTargetHealth: false,
    });
  });

  it("a host name without aliasHostedZoneId: a CNAME to it, where the name allows one", () => {
    const noTxt = after().filter((s) => s.Type !== "TXT");
    const r = publish(dnsOf(), LB, world(noTxt));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      setsOf(r).find((s) => s.Name === "dash.example.com."),
      cname("dash.example.com.", `${LB}.`),
    );
    assert.match(r.stdout, /\(CNAME, with 2 CNAMEs\)/);
  });

  it("a CNAME the hosted zone does not allow (another record at the name) fails with Route 53's words, changing nothing", () => {
    const r = publish(dnsOf(), LB, world(after()));
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /An error occurred \(InvalidChangeBatch\) when calling the ChangeResourceRecordSets operation: \[RRSet of type CNAME with DNS name dash\.example\.com\. is not permitted as it conflicts with other records with the same DNS name in zone example\.com\.\]/,
    );
    assert.deepEqual(at(r, "dash.example.com."), ["TXT"]);
    assert.deepEqual(at(r, "api-dash.example.com."), []);
  });

  it("an IP address: an A record with dns.ttlSeconds; an alias zone is not used for it", () => {
    const r = publish(
      dnsOf({ aliasHostedZoneId: ELB_ZONE, ttlSeconds: 60 }),
      "198.51.100.20",
      world(after()),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      setsOf(r).find((s) => s.Name === "dash.example.com." && s.Type === "A"),
      a("dash.example.com.", "198.51.100.20", 60),
    );
    assert.match(r.stdout, /\(A, with 2 CNAMEs\)/);
  });

  it("replaces whatever A, AAAA or CNAME the names still hold in the same change batch (a publish run again)", () => {
    const dns = dnsOf({ aliasHostedZoneId: ELB_ZONE });
    const first = publish(dns, LB, world(OLD_RECORDS()));
    assert.equal(first.code, 0, first.stderr);
    const batch = (r53(first).batches ?? [])[0];
    assert.deepEqual(
      batch.Changes.map(
        (c) => `${c.Action} ${String(c.ResourceRecordSet.Type)} ${String(c.ResourceRecordSet.Name)}`,
      ),
      [
        "DELETE A dash.example.com.",
        "DELETE CNAME api-dash.example.com.",
        "DELETE CNAME ws-dash.example.com.",
        "CREATE A dash.example.com.",
        "CREATE CNAME api-dash.example.com.",
        "CREATE CNAME ws-dash.example.com.",
      ],
    );
    // Run again on the zone it left: the same records, one more batch.
    const again = publish(dns, LB, { awsIdentity: IDENTITY, route53: r53(first) });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      setsOf(again).filter((s) => /dash\.example\.com\.$/.test(String(s.Name))),
      setsOf(first).filter((s) => /dash\.example\.com\.$/.test(String(s.Name))),
    );
  });

  it("an alias to a load balancer outside the configured hosted zone fails with Route 53's words", () => {
    const r = publish(dnsOf({ aliasHostedZoneId: "Z26RNL4JYFTOTI" }), LB, world(after()));
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /\(InvalidChangeBatch\) .*Tried to create an alias that targets a1b2c3d4e5f6-1234567890\.us-east-1\.elb\.amazonaws\.com\., type A in zone Z26RNL4JYFTOTI, but the alias target name does not lie within the target zone/,
    );
  });

  it("the apex without aliasHostedZoneId is refused before any change (config refuses it too)", () => {
    const r = publish(dnsOf({ baseDomain: "example.com", recordPrefixes: [] }), LB, world(after()));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /example\.com is the apex of example\.com and cannot be a CNAME/);
    assert.equal(r53(r).batches, undefined);
  });

  it("fails when a name server answers something else than the new address", () => {
    const state = world(after());
    // dig at the name servers answers from the zone as served; an alias whose load balancer has
    // no address is answered with nothing.
    (state.route53.loadBalancers as Record<string, { addresses: string[] }>)[LB].addresses = [];
    const r = publish(dnsOf({ aliasHostedZoneId: ELB_ZONE }), LB, state);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /name server ns-1536\.awsdns-00\.co\.uk answers '' for dash\.example\.com, expected the new load balancer/,
    );
  });
});

describe("Route 53 DNS provider: shellcheck, configuration, pre-flight", () => {
  it("its step scripts pass shellcheck (every combination of settings builds the same text)", () => {
    const dns = dnsOf({ aliasHostedZoneId: ELB_ZONE });
    for (const step of [route53.unpublishStep(dns, []), route53.publishStep(dns)]) {
      assert.ok(step);
      assert.equal(shellcheck(stepScript(step)), "", step.id);
    }
  });

  it("its steps keep the ids and read every setting from the environment only", () => {
    const dns = dnsOf({ aliasHostedZoneId: ELB_ZONE });
    const un = route53.unpublishStep(dns, []);
    const pub = route53.publishStep(dns);
    assert.equal(un?.id, DNS_UNPUBLISH);
    assert.equal(pub?.id, DNS_PUBLISH);
    for (const s of [un, pub]) {
      assert.ok(s);
      assert.ok(!s.script.body.includes(ZONE_ID) && !s.script.body.includes("dash.example.com"), s.id);
    }
    assert.deepEqual(route53.env(dns), {
      DNS_BASE_DOMAIN: "dash.example.com",
      DNS_ZONE: "example.com",
      DNS_TTL_SECONDS: "300",
      DNS_RECORD_PREFIXES: "api ws",
      DNS_ROUTE53_ZONE_ID: ZONE_ID,
      DNS_ROUTE53_ALIAS_ZONE_ID: ELB_ZONE,
      DNS_ROUTE53_IPV6: "false",
    });
  });

  /** The Azure example's config values with another `dns`. */
  function validate(dns: unknown) {
    const values = exampleConfigValues("example-destination-azure");
    return validateConfig({ values: { ...values, dns }, secretKeys: [], stack: "dr" });
  }
  const refused = (dns: unknown): string => {
    try {
      validate(dns);
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail("must be refused");
  };
  const COMMON = { provider: "route53", baseDomain: "dash.example.com", zone: "example.com" };

  it("a valid dns.route53 resolves to its settings", () => {
    const cfg = validate({
      ...COMMON,
      route53: { hostedZoneId: ZONE_ID, aliasHostedZoneId: ELB_ZONE, ipv6: true },
    });
    assert.ok(cfg.role === "destination" && cfg.dns.provider === "route53");
    if (cfg.role !== "destination" || cfg.dns.provider !== "route53") return;
    assert.equal(cfg.dns.hostedZoneId, ZONE_ID);
    assert.equal(cfg.dns.aliasHostedZoneId, ELB_ZONE);
    assert.equal(cfg.dns.ipv6, true);
  });

  const refusals: { what: string; dns: RawDns | Record<string, unknown>; expected: RegExp }[] = [
    {
      what: "no dns.route53",
      dns: COMMON,
      expected: /velero-dr:dns\.route53: required with dns\.provider route53: \{ hostedZoneId \}/,
    },
    {
      what: "a hosted zone id with its /hostedzone/ prefix",
      dns: { ...COMMON, route53: { hostedZoneId: `/hostedzone/${ZONE_ID}` } },
      expected:
        /velero-dr:dns\.route53\.hostedZoneId: got "\/hostedzone\/Z0123456789ABCDEFGHIJ"; expected the public hosted zone's id .*without \/hostedzone\//,
    },
    {
      what: "a lower-case alias zone id",
      dns: { ...COMMON, route53: { hostedZoneId: ZONE_ID, aliasHostedZoneId: "z35sxdotrq7x7k" } },
      expected:
        /velero-dr:dns\.route53\.aliasHostedZoneId: got "z35sxdotrq7x7k"; expected the load balancer's canonical hosted zone id/,
    },
    {
      what: "the apex without an alias zone (a CNAME cannot be there)",
      dns: { ...COMMON, baseDomain: "example.com", route53: { hostedZoneId: ZONE_ID } },
      expected:
        /velero-dr:dns\.route53\.aliasHostedZoneId: is required when dns\.baseDomain is the zone apex \(example\.com\)/,
    },
    {
      what: "ipv6 without an alias zone",
      dns: { ...COMMON, route53: { hostedZoneId: ZONE_ID, ipv6: true } },
      expected: /velero-dr:dns\.route53\.ipv6: got true without dns\.route53\.aliasHostedZoneId/,
    },
    {
      what: "an unknown key",
      dns: { ...COMMON, route53: { hostedZoneId: ZONE_ID, region: "us-east-1" } },
      expected:
        /velero-dr:dns\.route53\.region: unknown key; known keys here: aliasHostedZoneId, hostedZoneId, ipv6/,
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.what}, naming the key`, () => {
      assert.match(refused(r.dns), r.expected);
    });
  }

  /** A pre-flight context whose `aws` answers from a table. */
  function ctxWith(answers: Record<string, CommandResult>, preview = false): PreflightContext {
    return {
      has: (p) => p === "aws" || p === "dig",
      run: (p, args) =>
        answers[`${p} ${args.slice(0, 2).join(" ")}`] ?? { status: 0, stdout: "", stderr: "" },
      env: {},
      config: () => undefined,
      preview,
    };
  }
  const ok = (stdout: string): CommandResult => ({ status: 0, stdout, stderr: "" });
  const identity = ok(JSON.stringify(IDENTITY));

  it("pre-flight: aws and dig on PATH; the CLI's credentials; the hosted zone is dns.zone's and public", () => {
    assert.deepEqual(
      (route53.tools ?? []).map((t) => t.name),
      ["aws", "dig"],
    );
    const dns = dnsOf();
    const preflight = route53.preflight;
    assert.ok(preflight);
    assert.deepEqual(
      preflight(
        dns,
        ctxWith({
          "aws sts get-caller-identity": identity,
          "aws route53 get-hosted-zone": ok("example.com.\tFalse\n"),
        }),
      ),
      [],
    );
    const noCreds = preflight(
      dns,
      ctxWith({
        "aws sts get-caller-identity": {
          status: 253,
          stdout: "",
          stderr:
            '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
        },
      }),
    );
    assert.equal(noCreds.length, 1);
    assert.match(
      noCreds[0].message,
      /the AWS CLI has no valid credentials \(aws sts get-caller-identity: Unable to locate credentials/,
    );
    assert.match(
      noCreds[0].message,
      /route53:ChangeResourceRecordSets, ListResourceRecordSets, GetChange and GetHostedZone/,
    );
    const wrongZone = preflight(
      dns,
      ctxWith({
        "aws sts get-caller-identity": identity,
        "aws route53 get-hosted-zone": ok("example.org.\tTrue\n"),
      }),
    );
    assert.deepEqual(
      wrongZone.map((f) => f.level),
      ["error", "error"],
    );
    assert.match(wrongZone[0].message, /is "example\.org\.", not dns\.zone example\.com/);
    assert.match(wrongZone[1].message, /is a private zone/);
    const missing = preflight(
      dns,
      ctxWith({
        "aws sts get-caller-identity": identity,
        "aws route53 get-hosted-zone": {
          status: 254,
          stdout: "",
          stderr:
            "\nAn error occurred (NoSuchHostedZone) when calling the GetHostedZone operation: No hosted zone found with ID: Z0123456789ABCDEFGHIJ\n",
        },
      }),
    );
    assert.match(
      missing[0].message,
      /could not be read .*NoSuchHostedZone.*: set velero-dr:dns\.route53\.hostedZoneId/,
    );
    // A preview reads no zone (a call beyond the login).
    assert.deepEqual(
      preflight(
        dns,
        ctxWith(
          {
            "aws sts get-caller-identity": identity,
            "aws route53 get-hosted-zone": ok("example.org.\tTrue\n"),
          },
          true,
        ),
      ),
      [],
    );
  });

  it("is in the registry under its name", () => {
    assert.equal(dnsProviders.route53, route53);
  });
});

describe("Route 53 DNS provider: runbook and the destination stack under mocks", function () {
  this.timeout(180000);

  const DNS = {
    provider: "route53",
    baseDomain: "dash.example.com",
    zone: "example.com",
    ttlSeconds: 300,
    route53: { hostedZoneId: ZONE_ID, aliasHostedZoneId: ELB_ZONE },
  };

  /** An `aws` for the PATH of a program under mocks (bash builtins only): what pre-flight asks. */
  const fakeAwsTool = (loggedIn: boolean) =>
    [
      "#!/bin/bash",
      'case "$1 $2" in',
      loggedIn
        ? `  "sts get-caller-identity") printf '%s\\n' '${JSON.stringify(IDENTITY)}' ;;`
        : `  "sts get-caller-identity") printf '\\nUnable to locate credentials. You can configure credentials by running "aws configure".\\n' >&2; exit 253 ;;`,
      `  "route53 get-hosted-zone") printf 'example.com.\\tFalse\\n' ;;`,
      '  *) echo "fake aws: $*" >&2; exit 255 ;;',
      "esac",
      "",
    ].join("\n");

  it("the runbook shows both steps with the AWS CLI calls, unpublish before the restore, publish after the load balancer", () => {
    const values = exampleConfigValues("example-destination-azure");
    const cfg = validateConfig({ values: { ...values, dns: DNS }, secretKeys: [], stack: "dr" });
    assert.ok(cfg.role === "destination");
    if (cfg.role !== "destination") return;
    const chain = buildRestoreChain(destinationChainInput(cfg));
    const ids = chain.steps.map((x) => x.id);
    assert.ok(ids.indexOf(DNS_UNPUBLISH) < ids.indexOf("restore"));
    assert.ok(ids.indexOf("wait-load-balancer") < ids.indexOf(DNS_PUBLISH));
    const out = renderRunbook(chain, {
      stack: "dr",
      profile: cfg.profile.displayName,
      source: "x",
      backup: "y",
      runtime: {},
    });
    assert.match(out, /Remove dash\.example\.com from Route 53 and wait out its TTL/);
    assert.match(out, /Publish dash\.example\.com in Route 53 with the new address/);
    assert.match(out, /aws route53 change-resource-record-sets/);
    assert.match(out, /DNS_ROUTE53_ZONE_ID=Z0123456789ABCDEFGHIJ/);
    assert.match(out, /DNS_ROUTE53_ALIAS_ZONE_ID=Z35SXDOTRQ7X7K/);
  });

  describe("the Azure destination example with dns.provider route53", () => {
    let run: RunResult;
    before(async () => {
      run = await runDestination(
        "example-destination-azure",
        (c) => {
          c["velero-dr:dns"] = JSON.stringify(DNS);
        },
        [],
        { toolScripts: { aws: fakeAwsTool(true) } },
      );
      if (run.error) throw run.error;
    });

    it("registers the two Route 53 step Commands (values in their environment), no DNS resources", () => {
      const types = run.recorder.resources.map((r) => r.type);
      assert.ok(!types.some((t) => /:dns:|network:RecordSet/.test(t)), types.join(", "));
      const commands = run.recorder.byType("command:local:Command");
      const dnsSteps = commands.filter((c) =>
        ["dns-unpublish", "dns-publish"].includes(c.inputs.environment?.VELERO_DR_STEP_KIND),
      );
      assert.equal(dnsSteps.length, 2);
      for (const c of dnsSteps) {
        assert.equal(c.inputs.environment.DNS_ROUTE53_ZONE_ID, ZONE_ID, c.name);
        assert.match(String(c.inputs.environment.VELERO_DR_SCRIPT), /aws route53 get-hosted-zone/, c.name);
        assert.doesNotMatch(String(c.inputs.environment.VELERO_DR_SCRIPT), /Z0123456789ABCDEFGHIJ/, c.name);
      }
      assert.deepEqual(run.outputs?.dnsRecords, []);
    });

    it("passes every mandatory policy of the pack", async () => {
      const findings = await runAll(
        allPolicies,
        fromRecording(run.recorder.resources, "example-destination-azure"),
      );
      assert.deepEqual(
        findings.filter((f) => f.level === "mandatory"),
        [],
      );
    });
  });

  it("pre-flight refuses the stack, registering nothing, without aws and dig on PATH: both named", async () => {
    const run = await runDestination(
      "example-destination-azure",
      (c) => {
        c["velero-dr:dns"] = JSON.stringify(DNS);
      },
      [],
      { tools: ["bash", "kubectl", "az"] },
    );
    assert.ok(run.error, "must fail");
    assert.match(run.error.message, /needs aws, dig on PATH, which are missing/);
    assert.match(run.error.message, /aws: .*getting-started-install/);
    assert.equal(run.recorder.resources.length, 0);
  });

  it("pre-flight refuses the stack, registering nothing, when the AWS CLI has no credentials", async () => {
    const run = await runDestination(
      "example-destination-azure",
      (c) => {
        c["velero-dr:dns"] = JSON.stringify(DNS);
      },
      [],
      { toolScripts: { aws: fakeAwsTool(false) } },
    );
    assert.ok(run.error, "must fail");
    assert.match(
      run.error.message,
      /the AWS CLI has no valid credentials \(aws sts get-caller-identity: Unable to locate credentials/,
    );
    assert.equal(run.recorder.resources.length, 0);
  });
});
