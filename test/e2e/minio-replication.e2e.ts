import { strict as assert } from "assert";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { Minio } from "../../drill/lib/minio";
import { Processes, waitFor } from "../../drill/lib/procs";
import { backupsIn, replicaLag, replicateBucket, versionIdentities } from "../../drill/lib/replication";
import { replicationToolchain, toolchain } from "../../drill/lib/toolchain";

/**
 * The region-loss drill's two stores on their own (#17 item 4): MinIO's server-side bucket
 * replication between two MinIO servers, set up by minio-replicate through MinIO's admin API, as the
 * drill relies on it — writes, overwrites and deletes carried over with their version ids; the
 * replica still serving when the source region's MinIO is stopped; and a lag the drill's figures
 * see when the replica is unreachable for a while.
 */
describe("MinIO bucket replication between two regions' stores (minio-replicate)", function () {
  this.timeout(10 * 60 * 1000);
  const BUCKET = "velero";
  let procs: Processes;
  let primary: Minio;
  let replica: Minio;
  let tool = "";
  let arn = "";

  const identical = async () =>
    JSON.stringify(versionIdentities(await primary.listVersions(BUCKET))) ===
    JSON.stringify(versionIdentities(await replica.listVersions(BUCKET)));
  const backup = (name: string) =>
    primary.putObject(BUCKET, `backups/${name}/velero-backup.json`, `{"name":"${name}"}`);

  before(async () => {
    const dir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `minio-replication-${Date.now()}`,
    );
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const bin = toolchain().bin;
    tool = path.join(replicationToolchain().bin, "minio-replicate");
    procs = new Processes(path.join(dir, "logs"));
    primary = new Minio(bin, procs, path.join(dir, "region-a"), 9000, "minio-region-a");
    replica = new Minio(bin, procs, path.join(dir, "region-b"), 9100, "minio-region-b");
    await primary.start();
    await replica.start();
    await primary.createBucket(BUCKET);
    await replica.createBucket(BUCKET);
  });

  after(async () => {
    await procs?.stopAll();
  });

  it("sets up the replication through MinIO's admin API (a remote target's ARN) without a credential on any command line", () => {
    arn = replicateBucket(tool, primary, replica, BUCKET).arn;
    assert.match(arn, /^arn:minio:replication:[^:]*:[0-9a-f-]+:velero$/);
  });

  it("carries writes, overwrites and deletes over with their version ids: every version identical", async () => {
    await backup("dash-daily-1");
    await primary.putObject(BUCKET, "backups/dash-daily-1/dash-daily-1.tar.gz", Buffer.alloc(300_000, 7));
    await primary.putObject(BUCKET, "backups/dash-daily-1/dash-daily-1.tar.gz", Buffer.alloc(300_000, 8));
    await primary.putObject(BUCKET, "scratch", "x");
    await primary.deleteObject(BUCKET, "scratch");
    await waitFor("the replica identical to the primary", identical, 60_000, 250);
    const versions = await replica.listVersions(BUCKET);
    assert.ok(
      versions.some((v) => v.startsWith("DeleteMarker scratch ")),
      versions.join("\n"),
    );
    assert.equal(versions.filter((v) => v.includes(" backups/dash-daily-1/dash-daily-1.tar.gz ")).length, 2);
  });

  it("the replica's lag shows while the recovery region is unreachable, and is gone once it is back", async () => {
    // Only replication writes to the replica: stopped, it holds what it held when it stopped.
    const heldWhenStopped = await replica.listVersions(BUCKET);
    await replica.stop();
    await backup("dash-daily-2");
    await new Promise((r) => setTimeout(r, 1100));
    await backup("dash-daily-3");
    const behind = replicaLag(await primary.listVersions(BUCKET), heldWhenStopped);
    assert.deepEqual(behind.missingInReplica, ["dash-daily-2", "dash-daily-3"]);
    assert.equal(behind.newestInReplica?.name, "dash-daily-1");
    assert.ok((behind.lagSeconds ?? 0) > 1, JSON.stringify(behind));
    await replica.start();
    assert.deepEqual(
      versionIdentities(await replica.listVersions(BUCKET)),
      versionIdentities(heldWhenStopped),
    );
    // MinIO retries what it could not deliver once the target answers again.
    await waitFor("the replica caught up", identical, 5 * 60_000, 1000);
    const caughtUp = replicaLag(await primary.listVersions(BUCKET), await replica.listVersions(BUCKET));
    assert.equal(caughtUp.lagSeconds, 0);
    assert.deepEqual(caughtUp.missingInReplica, []);
  });

  it("with the source region's MinIO stopped, the replica serves every backup", async () => {
    await primary.stop();
    assert.equal(await primary.answers(), false);
    assert.deepEqual([...backupsIn(await replica.listVersions(BUCKET)).keys()].sort(), [
      "dash-daily-1",
      "dash-daily-2",
      "dash-daily-3",
    ]);
  });
});
