import { strict as assert } from "assert";
import { z } from "zod";
import { apps } from "../../apps";
import { inSequence, workloadsReadyStep } from "../../components/apps/chain";
import { defineApp } from "../../components/apps/definition";
import { label } from "../../components/apps/options";
import { validateConfig } from "../../components/config/validate";
import { buildRestoreChain } from "../../components/restore/chain";
import { destinationChainInput } from "../../components/restore/destination-chain";
import { stackFileConfig } from "../support/harness";

/**
 * Adding an application is its folder and one registry line: the smallest possible app (the one
 * README "Adding an application" shows) goes through the same validation and restore chain as
 * the four real ones, with no change to any generic code.
 */

// apps/hello/index.ts
const hello = defineApp({
  name: "hello",
  options: z.strictObject({ namespace: label("hello").default("hello") }),
  configure: (o) => ({
    name: "hello",
    displayName: "Hello",
    reference: "the vendor's backup document",
    namespaces: [o.namespace],
    excludedResources: [],
    defaultTtl: "168h",
    snapshotVolumes: true,
    schedules: [{ name: "hello-daily", cron: "0 3 * * *" }],
    requirements: { differentCluster: false, sameOrNewerKubernetes: true },
    restore: {
      appNamespace: o.namespace,
      loadBalancer: { namespace: o.namespace, service: "hello" },
      dnsCutOver: false,
      dnsRecordPrefixes: [],
    },
    hooks: { pre: [], post: [] },
    fsBackup: [],
    volumeBackup: { mode: "snapshot", why: "the vendor's document backs volumes up as disk snapshots" },
    excludeVolumes: [],
    restorePhases: [{ id: "all", title: "Restore the backup", why: "Everything comes back at once." }],
    backupLabels: {},
  }),
  chain: {
    afterPhase: () => [],
    afterDns: (after, ctx) =>
      inSequence(after, [
        workloadsReadyStep("hello-health", "Hello", ctx.options.namespace, "Hello serves again."),
      ]),
    env: (ctx) => ({ HEALTH_TIMEOUT_SECONDS: String(ctx.healthSeconds) }),
  },
});

// apps/index.ts, with the new line
const registry = { ...apps, hello };

function destinationValues(profile: string, app: Record<string, unknown>): Record<string, unknown> {
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
  return { ...values, profile, app, backup: {} };
}

describe("adding an application: a folder and one registry line", () => {
  it("the smallest app validates and gets the generic chain with its own health step last", () => {
    const cfg = validateConfig(
      { values: destinationValues("hello", { namespace: "greetings" }), secretKeys: [], stack: "dr" },
      registry,
    );
    assert.equal(cfg.role, "destination");
    if (cfg.role !== "destination") return;
    const chain = buildRestoreChain(destinationChainInput(cfg));
    const ids = chain.steps.map((s) => s.id);
    assert.equal(ids[0], "guard-different-cluster");
    assert.ok(ids.includes("restore"));
    // Its own health step, then the generic check that its load balancer Service is served.
    assert.equal(ids[ids.length - 2], "hello-health");
    assert.equal(chain.steps[ids.length - 2].vars?.WORKLOADS_NAMESPACE, "greetings");
    assert.equal(ids[ids.length - 1], "entry-point-served");
    assert.equal(chain.steps[ids.length - 1].vars?.ENTRY_SERVICE, "hello");
    assert.equal(chain.env.BACKUP_SCHEDULE, "hello-daily");
  });

  it("its options are checked by its own schema, with the key, the value and the fix", () => {
    assert.throws(
      () =>
        validateConfig(
          { values: destinationValues("hello", { namespace: "Not_A_Label" }), secretKeys: [], stack: "dr" },
          registry,
        ),
      /velero-dr:app\.namespace: got "Not_A_Label"; expected .*such as hello/,
    );
  });

  it("an app that is not registered is refused, listing the registered ones", () => {
    assert.throws(
      () => validateConfig({ values: destinationValues("hello", {}), secretKeys: [], stack: "dr" }, apps),
      /velero-dr:profile: got "hello"; expected one of codedx, dash-enterprise, eda, nebari/,
    );
  });
});
