import { strict as assert } from "assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { SECRET_KEYS } from "../../components/config/validate";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { DNS_PUBLISH, DNS_UNPUBLISH, WAIT_LB } from "../../components/dns/dns-steps";
import { DnsProvider, RawDns } from "../../components/dns/provider";
import { DnsConfig, dnsProviders } from "../../components/dns/providers";
import { buildRestoreChain, ChainInput, envForStep } from "../../components/restore/chain";
import { destinationChainInput } from "../../components/restore/destination-chain";
import { runChain } from "../../components/restore/runner";
import { renderRunbook } from "../../components/restore/runbook";
import { dependsOn, stepScript } from "../../components/restore/step";
import { allPolicies } from "../../policies/rules/all";
import { dashEnterprise } from "../../apps/dash-enterprise/profile";
import { configured } from "../support/apps";
import { FAKE_BIN, FakeCall, shellcheck } from "../support/bash";
import { runDestination } from "../support/examples";
import { RunResult, stackFileConfig } from "../support/harness";
import { fromRecording, runAll } from "../policies/support";
import {
  dashWorld,
  DEST_SERVER,
  kubeconfigFor,
  SOURCE_SERVER,
} from "../../apps/dash-enterprise/test/dash-world";

/**
 * The DNS providers as plug-ins (components/dns/providers.ts): every provider through the one
 * interface, and the `none` provider end to end (config, chain, runbook, stack, policy pack).
 */

const COMMON = { baseDomain: "dash.example.com", zone: "example.com", ttlSeconds: 300 };

/** A valid `velero-dr:dns` for each provider, and the other config keys it needs. */
const SAMPLES: Record<string, { dns: RawDns; config?: Record<string, unknown> }> = {
  azure: { dns: { provider: "azure", ...COMMON, azure: { resourceGroupName: "dns-rg" } } },
  rfc2136: {
    dns: {
      provider: "rfc2136",
      ...COMMON,
      rfc2136: { server: "10.0.0.53", port: 53, keyName: "k.example.com", keyAlgorithm: "hmac-sha256" },
    },
    config: { dnsTsigSecret: "dmVsZXJvLWRyIHRlc3QgdHNpZyBzZWNyZXQgMzIgYiE=" },
  },
  route53: {
    dns: { provider: "route53", ...COMMON, route53: { hostedZoneId: "Z0123456789ABCDEFGHIJ", ipv6: false } },
  },
  manual: { dns: { provider: "manual", ...COMMON, unpublishConfirmed: false } },
  none: { dns: { provider: "none", ttlSeconds: 300 } },
};

const chainInput = (over: Partial<ChainInput> = {}, dash: Record<string, unknown> = {}): ChainInput => ({
  app: configured("dash-enterprise", dash),
  veleroNamespace: "velero",
  bslName: "default",
  backup: { schedule: "dash-daily" },
  dns: { provider: "none" },
  loadBalancer: dashEnterprise.restore.loadBalancer,
  promoteToPrimary: true,
  allowPartiallyFailed: false,
  timeouts: {
    bslSeconds: 600,
    backupSyncSeconds: 900,
    restoreSeconds: 14400,
    loadBalancerSeconds: 900,
    healthSeconds: 1800,
  },
  ...over,
});

const providers = Object.entries(dnsProviders) as [string, DnsProvider<DnsConfig>][];
const resolved = (name: string): DnsConfig =>
  (dnsProviders as Record<string, DnsProvider<DnsConfig>>)[name].resolve(SAMPLES[name].dns, {
    recordPrefixes: ["api", "ws"],
    azureSubscriptionId: "00000000-0000-0000-0000-000000000000",
  });

/** The Azure example's config values, as validateConfig reads them (stack-file parsing as in the config tests). */
function exampleValues(): Record<string, unknown> {
  const { config } = stackFileConfig("example-destination-azure");
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith("velero-dr:")) continue;
    try {
      const parsed = JSON.parse(v);
      values[k.slice(10)] = typeof parsed === "string" ? v : parsed;
    } catch {
      values[k.slice(10)] = v;
    }
  }
  return values;
}

