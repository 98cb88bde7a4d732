import { strict as assert } from "assert";
import { resolve, runProgram, RunResult, stackFileConfig } from "../support/harness";

/** example-source-azure with `storage.replica` in northeurope (the example's primary is westeurope). */
function replicaConfig(replica: Record<string, unknown>, extra: Record<string, string> = {}) {
  const { config, secretKeys } = stackFileConfig("example-source-azure");
  const storage = JSON.parse(config["velero-dr:storage"]) as Record<string, unknown>;
  return {
    config: { ...config, "velero-dr:storage": JSON.stringify({ ...storage, replica }), ...extra },
    secretKeys,
  };
}

describe("source stack on Azure with storage.replica (object replication, under mocks)", () => {
  let run: RunResult;
  const byType = (t: string) => run.recorder.byType(t);
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);
  const deps = (t: string, suffix: string) => run.recorder.dependencyNames(one(t, suffix));

  before(async () => {
    const { config, secretKeys } = replicaConfig({
      location: "northeurope",
      accountName: "dashbackupsexample02",
    });
    run = await runProgram("example-source-azure", config, secretKeys);
    if (run.error) throw run.error;
  });

  it("creates a second account in the recovery region, hardened exactly like the primary", () => {
    const accounts = byType("azure-native:storage:StorageAccount");
    assert.equal(accounts.length, 2);
    const primary = one("azure-native:storage:StorageAccount", "backups-account").inputs;
    const replica = one("azure-native:storage:StorageAccount", "replica-storage-account").inputs;
    assert.equal(replica.accountName, "dashbackupsexample02");
    assert.equal(replica.location, "northeurope");
    assert.equal(primary.location, "westeurope");
    assert.equal(replica.resourceGroupName, "velero-dr-example-source-azure-replica");
    const hardening = (a: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(a).filter(([k]) => !["accountName", "location", "resourceGroupName"].includes(k)),
      );
    const replicaHardening = hardening(replica);
    const primaryHardening = hardening(primary);
    assert.deepEqual(replicaHardening, primaryHardening);
    assert.equal(replica.minimumTlsVersion, "TLS1_2");
    assert.equal(replica.allowBlobPublicAccess, false);
    assert.equal(replica.allowCrossTenantReplication, false);
  });

  it("gives the replica its own resource group there, and no snapshot group", () => {
    const groups = byType("azure-native:resources:ResourceGroup").map((r) => [
      r.inputs.resourceGroupName,
      r.inputs.location,
    ]);
    assert.deepEqual(groups.sort(), [
      ["velero-dr-example-source-azure-backups", "westeurope"],
      ["velero-dr-example-source-azure-replica", "northeurope"],
      ["velero-dr-example-source-azure-snapshots", "westeurope"],
    ]);
  });

  it("turns versioning on both accounts and the change feed on the primary only", () => {
    const primary = one("azure-native:storage:BlobServiceProperties", "backups-blob-service").inputs;
    const replica = one("azure-native:storage:BlobServiceProperties", "replica-storage-blob-service").inputs;
    assert.equal(primary.isVersioningEnabled, true);
    assert.equal(replica.isVersioningEnabled, true);
    assert.deepEqual(primary.changeFeed, { enabled: true, retentionInDays: 90 });
    assert.equal(replica.changeFeed, undefined);
    assert.deepEqual(replica.deleteRetentionPolicy, primary.deleteRetentionPolicy);
  });

  it("locks the replica, keeps its data on destroy and applies the same immutability", () => {
    const locks = byType("azure-native:authorization:ManagementLockByScope");
    assert.equal(locks.length, 2);
    const replicaLock = one(
      "azure-native:authorization:ManagementLockByScope",
      "replica-storage-lock",
    ).inputs;
    assert.equal(replicaLock.level, "CanNotDelete");
    assert.match(replicaLock.scope, /storageAccounts\/dashbackupsexample02$/);
    const imm = one("azure-native:storage:BlobContainerImmutabilityPolicy", "replica-storage-immutability");
    assert.equal(imm.inputs.immutabilityPeriodSinceCreationInDays, 30);
    assert.ok(imm.retainOnDelete);
    const account = one("azure-native:storage:StorageAccount", "replica-storage-account");
    const container = one("azure-native:storage:BlobContainer", "replica-storage-container");
    assert.ok(account.retainOnDelete && account.protect);
    assert.ok(container.retainOnDelete && container.protect);
    assert.equal(container.inputs.publicAccess, "None");
  });

  it("replicates the container: the policy on the replica first, then on the primary with its ids", () => {
    const dest = one("azure-native:storage:ObjectReplicationPolicy", "policy-destination");
    const src = one("azure-native:storage:ObjectReplicationPolicy", "policy-source");
    const primaryId =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/velero-dr-example-source-azure-backups/providers/Microsoft.Storage/storageAccounts/dashbackupsexample01";
    const replicaId =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/velero-dr-example-source-azure-replica/providers/Microsoft.Storage/storageAccounts/dashbackupsexample02";
    assert.equal(dest.inputs.accountName, "dashbackupsexample02");
    assert.equal(dest.inputs.objectReplicationPolicyId, "default");
    assert.equal(src.inputs.accountName, "dashbackupsexample01");
    for (const p of [dest, src]) {
      assert.equal(p.inputs.sourceAccount, primaryId, "full resource ids: cross-tenant replication is off");
      assert.equal(p.inputs.destinationAccount, replicaId);
      assert.deepEqual(p.inputs.metrics, { enabled: true });
      assert.equal(p.inputs.rules.length, 1);
      assert.equal(p.inputs.rules[0].sourceContainer, "velero");
      assert.equal(p.inputs.rules[0].destinationContainer, "velero");
      assert.deepEqual(p.inputs.rules[0].filters, { minCreationTime: "1601-01-01T00:00:00Z" });
    }
    assert.equal(src.inputs.objectReplicationPolicyId, "replica-policy-destination-policy-guid");
    assert.equal(src.inputs.rules[0].ruleId, "replica-policy-destination-rule-0-guid");
    assert.ok(run.recorder.dependencyNames(src).includes("replica-policy-destination"));
  });

  it("creates the policies once versioning, change feed and both containers exist", () => {
    for (const p of ["policy-destination", "policy-source"]) {
      const d = deps("azure-native:storage:ObjectReplicationPolicy", p);
      for (const need of [
        "backups-blob-service",
        "backups-container",
        "replica-storage-blob-service",
        "replica-storage-container",
      ]) {
        assert.ok(d.includes(need), `${p} waits for ${need}: ${d.join(", ")}`);
      }
    }
  });

  it("alerts when replication lags, on the source's policy, to the backup alert's action group", () => {
    const alerts = byType("azure-native:monitor:MetricAlert");
    assert.equal(alerts.length, 2);
    const lag = one("azure-native:monitor:MetricAlert", "replica-lag").inputs;
    assert.equal(lag.scopes.length, 1);
    assert.match(
      lag.scopes[0],
      /storageAccounts\/dashbackupsexample01\/objectReplicationPolicies\/replica-policy-destination-policy-guid$/,
    );
    const c = lag.criteria.allOf[0];
    assert.equal(c.metricNamespace, "Microsoft.Storage/storageAccounts/objectReplicationPolicies");
    assert.equal(c.metricName, "PendingOperationsForReplication");
    assert.equal(c.timeAggregation, "Minimum");
    assert.equal(c.operator, "GreaterThan");
    assert.equal(c.threshold, 0);
    assert.equal(lag.windowSize, "PT1H");
    assert.equal(byType("azure-native:monitor:ActionGroup").length, 1, "one action group for both alerts");
    const noBackups = one("azure-native:monitor:MetricAlert", "no-backups").inputs;
    assert.deepEqual(lag.actions, noBackups.actions);
  });

  it("exports the replica for a destination (account, container, location, group)", async () => {
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    const o = value as { storage: Record<string, unknown>; alerting: Record<string, unknown> };
    assert.deepEqual(o.storage.replica, {
      resourceGroupName: "velero-dr-example-source-azure-replica",
      accountName: "dashbackupsexample02",
      containerName: "velero",
      location: "northeurope",
    });
    assert.equal(typeof o.alerting.replicationAlert, "string");
    assert.notEqual(o.alerting.replicationAlert, "");
  });

  it("derives a stable replica account name when none is set, distinct from the primary's", async () => {
    const { config, secretKeys } = replicaConfig({ location: "northeurope" });
    const r = await runProgram("example-source-azure", config, secretKeys);
    if (r.error) throw r.error;
    const replica = r.recorder.one("azure-native:storage:StorageAccount", "replica-storage-account").inputs;
    assert.match(replica.accountName, /^velerodr[0-9a-f]{14}$/);
    assert.notEqual(replica.accountName, "dashbackupsexample01");
  });

  it("without cloud alerts, creates no lag alert and no action group", async () => {
    const { config, secretKeys } = replicaConfig(
      { location: "northeurope" },
      { "velero-dr:alerting": JSON.stringify({ cloudAlert: false }) },
    );
    const r = await runProgram("example-source-azure", config, secretKeys);
    if (r.error) throw r.error;
    assert.equal(r.recorder.byType("azure-native:monitor:MetricAlert").length, 0);
    assert.equal(r.recorder.byType("azure-native:monitor:ActionGroup").length, 0);
    assert.equal(r.recorder.byType("azure-native:storage:ObjectReplicationPolicy").length, 2);
  });
});
