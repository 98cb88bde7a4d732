import { strict as assert } from "assert";
import { buildRestoreChain, ChainInput, envForStep } from "../../../components/restore/chain";
import { dependsOn, stepScript } from "../../../components/restore/step";
import { DnsConfig } from "../../../components/dns/dns-config";
import { shellcheck } from "../../../test/support/bash";
import { configured } from "../../../test/support/apps";
import { crdErrors } from "../../../test/support/crd";
import { dashEnterprise } from "../profile";
import { SEED_ORDER } from "./seed-order";

const common = {
  baseDomain: "dash.example.com",
  zone: "example.com",
  ttlSeconds: 300,
  recordPrefixes: ["api", "ws"],
};
const DNS: Record<string, DnsConfig> = {
  azure: {
    provider: "azure",
    ...common,
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    resourceGroupName: "dns-rg",
  },
  rfc2136: {
    provider: "rfc2136",
    ...common,
    server: "10.0.0.53",
    port: 53,
    keyName: "k.",
    keyAlgorithm: "hmac-sha256",
  },
  manual: { provider: "manual", ...common, unpublishConfirmed: false },
};

export const chainInput = (
  over: Partial<ChainInput> = {},
  dash: Record<string, unknown> = {},
): ChainInput => ({
  app: configured("dash-enterprise", dash),
  veleroNamespace: "velero",
  bslName: "default",
  backup: { schedule: "dash-daily" },
  dns: DNS.azure,
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

describe("restore chain model (Dash Enterprise)", () => {
  it("lists the seed's steps in the seed's order (Harbor restart only when air-gapped)", () => {
    const online = buildRestoreChain(chainInput()).steps.map((s) => s.id);
    assert.deepEqual(
      online,
      SEED_ORDER.filter((s) => s !== "dash-harbor-restart"),
    );
    const airgapped = buildRestoreChain(chainInput({}, { airGapped: true })).steps.map((s) => s.id);
    assert.deepEqual(airgapped, SEED_ORDER);
    const secondary = buildRestoreChain(chainInput({ promoteToPrimary: false })).steps.map((s) => s.id);
    assert.ok(!secondary.includes("bsl-read-write"));
  });

  it("orders by real needs: DNS unpublish before the restore, restore before every repair, health last", () => {
    const { steps } = buildRestoreChain(chainInput({}, { airGapped: true }));
    const ids = steps.map((s) => s.id);
    assert.ok(dependsOn(steps, "restore", "dns-unpublish"));
    assert.ok(dependsOn(steps, "restore", "wait-backup"));
    assert.ok(
      !dependsOn(steps, "dns-unpublish", "wait-bsl-available"),
      "the DNS TTL wait overlaps Velero's sync",
    );
    for (const id of ids.filter((x) => !["guard-different-cluster"].includes(x))) {
      assert.ok(dependsOn(steps, id, "guard-different-cluster"), `${id} waits for the guard`);
    }
    for (const id of ids.slice(ids.indexOf("restore") + 1))
      assert.ok(dependsOn(steps, id, "restore"), `${id} after restore`);
    for (const id of ids.filter((x) => x !== "dash-health" && x !== "entry-point-served"))
      assert.ok(dependsOn(steps, "dash-health", id), `health after ${id}`);
    // The entry point is checked last, once the operators report healthy.
    assert.equal(ids[ids.length - 1], "entry-point-served");
    assert.ok(dependsOn(steps, "entry-point-served", "dash-health"));
    assert.ok(dependsOn(steps, "dash-cert-injection-webhook", "bsl-read-write"));
    assert.ok(dependsOn(steps, "dash-cert-injection-webhook", "dns-publish"));
  });

  it("each step has a title, a why, an expected outcome, a timeout; gates say how to continue", () => {
    for (const provider of Object.keys(DNS)) {
      for (const s of buildRestoreChain(chainInput({ dns: DNS[provider] })).steps) {
        assert.ok(s.title && s.why && s.expected, s.id);
        assert.ok(s.timeoutSeconds > 0 && s.retry.attempts >= 1, s.id);
        if (s.kind === "gate") assert.match(s.gate?.continueKey ?? "", /^velero-dr:/, s.id);
      }
    }
  });

  it("every step script passes shellcheck, for every DNS provider and option", () => {
    const seen = new Set<string>();
    for (const provider of Object.keys(DNS)) {
      for (const airGapped of [false, true]) {
        for (const s of buildRestoreChain(chainInput({ dns: DNS[provider] }, { airGapped })).steps) {
          const script = stepScript(s);
          if (seen.has(script)) continue;
          seen.add(script);
          assert.equal(shellcheck(script), "", s.id);
        }
      }
    }
    assert.ok(seen.size >= 17);
  });

  it("gives every step a value for every variable it needs (secrets and produced values come at run time)", () => {
    const runtime = ["SOURCE_API_SERVER", "RESTORE_BACKUP_NAME", "LB_ADDRESS", "DNS_TSIG_SECRET"];
    for (const provider of Object.keys(DNS)) {
      const chain = buildRestoreChain(chainInput({ dns: DNS[provider] }, { airGapped: true }));
      for (const s of chain.steps) {
        const env = envForStep(s, chain.env);
        for (const n of [...s.script.env, ...(s.script.secretEnv ?? [])]) {
          assert.ok(env[n] !== undefined || runtime.includes(n), `${provider}/${s.id}: ${n}`);
        }
      }
    }
  });

  it("passes values between steps only along dependencies", () => {
    const { steps } = buildRestoreChain(chainInput());
    const producer = new Map(steps.filter((s) => s.produces).map((s) => [s.produces as string, s.id]));
    assert.deepEqual([...producer.keys()].sort(), ["LB_ADDRESS", "RESTORE_BACKUP_NAME"]);
    for (const s of steps) {
      for (const n of s.script.env) {
        const from = producer.get(n);
        if (from) assert.ok(dependsOn(steps, s.id, from), `${s.id} reads ${n} from ${from}`);
      }
    }
  });

  it("the Restore it creates validates against the Velero 1.10.3 CRD, excluding the velero namespace", () => {
    const { steps, env } = buildRestoreChain(chainInput());
    const restore = steps.find((s) => s.id === "restore");
    const manifest = JSON.parse(
      envForStep(restore!, env)
        .RESTORE_MANIFEST.replace("__RESTORE_NAME__", "restore-dash-daily-20261120000000")
        .replace("__BACKUP_NAME__", "dash-daily-20261120000000"),
    );
    assert.deepEqual(crdErrors("v1.10.3", "Restore", manifest), []);
    assert.equal(manifest.spec.backupName, "dash-daily-20261120000000");
    assert.deepEqual(manifest.spec.excludedNamespaces, ["velero"]);
    assert.equal(manifest.spec.restorePVs, true);
    const { backupName, ...withoutBackup } = manifest.spec;
    void backupName;
    assert.match(
      crdErrors("v1.10.3", "Restore", { ...manifest, spec: withoutBackup }).join(),
      /backupName/,
      "1.10.3 requires backupName",
    );
  });
});
