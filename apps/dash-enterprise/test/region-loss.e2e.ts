import { strict as assert } from "assert";
import { mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from "fs";
import * as os from "os";
import * as path from "path";
import { copyTree } from "../../../drill/lib/fs-backup";
import { toolchain } from "../../../drill/lib/toolchain";
import { REPLICA_PORT, RegionLossRun, runRegionLossDrill, volumeCheck } from "./region-loss-scenario";

/**
 * The drill loses a region (#17 item 4): the source cluster and the source region's MinIO are
 * stopped; Dash Enterprise comes back from the replica that MinIO's own bucket replication filled
 * in the recovery region — by `npm run dr`'s driver on the real engine, and (without the engine)
 * by the drill's step runner — its volume data included: copied file by file by Velero's node
 * agents (kopia) into the source region's store, replicated by MinIO, restored from the replica by
 * the destination's node agents, byte-identical. The report says so (regionLoss), with the replica's
 * lag at the disaster, the fs-backup throughput next to a raw copy of the same data, and the RTO.
 */
for (const engine of [false, true]) {
  describe(`region loss: Dash Enterprise recovered from the recovery region's replica (${engine ? "npm run dr on the real engine" : "the drill's step runner"})`, function () {
    this.timeout(40 * 60 * 1000);
    let run: RegionLossRun;
    const log: string[] = [];

    before(async () => {
      const workDir = path.join(
        process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
        `region-loss-${engine ? "engine" : "runner"}-${Date.now()}`,
      );
      mkdirSync(workDir, { recursive: true, mode: 0o700 });
      run = await runRegionLossDrill({ ...toolchain(), workDir, log: (l) => log.push(l) }, { engine });
    });

    afterEach(function () {
      if (this.currentTest?.state === "failed") console.log(log.join("\n"));
    });

    it("recovers: every check passed", () => {
      assert.equal(run.report.failure, undefined, run.report.failure);
      const failed = run.report.checks.filter((c) => !c.ok);
      assert.deepEqual(failed, []);
      assert.ok(run.report.checks.length > 5);
      assert.equal(run.report.ok, true);
    });

    it("replication was MinIO's own and complete before the disaster: every object version identical in the replica", () => {
      const x = run.report.replication;
      assert.ok(x, "no replication figures");
      assert.match(x.arn, /^arn:minio:replication:/);
      assert.equal(x.identical, true);
      assert.ok(x.versions > 0);
      assert.ok(x.observedDelaySeconds >= 0);
    });

    it("the disaster took the source region's store: it did not answer during the recovery", () => {
      assert.equal(run.primaryAnsweredAfterDisaster, false);
    });

    it("the destination's Velero read the recovery region's MinIO", () => {
      assert.equal(run.bsl?.s3Url, `http://127.0.0.1:${REPLICA_PORT}`);
    });

    it("volume data: PodVolumeBackups on the source into the source region's store, PodVolumeRestores on the destination from the replica (kopia, node agents)", () => {
      const pvbs = run.podVolumeBackups ?? [];
      const pvrs = run.podVolumeRestores ?? [];
      assert.equal(pvbs.length, 3, JSON.stringify(pvbs));
      assert.equal(pvrs.length, 3, JSON.stringify(pvrs));
      for (const x of pvbs) {
        assert.equal(x.phase, "Completed", JSON.stringify(x));
        assert.equal(x.uploaderType, "kopia");
        assert.match(x.node, /^source-node-\d$/);
        assert.ok(x.repoIdentifier.includes("127.0.0.1:9000"), x.repoIdentifier);
        assert.equal(x.bytesDone, x.totalBytes);
      }
      for (const x of pvrs) {
        assert.equal(x.phase, "Completed", JSON.stringify(x));
        assert.equal(x.uploaderType, "kopia");
        assert.match(x.node, /^destination-node-\d$/);
        assert.ok(x.repoIdentifier.includes(`127.0.0.1:${REPLICA_PORT}`), x.repoIdentifier);
        assert.ok(x.bytesDone > 0);
      }
      assert.deepEqual(
        pvrs.map((x) => `${x.namespace}/${x.claim}`).sort(),
        pvbs.map((x) => `${x.namespace}/${x.claim}`).sort(),
      );
      assert.ok((run.replicaRepositoryObjects ?? 0) > 0, "no kopia repository objects in the replica");
    });

    it("volume data: every restored claim byte-identical to what the source's pods had at the restored backup", () => {
      const v = run.volumes ?? {};
      assert.deepEqual(Object.keys(v).sort(), [
        "dash-services/app-db-data",
        "plotly-system/datadir-redpanda-0",
        "plotly-system/de-harbor-registry",
      ]);
      for (const [key, { expected, restoredDir }] of Object.entries(v)) {
        const c = volumeCheck(key, expected, restoredDir);
        assert.equal(c.ok, true, `${key}: ${c.detail}`);
        assert.ok(Object.keys(expected.digests).length > 0);
      }
      // What changed between the two backups came back (the restored backup is the later one).
      const db = v["dash-services/app-db-data"].expected.digests;
      assert.ok("pg_wal/000000010000000000000002" in db);
      assert.equal(run.report.fsBackup?.identical, true);
    });

    it("catches a restored volume whose bytes differ, or a file missing (the same check on a tampered copy)", () => {
      const [key, { expected, restoredDir }] = Object.entries(run.volumes ?? {}).sort()[0];
      const copy = path.join(path.dirname(restoredDir), `tampered-${Date.now()}`);
      copyTree(restoredDir, copy);
      try {
        const file = Object.keys(expected.digests).find(
          (f) => statSync(path.join(copy, f)).size > 1024,
        ) as string;
        // One byte changed in place: same size, other bytes.
        const fd = openSync(path.join(copy, file), "r+");
        const b = Buffer.alloc(1);
        b[0] = readFileSync(path.join(copy, file))[512] ^ 0xff;
        writeSync(fd, b, 0, 1, 512);
        closeSync(fd);
        const changed = volumeCheck(key, expected, copy);
        assert.equal(changed.ok, false);
        assert.match(
          changed.detail,
          new RegExp(`bytes differ in ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        );
        rmSync(path.join(copy, file));
        const gone = volumeCheck(key, expected, copy);
        assert.equal(gone.ok, false);
        assert.match(gone.detail, /missing /);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });

    it("the report: fs-backup throughput (bytes/s) next to a raw copy of the same data on the same disk, measured in the same run", () => {
      const f = run.report.fsBackup;
      assert.ok(f, "no fs-backup figures");
      assert.equal(f.uploader, "kopia");
      assert.equal(f.volumes.length, 3);
      assert.ok(f.backupThroughput.bytes > 40 * (1 << 20), `${f.backupThroughput.bytes} bytes`);
      // The same data: the raw copy's bytes are the first backup's.
      assert.equal(f.rawCopy.bytes, f.backupThroughput.bytes);
      assert.ok(f.backupThroughput.seconds >= 1 && f.backupThroughput.bytesPerSecond > 0);
      assert.ok(f.rawCopy.seconds > 0 && f.rawCopy.bytesPerSecond > 0);
      assert.ok(Math.abs(f.ratio - f.backupThroughput.bytesPerSecond / f.rawCopy.bytesPerSecond) < 1e-9);
      assert.equal(f.restoredFrom, `http://127.0.0.1:${REPLICA_PORT}`);
      assert.ok((f.restoreThroughput?.bytes ?? 0) > 40 * (1 << 20));
    });

    it("the report: regionLoss true, the replica's lag at the disaster (RPO added by replication), the RTO", () => {
      const r = run.report;
      assert.equal(r.regionLoss, true);
      const lag = r.replication?.atDisaster;
      assert.ok(lag);
      // Replication had caught up (checked above): the replica's newest backup is the primary's.
      assert.equal(lag.lagSeconds, 0);
      assert.deepEqual(lag.missingInReplica, []);
      assert.equal(lag.newestInReplica?.name, lag.newestInPrimary?.name);
      assert.equal(r.backup, lag.newestInReplica?.name);
      assert.ok(r.rtoSeconds > 0);
      assert.ok(r.veleroRestoreSeconds > 0);
      if (!engine) return;
      assert.ok((r.recovery?.rtoSeconds ?? 0) > 0 && (r.recovery?.rtoSeconds ?? 0) <= r.rtoSeconds);
      assert.ok((r.recovery?.rpoSeconds ?? -1) >= 0);
      // The destination stack's own recovery report, as `npm run dr` wrote it.
      const file = JSON.parse(readFileSync(r.recovery?.reportFile as string, "utf8"));
      assert.equal(file.rtoSeconds, r.recovery?.rtoSeconds);
      assert.equal(file.backup.name, r.backup);
    });
  });
}
