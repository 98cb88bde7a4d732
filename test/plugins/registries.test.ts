import { strict as assert } from "assert";
import { z } from "zod";
import {
  BACKEND_NAMES,
  backendOf,
  backendSecretKeys,
  cloudSchema,
  destinationBackends,
  destinationCloudSchema,
  storageBackends,
} from "../../components/backends";
import type { StorageBackend } from "../../components/backends/backend";
import { clusterTargets, selectTarget, TargetName } from "../../components/targets";
import type { TargetKeys, TargetRole } from "../../components/targets/target";
import { validateStackConfig } from "../../stacks/config";
import { SECRET_KEYS } from "../../components/config/validate";
import { stackFileConfig } from "../support/harness";

/**
 * The storage backends (components/backends) and cluster targets (components/targets) as
 * plug-ins: each registered under its own name, one function choosing the target, and a new
 * backend working through the same schema and selection once it is in a registry.
 */

const messages = (role: TargetRole, cloud: string, c: Partial<TargetKeys>) =>
  selectTarget(role, backendOf(cloud), { cluster: {}, ...c }).issues.map(
    (i) => `${i.path.join(".")}: ${i.message}`,
  );

describe("storage backends registry", () => {
  it("registers each backend under its own name, with targets that exist", () => {
    assert.deepEqual(BACKEND_NAMES, ["azure", "aws", "s3compat"]);
    for (const [key, b] of Object.entries(storageBackends) as [string, StorageBackend][]) {
      assert.equal(b.name, key);
      for (const t of [...(b.targets.source ?? []), ...(b.targets.destination ?? [])]) {
        assert.ok(t in clusterTargets, `${key}: target ${t}`);
      }
    }
    assert.deepEqual(
      destinationBackends().map((b) => b.name),
      ["azure", "aws", "s3compat"],
    );
  });

  it("lists every backend's secret keys among the keys plain text is refused for", () => {
    const keys = backendSecretKeys().map((k) => k.key);
    assert.deepEqual(keys, ["s3compatCredentials"]);
    for (const k of keys) assert.ok((SECRET_KEYS as readonly string[]).includes(k), k);
  });

  it("an unknown cloud lists the registry's names", () => {
    const r = cloudSchema().safeParse("gcp");
    assert.ok(!r.success);
    assert.equal(r.error.issues[0].message, 'got "gcp"; expected "azure" or "aws" or "s3compat"');
    assert.throws(() => backendOf("gcp"), /unknown storage backend gcp; known: azure, aws, s3compat/);
  });

  it("a destination on a backend without a destination side is refused by the registry", () => {
    // Every backend has a destination side now: one without (the registry as it was before AWS's).
    const { destination: _unused, ...sourceOnly } = storageBackends.aws;
    void _unused;
    const registry = { ...storageBackends, aws: sourceOnly } as Record<string, StorageBackend>;
    const r = destinationCloudSchema(registry).safeParse("aws");
    assert.ok(!r.success);
    assert.equal(
      r.error.issues[0].message,
      'got "aws"; expected "azure" or "s3compat" (a destination stack restores from Azure or S3-compatible storage only; AWS restore is not implemented)',
    );
    assert.ok(destinationCloudSchema().safeParse("aws").success, "the registry's aws restores");
  });

  it("loads a backend's Pulumi code only when asked (the config part is plain data)", () => {
    for (const b of Object.values(storageBackends) as StorageBackend[]) {
      assert.equal(typeof b.source, "function");
      assert.ok(b.section instanceof z.ZodType);
    }
  });
});

