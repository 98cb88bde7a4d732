import { strict as assert } from "assert";
import { ConfigError } from "../../components/config/errors";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { RunResult } from "../support/harness";
import { exampleConfigValues, exampleSourceOutputs, runDestination } from "../support/examples";

/**
 * `velero-dr:backup.location` (#17 item 3): a destination reads the source's replica in the
 * recovery region by default when the source has one, read-only, and its identity is granted on
 * that account only.
 */

const REPLICA = {
  resourceGroupName: "velero-dr-example-source-azure-replica",
  accountName: "dashbackupsexample02",
  containerName: "velero",
  location: "northeurope",
};

/** The example source's outputs as an older source, or one without storage.replica, exports them. */
async function withoutReplica(): Promise<Record<string, unknown>> {
  const o = await exampleSourceOutputs();
  const { replica: _replica, ...storage } = o.storage as Record<string, unknown>;
  void _replica;
  return { ...o, storage };
}

async function withReplica(): Promise<Record<string, unknown>> {
  const o = await exampleSourceOutputs();
  return { ...o, storage: { ...(o.storage as Record<string, unknown>), replica: REPLICA } };
}

const setLocation = (location: string) => (c: Record<string, string>) => {
  c["velero-dr:backup"] = JSON.stringify({ ...JSON.parse(c["velero-dr:backup"] ?? "{}"), location });
};

/** The example's `backup.location` (primary) removed: the default decides. */
const defaultLocation = (c: Record<string, string>) => {
  const { location: _l, ...backup } = JSON.parse(c["velero-dr:backup"] ?? "{}");
  void _l;
  c["velero-dr:backup"] = JSON.stringify(backup);
};

const setPromote = (promoteToPrimary: boolean) => (c: Record<string, string>) => {
  c["velero-dr:restore"] = JSON.stringify({
    ...JSON.parse(c["velero-dr:restore"] ?? "{}"),
    promoteToPrimary,
  });
};

const both =
  (...edits: ((c: Record<string, string>) => void)[]) =>
  (c: Record<string, string>) =>
    edits.forEach((e) => e(c));

/** How a region-loss recovery reads: the replica (by default), not promoted. */
const regionLoss = both(defaultLocation, setPromote(false));

/** Every message of a run that failed. */
const messagesOf = (run: RunResult) =>
  [run.error, ...run.asyncErrors]
    .filter((e): e is Error => e !== undefined)
    .map((e) => e.message)
    .join("\n");

/** What a run created (not the stack reference nor providers). */
const createdBy = (run: RunResult) =>
  run.recorder.resources
    .filter((r) => r.custom && !/^pulumi:(pulumi:StackReference|providers:)/.test(r.type))
    .map((r) => `${r.type}::${r.name}`);

function bslOf(run: RunResult) {
  return run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values.configuration.backupStorageLocation;
}

function storageScopes(run: RunResult): string[] {
  return run.recorder
    .byType("azure-native:authorization:RoleAssignment")
    .map((a) => a.inputs.scope as string)
    .filter((s) => s.includes("/storageAccounts/"));
}

