import { strict as assert } from "assert";
import { ConfigError } from "../../components/config/errors";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { exampleConfigValues, exampleSourceOutputs, runDestination } from "../support/examples";

/**
 * The cross-region guard (#17 item 2): a disk snapshot restores only in its own region, so a
 * destination in another region than the source's refuses, before anything is created, when any
 * volume of the app is backed up only as a snapshot, naming the volumes and the two ways out.
 */

const WAYS_OUT =
  /Two ways out: \(1\) copy them file by file on the source stack \(velero-dr:velero\.defaultVolumesToFsBackup: true copies every pod volume.*\); or \(2\) restore in the source's region: set velero-dr:azure\.location: westeurope/;

/** The Dash Enterprise source's outputs (westeurope) with its volume backup replaced. */
async function sourceOutputs(velero: Record<string, unknown>): Promise<Record<string, unknown>> {
  const outputs = await exampleSourceOutputs();
  return { ...outputs, velero: { ...(outputs.velero as Record<string, unknown>), ...velero } };
}

const SNAPSHOTS = { fsBackup: "off", snapshotVolumes: true, uploaderType: "" };

describe("destination stack: the cross-region guard", () => {
  it("the example source exports its region and that it copies every volume file by file (restic)", async () => {
    const o = await exampleSourceOutputs();
    assert.equal((o.azure as { location: string }).location, "westeurope");
    const v = o.velero as Record<string, unknown>;
    assert.equal(v.fsBackup, "all");
    assert.equal(v.uploaderType, "restic");
  });

  it("through a stack reference: refuses a snapshot-only source in another region, and nothing else is registered", async () => {
    const run = await runDestination("example-destination-azure", undefined, [], {
      sourceOutputs: await sourceOutputs(SNAPSHOTS),
    });
    const errors = [run.error, ...run.asyncErrors].filter((e): e is Error => e !== undefined);
    const message = errors.map((e) => e.message).join("\n");
    assert.match(
      message,
      /read through the stack reference, refuse this destination \(nothing was created\)/,
    );
    assert.match(
      message,
      /velero-dr:azure\.location: got "northeurope", but the source backs up Plotly Dash Enterprise 5's volumes in "westeurope" as disk snapshots only: every persistent volume in dash-apps, dash-services, plotly-system\./,
    );
    assert.match(message, WAYS_OUT);
    // Only the stack reference reached the engine: no cloud resource, no cluster, no Command.
    const created = run.recorder.resources.filter(
      (r) => r.custom && !/^pulumi:(pulumi:StackReference|providers:)/.test(r.type),
    );
    assert.deepEqual(
      created.map((r) => `${r.type}::${r.name}`),
      [],
    );
  });

  it("through a stack reference: goes on when the source copies every volume file by file", async () => {
    const run = await runDestination("example-destination-azure", undefined, [], {
      sourceOutputs: await sourceOutputs({ fsBackup: "all", snapshotVolumes: true, uploaderType: "restic" }),
    });
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
  });

  it("through a stack reference: goes on with snapshots when the destination is in the source's region", async () => {
    const run = await runDestination(
      "example-destination-azure",
      (c) => {
        const azure = JSON.parse(c["velero-dr:azure"]) as Record<string, unknown>;
        c["velero-dr:azure"] = JSON.stringify({ ...azure, location: "westeurope" });
      },
      [],
      { sourceOutputs: await sourceOutputs(SNAPSHOTS) },
    );
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
  });

  it("through a stack reference: refuses an uploader other than the source's, creating nothing", async () => {
    const run = await runDestination("example-destination-azure", (c) => {
      c["velero-dr:velero"] = JSON.stringify({ uploaderType: "kopia" });
    });
    const message = [run.error, ...run.asyncErrors].map((e) => e?.message ?? "").join("\n");
    assert.match(
      message,
      /velero-dr:velero\.uploaderType: got "kopia", but the source's file-system backups use restic/,
    );
    assert.deepEqual(
      run.recorder.resources.filter(
        (r) => r.custom && !/^pulumi:(pulumi:StackReference|providers:)/.test(r.type),
      ),
      [],
    );
  });

  describe("with the source's outputs typed in (validation, before anything is registered)", () => {
    const validate = async (
      velero: Record<string, unknown>,
      edit: (v: Record<string, unknown>) => void = () => {},
    ) => {
      const outputs = await sourceOutputs(velero);
      const values = exampleConfigValues("example-destination-azure");
      values.source = { outputs };
      edit(values);
      try {
        validateConfig({ values, secretKeys: [], stack: "dr" });
        return undefined;
      } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return (e as ConfigError).message;
      }
    };

    it("refuses snapshots of every volume, naming the key, the volumes and the two ways out", async () => {
      const message = await validate(SNAPSHOTS);
      assert.ok(message);
      assert.match(
        message,
        /velero-dr:azure\.location: got "northeurope", but the source backs up Plotly Dash Enterprise 5's volumes in "westeurope" as disk snapshots only: every persistent volume in dash-apps, dash-services, plotly-system\./,
      );
      assert.match(message, WAYS_OUT);
    });

    it("refuses when only the listed volumes are copied and the others are still snapshotted (the rule that selects them)", async () => {
      const message = await validate({ fsBackup: "profile", snapshotVolumes: true, uploaderType: "restic" });
      assert.ok(message);
      assert.match(message, /every persistent volume in dash-apps, dash-services, plotly-system/);
    });

    it("accepts every volume copied file by file, or no snapshots taken", async () => {
      assert.equal(
        await validate({ fsBackup: "all", snapshotVolumes: true, uploaderType: "restic" }),
        undefined,
      );
      assert.equal(await validate({ fsBackup: "off", snapshotVolumes: false, uploaderType: "" }), undefined);
    });

    it("accepts snapshots in the source's region", async () => {
      const message = await validate(SNAPSHOTS, (v) => {
        (v.azure as Record<string, unknown>).location = "westeurope";
      });
      assert.equal(message, undefined);
    });

    it("refuses outputs that do not say the source's region when volumes are snapshots", async () => {
      const message = await validate(SNAPSHOTS, (v) => {
        const o = (v.source as { outputs: { azure: Record<string, unknown> } }).outputs;
        delete o.azure.location;
      });
      assert.ok(message);
      assert.match(
        message,
        /velero-dr:source\.outputs\.azure\.location: is missing, and the source backs up/,
      );
    });

    it("refuses the node agent turned off for a promoted destination whose own backups copy volumes", async () => {
      const message = await validate({ fsBackup: "off", snapshotVolumes: false, uploaderType: "" }, (v) => {
        v.velero = { ...((v.velero as object) ?? {}), nodeAgent: false };
      });
      assert.ok(message);
      assert.match(
        message,
        /velero-dr:velero\.nodeAgent: got false, but once promoted this cluster's own backups copy every pod volume file by file \(the profile's default\), which needs the node agent; remove the key, or set velero-dr:velero\.defaultVolumesToFsBackup: false/,
      );
      const accepted = await validate({ fsBackup: "off", snapshotVolumes: false, uploaderType: "" }, (v) => {
        v.velero = { ...((v.velero as object) ?? {}), nodeAgent: false, defaultVolumesToFsBackup: false };
      });
      assert.equal(accepted, undefined);
    });

    it("refuses an uploader other than the source's, and a node agent turned off", async () => {
      const message = await validate(
        { fsBackup: "all", snapshotVolumes: true, uploaderType: "restic" },
        (v) => {
          v.velero = { ...((v.velero as object) ?? {}), uploaderType: "kopia", nodeAgent: false };
        },
      );
      assert.ok(message);
      assert.match(
        message,
        /velero-dr:velero\.uploaderType: got "kopia", but the source's file-system backups use restic; .*remove the key/,
      );
      assert.match(
        message,
        /velero-dr:velero\.nodeAgent: got false, but the source copies volumes file by file \(uploader restic\)/,
      );
    });
  });
});
