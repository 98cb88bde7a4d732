import { strict as assert } from "assert";
import { exampleSourceOutputs, runDestination } from "../support/examples";

/**
 * Volumes a source copied file by file (fsBackup: profile, or velero.defaultVolumesToFsBackup)
 * come back only through the node agent: the destination installs it whenever the source's outputs
 * say the source ran one (its uploader type), even when the destination's own config leaves
 * velero.nodeAgent off.
 */
describe("destination stack: the node agent follows the source's file-system backups", () => {
  const nodeAgentOf = async (uploaderType: string, edit: (c: Record<string, string>) => void = () => {}) => {
    const outputs = await exampleSourceOutputs();
    const velero = { ...(outputs.velero as Record<string, unknown>), uploaderType };
    const run = await runDestination("example-destination-azure", edit, [], {
      sourceOutputs: { ...outputs, velero },
    });
    if (run.error) throw run.error;
    const values = run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values;
    const ns = run.recorder.one("kubernetes:core/v1:Namespace", "velero-ns").inputs;
    return { deploy: values.deployNodeAgent, uploader: values.configuration.uploaderType, ns };
  };

  it("installs the node agent when the source backed volumes up with kopia", async () => {
    const r = await nodeAgentOf("kopia");
    assert.equal(r.deploy, true);
    assert.equal(r.uploader, "kopia");
    // The node agent mounts host paths: its namespace must admit privileged pods.
    assert.equal(r.ns.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("installs it for the promoted destination's own backups, which copy volumes as the profile says", async () => {
    // Dash Enterprise's profile copies every pod volume file by file: so do the new primary's Schedules.
    const r = await nodeAgentOf("");
    assert.equal(r.deploy, true);
    assert.equal(r.uploader, "restic");
  });

  it("leaves it out when the source ran none and the destination takes no backups", async () => {
    const r = await nodeAgentOf("", (c) => {
      c["velero-dr:restore"] = JSON.stringify({ promoteToPrimary: false });
    });
    assert.equal(r.deploy, false);
    assert.equal(r.ns.metadata.labels["pod-security.kubernetes.io/enforce"], undefined);
  });
});
