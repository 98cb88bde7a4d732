import { strict as assert } from "assert";
import { s3compat, s3compatReadStore } from "../../components/backends/s3compat";
import type { DestinationStackConfig } from "../../components/config/validate";
import type { SourceOutputs } from "../../components/config/destination-schema";
import { RunResult } from "../support/harness";
import { exampleSourceOutputs, runDestination } from "../support/examples";

/**
 * `velero-dr:s3compat.replica` (#17 items 3-4): an S3-compatible store replicates the bucket on its
 * own (MinIO bucket replication, Ceph RGW multisite), so a destination names the replica; it then
 * reads it by default, read-only, and `backup.location: primary` goes back to the source's store.
 */

const STACK = "example-destination-s3compat";
const REPLICA = { endpoint: "https://minio-dr.example.com:9000", bucket: "dash-backups-dr", region: "dr-1" };

const edit = (s3: Record<string, unknown> | undefined, location?: string) => (c: Record<string, string>) => {
  if (s3) c["velero-dr:s3compat"] = JSON.stringify(s3);
  if (location) {
    c["velero-dr:backup"] = JSON.stringify({ ...JSON.parse(c["velero-dr:backup"] ?? "{}"), location });
  }
  // A destination reading the replica is not promoted onto it (refused, see below).
  if (s3?.replica && location !== "primary") {
    c["velero-dr:restore"] = JSON.stringify({
      ...JSON.parse(c["velero-dr:restore"] ?? "{}"),
      promoteToPrimary: false,
    });
  }
};

function bslOf(run: RunResult) {
  if (run.error) throw run.error;
  assert.deepEqual(run.asyncErrors, []);
  return run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values.configuration.backupStorageLocation;
}

describe("s3compat destination: the store's replica (s3compat.replica, backup.location)", () => {
  it("reads the replica by default when s3compat.replica is set: its endpoint, bucket and region, the source's prefix, ReadOnly", async () => {
    const bsl = bslOf(await runDestination(STACK, edit({ replica: REPLICA })));
    assert.equal(bsl.accessMode, "ReadOnly");
    assert.equal(bsl.bucket, "dash-backups-dr");
    // Replication keeps the objects' keys: the source's prefix.
    assert.equal(bsl.prefix, "dash-enterprise");
    assert.deepEqual(bsl.config, {
      region: "dr-1",
      s3ForcePathStyle: "true",
      s3Url: "https://minio-dr.example.com:9000",
    });
  });

  it("backup.location: replica reads it too; backup.location: primary reads the source's store even with a replica", async () => {
    const replica = bslOf(await runDestination(STACK, edit({ replica: REPLICA }, "replica")));
    assert.equal(replica.config.s3Url, REPLICA.endpoint);
    const primary = bslOf(await runDestination(STACK, edit({ replica: REPLICA }, "primary")));
    assert.equal(primary.bucket, "dash-backups");
    assert.equal(primary.config.s3Url, "https://minio.backup.example.com:9000");
    assert.equal(primary.config.region, "us-east-1");
  });

  it("refuses promotion onto the replica, naming the key and both ways out, before anything is created", async () => {
    const run = await runDestination(STACK, (c) => {
      c["velero-dr:s3compat"] = JSON.stringify({ replica: REPLICA });
      c["velero-dr:restore"] = JSON.stringify({
        ...JSON.parse(c["velero-dr:restore"] ?? "{}"),
        promoteToPrimary: true,
      });
    });
    const messages = [run.error?.message ?? "", ...run.asyncErrors.map((e) => e.message)].join("\n");
    assert.match(
      messages,
      /velero-dr:restore\.promoteToPrimary: got true, but this destination reads the source's replica `dash-backups-dr` at https:\/\/minio-dr\.example\.com:9000.*Set velero-dr:restore\.promoteToPrimary: false.*or velero-dr:backup\.location: primary/s,
    );
    assert.equal(run.recorder.byType("kubernetes:helm.sh/v3:Release").length, 0);
    assert.equal(run.recorder.byType("command:local:Command").length, 0);
  });

  it("without s3compat.replica the source's store is read, as before", async () => {
    const bsl = bslOf(await runDestination(STACK));
    assert.equal(bsl.bucket, "dash-backups");
    assert.equal(bsl.config.s3Url, "https://minio.backup.example.com:9000");
  });

  it("keeps the source's checksumAlgorithm and takes the replica's publicUrl and path style", async () => {
    const outputs = (await exampleSourceOutputs("example-source-s3compat")) as Record<string, unknown>;
    const source = {
      ...outputs,
      s3compat: { ...(outputs.s3compat as Record<string, unknown>), checksumAlgorithm: "" },
    } as unknown as SourceOutputs;
    const cfg = {
      s3compat: {
        readOnlyCredentials: false,
        replica: { ...REPLICA, forcePathStyle: false, publicUrl: "https://dl-dr.example.com" },
      },
      backup: {},
    } as unknown as DestinationStackConfig;
    const loc = s3compat.destination?.locations(source, cfg);
    assert.deepEqual(loc?.bsl.config, {
      region: "dr-1",
      s3ForcePathStyle: "false",
      s3Url: REPLICA.endpoint,
      publicUrl: "https://dl-dr.example.com",
      checksumAlgorithm: "",
    });
    assert.equal(s3compatReadStore(source, cfg).location, "replica");
  });

  it("the runbook says where the backups are read from, the replica or the source's store", async () => {
    const source = (await exampleSourceOutputs("example-source-s3compat")) as unknown as SourceOutputs;
    const row = (cfg: object) =>
      s3compat
        .destination!.describeAccess({ cfg: cfg as DestinationStackConfig, source })
        .rows.find(([k]) => k === "Backups read from")?.[1];
    assert.match(
      row({ s3compat: { replica: { ...REPLICA, forcePathStyle: true } }, backup: {} }) ?? "",
      /the replica `dash-backups-dr` at `https:\/\/minio-dr\.example\.com:9000`.*nothing is read from the source's store/,
    );
    assert.match(
      row({ s3compat: { replica: { ...REPLICA, forcePathStyle: true } }, backup: { location: "primary" } }) ??
        "",
      /the source's store `https:\/\/minio\.backup\.example\.com:9000`, bucket `dash-backups`/,
    );
  });
});