const validate = (dns: unknown, extra: Record<string, unknown> = {}, secretKeys: string[] = []) =>
  validateConfig({ values: { ...exampleValues(), dns, ...extra }, secretKeys, stack: "dr" });

const problemsOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("must fail");
};

describe("DNS providers (one interface, one registry)", () => {
  it("each registry key is its provider's name, and every provider has a sample here", () => {
    for (const [key, p] of providers) assert.equal(p.name, key);
    assert.deepEqual(Object.keys(SAMPLES).sort(), Object.keys(dnsProviders).sort());
  });

  it("each provider's sample validates through the config schema and resolves to its own settings", () => {
    for (const [name] of providers) {
      const s = SAMPLES[name];
      const secrets = Object.keys(s.config ?? {});
      const cfg = validate(s.dns, s.config, secrets);
      assert.equal(cfg.role, "destination");
      if (cfg.role !== "destination") continue;
      assert.equal(cfg.dns.provider, name);
    }
  });

  it("keeps the step ids other code refers to: unpublish, publish after wait-load-balancer", () => {
    for (const [name, p] of providers) {
      const dns = resolved(name);
      const un = p.unpublishStep(dns, ["guard-different-cluster"]);
      const pub = p.publishStep(dns);
      if (un) assert.equal(un.id, DNS_UNPUBLISH, name);
      if (pub) {
        assert.equal(pub.id, DNS_PUBLISH, name);
        assert.deepEqual(pub.needs, [WAIT_LB], name);
      }
    }
  });

  it("every provider's step scripts pass shellcheck, and get every variable they read", () => {
    let checked = 0;
    for (const [name] of providers) {
      const chain = buildRestoreChain(chainInput({ dns: resolved(name) }));
      const runtime = ["SOURCE_API_SERVER", "RESTORE_BACKUP_NAME", "LB_ADDRESS"];
      const secrets = Object.keys(dnsProviders[name as keyof typeof dnsProviders].secretEnv ?? {});
      for (const s of chain.steps.filter((x) => x.kind.startsWith("dns-") || x.id.startsWith("dns-"))) {
        assert.equal(shellcheck(stepScript(s)), "", `${name}/${s.id}`);
        checked++;
        const env = envForStep(s, chain.env);
        for (const n of s.script.env)
          assert.ok(env[n] !== undefined || runtime.includes(n), `${name}/${s.id}: ${n}`);
        for (const n of s.script.secretEnv ?? [])
          assert.ok(secrets.includes(n), `${name}/${s.id}: secret ${n}`);
      }
    }
    assert.equal(checked, 8, "two DNS steps for each of azure, rfc2136, route53, manual; none for none");
  });

  it("a provider's secret config keys are secret keys of the configuration (plain text refused)", () => {
    for (const [, p] of providers) {
      for (const key of Object.values(p.secretEnv ?? {})) {
        assert.ok((SECRET_KEYS as readonly string[]).includes(key), key);
      }
    }
  });

  it("an unknown dns.provider is refused, naming every provider of the registry", () => {
    const message = problemsOf(() => validate({ ...COMMON, provider: "route-53" }));
    const names = Object.keys(dnsProviders)
      .map((n) => `"${n}"`)
      .join(", ");
    assert.match(message, /velero-dr:dns\.provider: got "route-53"; expected one of /);
    assert.ok(message.includes(`expected one of ${names}`), message);
    assert.ok(names.includes('"none"'));
  });

  it("a provider that changes records requires dns.baseDomain and dns.zone; none does not", () => {
    const message = problemsOf(() => validate({ provider: "manual" }));
    assert.match(message, /velero-dr:dns\.baseDomain: is required with dns\.provider manual/);
    assert.match(message, /velero-dr:dns\.zone: is required with dns\.provider manual/);
    const cfg = validate({ provider: "none" });
    assert.ok(cfg.role === "destination" && cfg.dns.provider === "none");
  });
});

