import { strict as assert } from "assert";
import { mkdirSync, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { toolchain } from "../../../drill/lib/toolchain";
import { REPLICA_PORT, RegionLossRun, runRegionLossDrill } from "./region-loss-scenario";

/**
 * The drill loses a region (#17 item 4): the source cluster and the source region's MinIO are
 * stopped; Dash Enterprise comes back from the replica that MinIO's own bucket replication filled
 * in the recovery region — by `npm run dr`'s driver on the real engine, and (without the engine)
 * by the drill's step runner. The report says so (regionLoss), with the replica's lag at the
 * disaster and the RTO.
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