describe("destination stack: backup.location (primary or the source's replica)", () => {
  it("reads the replica by default when the source has one: BSL ReadOnly on the replica account", async () => {
    const run = await runDestination("example-destination-azure", regionLoss, [], {
      sourceOutputs: await withReplica(),
    });
    if (run.error) throw run.error;
    const bsl = bslOf(run);
    assert.equal(bsl.accessMode, "ReadOnly");
    assert.equal(bsl.bucket, "velero");
    assert.deepEqual(bsl.config, {
      resourceGroup: "velero-dr-example-source-azure-replica",
      storageAccount: "dashbackupsexample02",
      subscriptionId: "00000000-0000-0000-0000-000000000000",
    });
    // Disk snapshots stay where the source took them.
    assert.equal(
      run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values.configuration.volumeSnapshotLocation
        .config.resourceGroup,
      "velero-dr-example-source-azure-snapshots",
    );
  });

  it("grants Velero's identity on the replica account only, nothing on the primary", async () => {
    const run = await runDestination("example-destination-azure", regionLoss, [], {
      sourceOutputs: await withReplica(),
    });
    if (run.error) throw run.error;
    const scopes = storageScopes(run);
    assert.equal(scopes.length, 1);
    assert.match(
      scopes[0],
      /resourceGroups\/velero-dr-example-source-azure-replica\/.*\/storageAccounts\/dashbackupsexample02$/,
    );
    const all = run.recorder
      .byType("azure-native:authorization:RoleAssignment")
      .map((a) => String(a.inputs.scope));
    assert.ok(!all.some((s) => s.includes("dashbackupsexample01")), all.join("\n"));
    const roles = run.recorder.byType("azure-native:authorization:RoleDefinition");
    const storageRole = roles.find((r) => r.name.endsWith("storage-role"));
    assert.ok(storageRole);
    assert.deepEqual(storageRole.inputs.assignableScopes, [
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/velero-dr-example-source-azure-replica",
    ]);
  });

  it("backup.location: primary reads the source's own account even when a replica exists", async () => {
    const run = await runDestination("example-destination-azure", setLocation("primary"), [], {
      sourceOutputs: await withReplica(),
    });
    if (run.error) throw run.error;
    assert.equal(bslOf(run).config.storageAccount, "dashbackupsexample01");
    assert.equal(bslOf(run).accessMode, "ReadOnly");
    assert.ok(storageScopes(run)[0].endsWith("/storageAccounts/dashbackupsexample01"));
  });

  it("a source without a replica is read from its primary (the default), as before, and promoted", async () => {
    const run = await runDestination("example-destination-azure", defaultLocation, [], {
      sourceOutputs: await withoutReplica(),
    });
    if (run.error) throw run.error;
    assert.equal(bslOf(run).config.storageAccount, "dashbackupsexample01");
    assert.equal(run.recorder.byType("kubernetes:velero.io/v1:Schedule").length > 0, true);
  });

  it("through a stack reference: backup.location: replica on a source without one is refused", async () => {
    const run = await runDestination("example-destination-azure", setLocation("replica"), [], {
      sourceOutputs: await withoutReplica(),
    });
    const message = [run.error, ...run.asyncErrors]
      .filter((e): e is Error => e !== undefined)
      .map((e) => e.message)
      .join("\n");
    assert.match(
      message,
      /velero-dr:backup\.location: got "replica", but the source's outputs have no storage\.replica .*set velero-dr:backup\.location: primary/,
    );
    const created = run.recorder.resources.filter(
      (r) => r.custom && !/^pulumi:(pulumi:StackReference|providers:)/.test(r.type),
    );
    assert.deepEqual(
      created.map((r) => `${r.type}::${r.name}`),
      [],
      "nothing is created",
    );
  });

  it("with typed-in outputs: backup.location: replica without a replica is a configuration error", async () => {
    const values = exampleConfigValues("example-destination-azure");
    values.source = { outputs: await withoutReplica() };
    values.backup = { location: "replica" };
    assert.throws(
      () => validateConfig({ values, secretKeys: [], stack: "dr" }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /velero-dr:backup\.location: got "replica", but the source's outputs have no storage\.replica/.test(
          e.message,
        ),
    );
  });

  describe("promotion while reading the replica (refused)", () => {
    it("through a stack reference: the example promoting with backup.location unset on a replicated source is refused before anything is created", async () => {
      const run = await runDestination("example-destination-azure", defaultLocation, [], {
        sourceOutputs: await withReplica(),
      });
      assert.match(
        messagesOf(run),
        /velero-dr:restore\.promoteToPrimary: got true, but this destination reads the source's replica `dashbackupsexample02` \(northeurope\) \(velero-dr:backup\.location unset: the replica, since the source has one\); .*Set velero-dr:restore\.promoteToPrimary: false .*or velero-dr:backup\.location: primary/,
      );
      assert.deepEqual(createdBy(run), [], "nothing is created");
    });

    it("backup.location: replica with promotion: refused, naming both keys", async () => {
      const run = await runDestination("example-destination-azure", setLocation("replica"), [], {
        sourceOutputs: await withReplica(),
      });
      assert.match(
        messagesOf(run),
        /velero-dr:restore\.promoteToPrimary: got true, but this destination reads the source's replica .*\(velero-dr:backup\.location: replica\)/,
      );
      assert.deepEqual(createdBy(run), []);
    });

    it("reading the replica without promotion: no promote step, no keeper, no Schedules; the location stays ReadOnly", async () => {
      const run = await runDestination("example-destination-azure", regionLoss, [], {
        sourceOutputs: await withReplica(),
      });
      if (run.error) throw run.error;
      assert.equal(bslOf(run).accessMode, "ReadOnly");
      const names = run.recorder.resources.map((r) => r.name);
      assert.ok(!names.some((n) => n.includes("bsl-read-write")), "no promote step");
      assert.ok(!names.includes("primary-location-read-write"));
      assert.equal(run.recorder.byType("kubernetes:velero.io/v1:Schedule").length, 0);
    });

    it("with typed-in outputs: a configuration error before anything else", async () => {
      const values = exampleConfigValues("example-destination-azure");
      values.source = { outputs: await withReplica() };
      values.backup = { schedule: "dash-daily" };
      assert.throws(
        () => validateConfig({ values, secretKeys: [], stack: "dr" }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.problems.some((p) =>
            /^velero-dr:restore\.promoteToPrimary: got true, but this destination reads the source's replica/.test(
              p,
            ),
          ),
      );
    });
  });
});