describe("DNS values any zone may use", () => {
  const rfc = (rfc2136: Record<string, unknown>, ttlSeconds = 300) =>
    validate(
      { provider: "rfc2136", ...COMMON, ttlSeconds, rfc2136: { server: "10.0.0.53", ...rfc2136 } },
      { dnsTsigSecret: "dmVsZXJvLWRyIHRlc3QgdHNpZyBzZWNyZXQgMzIgYiE=" },
      ["dnsTsigSecret"],
    );

  it("a TSIG key name as named.conf declares it: one label (tsig-keygen's default), a final dot", () => {
    for (const keyName of [
      "tsig-key",
      "ddns_key",
      "velero-dr.",
      "velero-dr.example.com",
      "K1.Example.com.",
    ]) {
      const cfg = rfc({ keyName });
      assert.ok(cfg.role === "destination" && cfg.dns.provider === "rfc2136" && cfg.dns.keyName === keyName);
    }
    for (const keyName of ['k"; }', "a..b", ".", "tsig key"]) {
      assert.match(
        problemsOf(() => rfc({ keyName })),
        /velero-dr:dns\.rfc2136\.keyName: got .*; expected the TSIG key's name as named\.conf declares it/,
        keyName,
      );
    }
  });

  it("a record TTL of any length the zone uses, from 1 second (the unpublish waits exactly that)", () => {
    const cfg = rfc({ keyName: "tsig-key" }, 5);
    assert.ok(cfg.role === "destination" && cfg.dns.ttlSeconds === 5);
    assert.match(
      problemsOf(() => rfc({ keyName: "tsig-key" }, 0)),
      /velero-dr:dns\.ttlSeconds: got 0; expected a whole number of seconds between 1 and 86400/,
    );
  });
});

