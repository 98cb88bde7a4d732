import { strict as assert } from "assert";
import {
  ONPREM,
  plainOccurrences,
  Registered,
  resolve,
  runProgram,
  RunResult,
  secretPaths,
  stackFileConfig,
} from "../support/harness";
import { crdErrors } from "../support/crd";
import { AWS_PLUGIN_1_6_KEYS } from "../../components/velero/locations";

const STACK = "example-source-s3compat";

/**
 * A source stack on an S3-compatible store (example-source-s3compat under mocks): an existing
 * bucket behind an endpoint, velero-plugin-for-aws v1.6.2 with path-style addressing, a static key
 * pair from a secret, no snapshot location, nothing of any cloud.
 */
describe("source stack on an S3-compatible store (example-source-s3compat under mocks)", () => {
  let run: RunResult;
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);
  const deps = (r: Registered) => run.recorder.dependencyNames(r);

  before(async () => {
    const { config, secretKeys } = stackFileConfig(STACK);
    run = await runProgram(STACK, config, secretKeys);
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
  });

  it("creates no storage and nothing of a cloud: only the cluster's, Velero's and its schedules' resources", () => {
    const types = [...new Set(run.recorder.resources.map((r) => r.type))].sort();
    assert.deepEqual(
      types.filter((t) => !/^(kubernetes:|pulumi:providers:kubernetes$|command:local:|velero-dr:)/.test(t)),
      [],
    );
    assert.deepEqual(run.recorder.componentTypes(), [
      "velero-dr:cluster:ClusterAccess",
      "velero-dr:monitoring:VeleroPrometheusRule",
      "velero-dr:velero:VeleroInstall",
      "velero-dr:velero:VeleroSchedules",
    ]);
    assert.deepEqual(run.recorder.unparented(), []);
  });

  it("installs Velero with the AWS plugin v1.6.2 on the store: endpoint, region, path-style, the bucket and prefix", () => {
    const v = one("kubernetes:helm.sh/v3:Release").inputs.values;
    assert.equal(v.image.tag, "v1.10.3");
    assert.equal(v.initContainers[0].image, "velero/velero-plugin-for-aws:v1.6.2");
    assert.equal(v.configuration.provider, "aws");
    const bsl = v.configuration.backupStorageLocation;
    assert.equal(bsl.provider, "aws");
    assert.equal(bsl.bucket, "dash-backups");
    assert.equal(bsl.prefix, "dash-enterprise");
    assert.equal(bsl.accessMode, "ReadWrite");
    assert.deepEqual(bsl.config, {
      region: "us-east-1",
      s3ForcePathStyle: "true",
      s3Url: "https://minio.backup.example.com:9000",
    });
    for (const k of Object.keys(bsl.config)) assert.ok(AWS_PLUGIN_1_6_KEYS.bsl.includes(k as never), k);
  });

  it("has no volume snapshot location, and its Schedule snapshots no volume and names none", () => {
    const v = one("kubernetes:helm.sh/v3:Release").inputs.values;
    assert.equal(v.snapshotsEnabled, false);
    assert.equal(v.configuration.volumeSnapshotLocation, undefined);
    const schedule = one("kubernetes:velero.io/v1:Schedule").inputs;
    assert.equal(schedule.spec.template.snapshotVolumes, false);
    assert.equal(schedule.spec.template.volumeSnapshotLocations, undefined);
    assert.equal(schedule.spec.template.storageLocation, "default");
    assert.deepEqual(crdErrors("v1.10.3", "Schedule", schedule), []);
  });

  it("puts the key pair in Velero's credentials Secret as a Pulumi secret, and nowhere in plain text", async () => {
    const secret = one("kubernetes:core/v1:Secret", "velero-credentials");
    assert.equal(
      secret.inputs.stringData.cloud,
      `[default]\naws_access_key_id=${ONPREM.accessKeyId}\naws_secret_access_key=${ONPREM.secretAccessKey}\n`,
    );
    assert.ok(secretPaths(secret.raw).some((p) => p.startsWith("stringData")));
    const release = one("kubernetes:helm.sh/v3:Release");
    assert.deepEqual(release.inputs.values.credentials, {
      useSecret: true,
      existingSecret: "cloud-credentials",
    });
    assert.ok(deps(release).includes("velero-credentials"));
    for (const r of run.recorder.resources) {
      assert.deepEqual(plainOccurrences(r.raw, ONPREM.secretAccessKey), [], `${r.type} ${r.name}`);
      assert.deepEqual(plainOccurrences(r.raw, ONPREM.accessKeyId), [], `${r.type} ${r.name}`);
    }
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    assert.ok(!JSON.stringify(value).includes(ONPREM.secretAccessKey));
    assert.ok(!JSON.stringify(value).includes(ONPREM.accessKeyId));
  });

  it("checks that the location works once Velero runs (the bucket exists, the key pair reads it)", () => {
    const check = one("command:local:Command", "velero-bsl-available");
    assert.deepEqual(deps(check).sort(), ["velero-credentials", "velero-release"]);
    assert.ok(deps(one("kubernetes:velero.io/v1:Schedule")).includes("velero-bsl-available"));
  });

  it("exports where the backups are (endpoint, region, bucket, prefix) for a destination, no secret", async () => {
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    const o = value as Record<string, any>;
    assert.equal(o.cloud, "s3compat");
    assert.deepEqual(o.s3compat, {
      endpoint: "https://minio.backup.example.com:9000",
      region: "us-east-1",
      forcePathStyle: true,
      publicUrl: "",
    });
    assert.deepEqual(o.storage, { bucket: "dash-backups", prefix: "dash-enterprise" });
    assert.equal(o.cluster.apiServer, ONPREM.sourceApiServer);
    assert.equal(o.velero.pluginVersion, "v1.6.2");
    assert.equal(o.velero.vslName, "");
    assert.equal(o.alerting.cloudAlert, "", "no storage-side alert on a store that is not the stack's");
  });
});
