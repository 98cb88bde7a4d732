import { strict as assert } from "assert";
import { buildBackupSpec, buildScheduleSpec } from "../../components/velero/specs";
import { buildFirstBackupManifest } from "../../components/velero/checks";
import { dashEnterprise } from "../../apps/dash-enterprise/profile";
import { crdErrors, pinnedVeleroVersion } from "../support/crd";
import { DEFAULT_VERSIONS } from "../../components/velero/versions";

const schedule = {
  name: "dash-daily",
  cron: "0 0 * * *",
  ttl: "720h",
  paused: false,
  namespaces: dashEnterprise.namespaces,
  excludedResources: dashEnterprise.excludedResources,
};
const common = {
  storageLocation: "default",
  volumeSnapshotLocation: "default",
  snapshotVolumes: true,
  defaultVolumesToFsBackup: false,
  profile: "dash-enterprise",
};

const asSchedule = (spec: Record<string, unknown>) => ({
  apiVersion: "velero.io/v1",
  kind: "Schedule",
  metadata: { name: "dash-daily", namespace: "velero" },
  spec,
});

describe("Velero specs", () => {
  it("builds the seed's Dash schedule: namespaces, excludes, TTL, no owner references", () => {
    const spec = buildScheduleSpec({ ...common, schedule });
    assert.equal(spec.schedule, "0 0 * * *");
    assert.equal(spec.useOwnerReferencesInBackup, false);
    const t = spec.template as Record<string, unknown>;
    assert.deepEqual(t.includedNamespaces, ["dash-apps", "dash-services", "plotly-system"]);
    assert.deepEqual(t.excludedResources, [
      "validatingwebhookconfiguration",
      "mutatingwebhookconfiguration",
      "endpointslices",
    ]);
    assert.equal(t.ttl, "720h0m0s");
    assert.equal(t.storageLocation, "default");
  });

  it("the CRDs checked against are those of the Velero the stacks deploy (drill/versions.env pin)", () => {
    assert.equal(pinnedVeleroVersion(), DEFAULT_VERSIONS.velero);
  });

  it("Schedule specs validate against the Velero 1.10.3 CRD", () => {
    for (const paused of [false, true]) {
      const spec = buildScheduleSpec({ ...common, schedule: { ...schedule, paused } });
      assert.deepEqual(crdErrors("v1.10.3", "Schedule", asSchedule(spec)), []);
    }
  });

  it("the CRD check rejects a misspelt field and a wrong type (the validator can fail)", () => {
    const spec = buildScheduleSpec({ ...common, schedule });
    const typo = { ...spec, useOwnerReferenceInBackup: false };
    assert.match(crdErrors("v1.10.3", "Schedule", asSchedule(typo)).join("\n"), /useOwnerReferenceInBackup/);
    const wrongType = {
      ...spec,
      template: { ...(spec.template as object), includedNamespaces: "dash-apps" },
    };
    assert.match(
      crdErrors("v1.10.3", "Schedule", asSchedule(wrongType)).join("\n"),
      /includedNamespaces must be array/,
    );
  });

  it("the first-backup manifest is a valid 1.10.3 Backup labelled with its schedule", () => {
    const spec = buildBackupSpec({ ...common, ...schedule });
    const manifest = JSON.parse(
      buildFirstBackupManifest({
        name: "dash-daily-first",
        namespace: "velero",
        schedule: "dash-daily",
        storageLocation: "default",
        spec,
      }),
    );
    assert.deepEqual(crdErrors("v1.10.3", "Backup", manifest), []);
    assert.equal(manifest.metadata.labels["velero.io/schedule-name"], "dash-daily");
  });

  it("TTL is written in Velero's canonical form", () => {
    const t = buildBackupSpec({ ...common, ...schedule, ttl: "90m" });
    assert.equal(t.ttl, "1h30m0s");
  });
});