describe("DNS provider none: the restore changes no DNS", function () {
  this.timeout(120000);

  const noneChain = () => buildRestoreChain(chainInput({ dns: { provider: "none" } }));

  it("has no DNS steps: the restore follows the backup sync, the app's later steps the load balancer", () => {
    const { steps } = noneChain();
    const ids = steps.map((s) => s.id);
    assert.ok(!ids.includes(DNS_UNPUBLISH) && !ids.includes(DNS_PUBLISH), ids.join(", "));
    assert.ok(!steps.some((s) => s.kind === "dns-unpublish" || s.kind === "dns-publish"));
    assert.ok(ids.includes(WAIT_LB));
    assert.ok(dependsOn(steps, "restore", "wait-backup"));
    assert.ok(dependsOn(steps, "dash-cert-injection-webhook", WAIT_LB));
    assert.ok(dependsOn(steps, "dash-cert-injection-webhook", "bsl-read-write"));
    for (const id of ids.filter((x) => x !== "dash-health" && x !== "entry-point-served")) {
      assert.ok(dependsOn(steps, "dash-health", id), `health after ${id}`);
    }
    // Without promotion the app's steps still wait for the restore, through the load balancer.
    const secondary = buildRestoreChain(chainInput({ dns: { provider: "none" }, promoteToPrimary: false }));
    assert.ok(dependsOn(secondary.steps, "dash-cert-injection-webhook", "restore"));
  });

  it("no script calls az, nsupdate or dig, and no DNS variable is set", () => {
    const chain = noneChain();
    for (const s of chain.steps) {
      assert.doesNotMatch(stepScript(s), /\b(az|nsupdate|dig)\b /, s.id);
      assert.ok(![...s.script.env, ...(s.script.secretEnv ?? [])].some((n) => n.startsWith("DNS_")), s.id);
    }
    assert.deepEqual(
      Object.keys(chain.env).filter((k) => k.startsWith("DNS_")),
      [],
    );
  });

  it("runs the whole Dash chain against the fakes without touching DNS", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vdr-dns-none-"));
    try {
      const stateFile = path.join(dir, "cluster.json");
      const logFile = path.join(dir, "calls.jsonl");
      const world = dashWorld();
      writeFileSync(stateFile, JSON.stringify(world));
      const input: ChainInput = chainInput(
        {
          dns: { provider: "none" },
          timeouts: {
            bslSeconds: 5,
            backupSyncSeconds: 3,
            restoreSeconds: 10,
            loadBalancerSeconds: 5,
            healthSeconds: 5,
          },
        },
        { kotsRedeployed: true, builderTimeoutMinutes: 11 },
      );
      const chain = buildRestoreChain(input);
      const r = await runChain(chain, {
        kubeconfig: kubeconfigFor(DEST_SERVER),
        runtimeEnv: {
          SOURCE_API_SERVER: SOURCE_SERVER,
          SOURCE_CLUSTER_UID: "11111111-1111-4111-8111-111111111111",
        },
        secretEnv: {},
        baseEnv: {
          PATH: `${FAKE_BIN}:/usr/bin:/bin`,
          HOME: dir,
          TMPDIR: dir,
          FAKE_KUBE_STATE: stateFile,
          FAKE_KUBE_LOG: logFile,
          VELERO_DR_POLL_SECONDS: "0",
          VELERO_DR_RETRY_DELAY_SECONDS: "0",
        },
        stateFile: path.join(dir, "runner.json"),
      });
      assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status === "failed")));
      const calls: FakeCall[] = existsSync(logFile)
        ? readFileSync(logFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [];
      assert.deepEqual(
        calls.filter((c) => ["az", "nsupdate", "dig"].includes(c.tool)),
        [],
      );
      assert.deepEqual(JSON.parse(readFileSync(stateFile, "utf8")).dns, world.dns, "the zone is unchanged");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the runbook says DNS is not changed, and lists no DNS step", () => {
    const cfg = validate({ provider: "none" });
    assert.ok(cfg.role === "destination");
    if (cfg.role !== "destination") return;
    const out = renderRunbook(buildRestoreChain(destinationChainInput(cfg)), {
      stack: "dr",
      profile: cfg.profile.displayName,
      source: "x",
      backup: "y",
      runtime: {},
    });
    assert.match(out, /DNS is not changed \(`dns\.provider: none`/);
    assert.doesNotMatch(out, /dns-unpublish|dns-publish|az network|nsupdate|DNS_TSIG_SECRET/);
    assert.match(out, /`wait-load-balancer` · wait/);
  });

  describe("the Azure destination example with dns.provider none, under mocks", () => {
    let run: RunResult;
    before(async () => {
      run = await runDestination("example-destination-azure", (c) => {
        c["velero-dr:dns"] = JSON.stringify({ provider: "none" });
      });
      if (run.error) throw run.error;
    });

    it("registers no DNS resources and no DNS step Commands; exports no records", async () => {
      const types = run.recorder.resources.map((r) => r.type);
      assert.ok(!types.some((t) => /:dns:|network:RecordSet/.test(t)), types.join(", "));
      const commands = run.recorder.byType("command:local:Command");
      const kinds = commands.map((c) => c.inputs.environment?.VELERO_DR_STEP_KIND);
      assert.ok(!kinds.includes("dns-unpublish") && !kinds.includes("dns-publish"), kinds.join(", "));
      for (const c of commands) {
        assert.doesNotMatch(String(c.inputs.environment.VELERO_DR_SCRIPT), /\b(az|nsupdate)\b /, c.name);
        assert.ok(!Object.keys(c.inputs.environment ?? {}).some((k) => k.startsWith("DNS_")), c.name);
      }
      assert.deepEqual(run.outputs?.dnsRecords, []);
    });

    it("passes every mandatory policy of the pack (restore ordering without DNS steps)", async () => {
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
});