describe("cluster targets and their selection", () => {
  it("registers each target under its own name", () => {
    for (const [key, t] of Object.entries(clusterTargets)) assert.equal(t.name, key);
  });

  it("a source takes exactly one of its backend's targets", () => {
    assert.deepEqual(messages("source", "azure", {}), [
      "cluster: no cluster access: set cluster.aksName and cluster.aksResourceGroup, or a kubeconfig with `pulumi config set --secret velero-dr:kubeconfig < file`",
    ]);
    assert.deepEqual(messages("source", "aws", {}), [
      "cluster: no cluster access: set cluster.eksName, or a kubeconfig with `pulumi config set --secret velero-dr:kubeconfig < file`",
    ]);
    assert.deepEqual(
      messages("source", "azure", {
        cluster: { aksName: "a", aksResourceGroup: "rg", nodeResourceGroup: "mc" },
        kubeconfig: "k",
      }),
      ["kubeconfig: set either cluster.aksName (+ aksResourceGroup) or kubeconfig, not both"],
    );
    assert.deepEqual(messages("source", "aws", { cluster: { eksName: "e" }, kubeconfig: "k" }), [
      "kubeconfig: set either cluster.eksName or kubeconfig, not both",
    ]);
    assert.deepEqual(messages("source", "azure", { cluster: { aksName: "a" } }), [
      "cluster: cluster.aksName and cluster.aksResourceGroup go together; set both",
    ]);
  });

  it("keys of another cloud's target are refused with the backend's hint", () => {
    assert.deepEqual(
      messages("source", "azure", { cluster: { eksName: "e" }, kubeconfig: "k" }).slice(0, 1),
      ["cluster.eksName: applies to cloud aws only; use cluster.aksName and cluster.aksResourceGroup"],
    );
    assert.deepEqual(messages("source", "aws", { cluster: { aksName: "a", eksName: "e" } }), [
      "cluster.aksName: applies to cloud azure only; on AWS set cluster.eksName, cluster.createEks (destinations) or a kubeconfig secret",
    ]);
  });

  it("a kubeconfig on Azure needs the node resource group (the backend's rule)", () => {
    assert.deepEqual(messages("destination", "azure", { kubeconfig: "k" }), [
      "cluster.nodeResourceGroup: required with kubeconfig: the destination cluster's node resource group (MC_...) where Velero creates disks",
    ]);
  });

  it("a destination chooses exactly one target", () => {
    const one =
      "cluster: choose exactly one target: cluster.create (a new AKS cluster), cluster.aksName + cluster.aksResourceGroup (an existing one) or a kubeconfig secret";
    assert.deepEqual(messages("destination", "azure", {}), [one]);
    const create = { kubernetesVersion: "1.29", nodeVmSize: "Standard_D8s_v5", nodeCount: 4 };
    assert.deepEqual(
      messages("destination", "azure", { cluster: { create, aksName: "a", aksResourceGroup: "b" } }),
      [one],
    );
    const picked = (c: Partial<TargetKeys>): TargetName | undefined =>
      selectTarget("destination", backendOf("azure"), { cluster: {}, ...c }).target?.name as TargetName;
    assert.equal(picked({ cluster: { create } }), "create");
    assert.equal(picked({ cluster: { aksName: "a", aksResourceGroup: "b" } }), "aks");
    assert.equal(picked({ cluster: { nodeResourceGroup: "mc" }, kubeconfig: "k" }), "kubeconfig");
  });

  it("the example stacks validate to the targets they name", () => {
    const values = (stack: string) => {
      const { config } = stackFileConfig(stack);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(config)) {
        if (!k.startsWith("velero-dr:")) continue;
        try {
          const p: unknown = JSON.parse(v);
          out[k.slice(10)] = typeof p === "string" ? v : p;
        } catch {
          out[k.slice(10)] = v;
        }
      }
      return out;
    };
    for (const [stack, target] of [
      ["example-source-aws", "eks"],
      ["example-source-azure", "aks"],
      ["example-source-s3compat", "kubeconfig"],
    ] as const) {
      const { secretKeys } = stackFileConfig(stack);
      const cfg = validateStackConfig({
        values: values(stack),
        secretKeys: secretKeys.map((k) => k.slice(10)),
        stack,
      });
      assert.equal(cfg.role, "source");
      if (cfg.role !== "source") continue;
      assert.equal(selectTarget("source", backendOf(cfg.cloud), cfg).target?.name, target);
    }
  });
});

describe("adding a backend: one module and one registry line", () => {
  // A test-only S3-compatible backend, reaching any cluster by kubeconfig.
  const fake: StorageBackend<{ cloud: "fake" }> = {
    name: "fake",
    label: "Fake",
    section: z.strictObject({ endpoint: z.string() }),
    sectionKeys: "endpoint",
    storageKeys: { bucket: z.string().optional() },
    pluginImage: "velero/velero-plugin-for-aws",
    defaultPluginVersion: "v1.6.2",
    volumeSnapshots: false,
    fileSystemBackup: false,
    targets: { source: ["kubeconfig"] },
    clusterHint: "set a kubeconfig secret",
    resolveSource: () => ({ cloud: "fake" }),
    source: () => {
      throw new Error("not in this test");
    },
  };
  const registry = { ...storageBackends, fake } as Record<string, StorageBackend>;

  it("is a cloud of the schema built from the registry", () => {
    assert.ok(cloudSchema(registry).safeParse("fake").success);
    const r = cloudSchema(registry).safeParse("gcp");
    assert.equal(r.error?.issues[0].message, 'got "gcp"; expected "azure" or "aws" or "s3compat" or "fake"');
    assert.match(
      destinationCloudSchema(registry).safeParse("fake").error?.issues[0].message ?? "",
      /a destination stack restores from Azure or AWS or S3-compatible storage only; Fake restore is not implemented/,
    );
  });

  it("goes through the same target selection", () => {
    const issues = (c: Partial<TargetKeys>) =>
      selectTarget("source", fake, { cluster: {}, ...c }).issues.map((i) => i.message);
    assert.deepEqual(issues({}), [
      "no cluster access: set a kubeconfig with `pulumi config set --secret velero-dr:kubeconfig < file`",
    ]);
    assert.deepEqual(issues({ kubeconfig: "k", cluster: { eksName: "e" } }), [
      "applies to cloud aws only; set a kubeconfig secret",
    ]);
    assert.equal(selectTarget("source", fake, { cluster: {}, kubeconfig: "k" }).target?.name, "kubeconfig");
  });
});
