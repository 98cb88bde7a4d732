import { strict as assert } from "assert";
import * as path from "path";
import { AppScenario } from "../../../drill/app-scenario";
import { SEED_ORDER } from "./seed-order";
import {
  appDrillSuite,
  assertCaught,
  assertInOrder,
  assertSucceeded,
  onDestination,
  skipSteps,
} from "../../../test/e2e/app-drill-suite";
import { buildRestoreChain, REAPPLY_EXCLUSIONS } from "../../../components/restore/chain";
import { PROMOTE } from "../../../components/restore/velero-steps";
import { CodedxDrill } from "../drill";

/**
 * Code Dx through the local drill: real MariaDB master and subordinate following their pods, the
 * vendor's database-backup hook in the subordinate (backup.sh is a stand-in running mariabackup),
 * the source stack's preparation leaving the data claims out; on the destination PriorityClasses
 * first, restart-db, restore-db with its mariabackup Jobs and replication restarted, health.
 */
describe("local DR drill: Code Dx (database-backup hook, PriorityClasses first, database restore)", function () {
  this.timeout(20 * 60 * 1000);
  const codedx = new CodedxDrill();
  const suite = appDrillSuite(codedx);
  let s: AppScenario;
  before(() => {
    s = suite.s;
  });

  it("the vendor's hook took a database backup onto the backup volume; the data claims stayed out", () => {
    const c = s.source;
    assert.match(s.w.velero.cli(c, ["backup", "logs", s.backupName]).stdout, /hookName=database-backup/);
    assert.ok(codedx.newestBackup("backup-copy", s.ctx), "a *-Full backup with its done file");
    const details = s.w.velero.cli(c, [
      "backup",
      "describe",
      s.backupName,
      "--details",
      "--colorized=false",
    ]).stdout;
    assert.match(details, /cdx-app\/backup-codedx-mariadb-slave-0/);
    // (Events about the claims are in the backup; the claims themselves are not.)
    assert.doesNotMatch(details, /^\s+- cdx-app\/data-codedx-mariadb-(master|slave)-0$/m);
    assert.match(details, /PriorityClass:\s*\n\s*- codedx-app-priority/);
  });

  it("the drill catches a backup that kept MariaDB's data claims (the vendor's backup configuration removed)", async () => {
    // The vendor's "Removing Backup Configuration" (set-backup.ps1 -delete), as the source stack's
    // exclude-volumes Command undoes it on delete: the data claims lose their exclusion, and the
    // next backup carries them. Taken on demand (the source is lost once a destination starts);
    // the exclusion is back before any later backup.
    s.undoPreparation("exclude-volumes");
    let kept: string;
    try {
      kept = await s.backUpOnDemand("codedx-claims-kept");
    } finally {
      s.prepareSource();
    }
    const details = s.w.velero.cli(s.source, [
      "backup",
      "describe",
      kept,
      "--details",
      "--colorized=false",
    ]).stdout;
    assert.match(details, /^\s+- cdx-app\/data-codedx-mariadb-master-0$/m);
    await onDestination(s, "destination-claims-kept", async () => {
      // Velero restores the claims (their volumes, with no snapshot and reclaim policy Delete, are
      // provisioned again, empty); restart-db and restore-db run on them as on new ones, so the chain
      // ends green and the database is back: only the data-claims check tells.
      const chain = buildRestoreChain(s.chainInput({ backup: { name: kept } }));
      const r = await s.w.runChain(chain, path.join(s.ctx.workDir, "chain-claims-kept.json"));
      assertSucceeded(r);
      assertCaught(await s.checks(kept), [/^MariaDB's data claims are new ones/]);
    });
  });

  it("restores PriorityClasses first, then everything; restart-db, then restore-db brings the database back and replication runs", async () => {
    await onDestination(s, "destination", async () => {
      const r = await s.runChain(path.join(s.ctx.workDir, "chain-1.json"));
      assertSucceeded(r);
      assertInOrder(r, SEED_ORDER);
      // The Jobs ran mariabackup --prepare / --copy-back into each new data claim.
      assert.deepEqual(
        s
          .destinationJobs()
          .map((j) => `${j.pod.replace(/-[a-z0-9]{5}$/, "")} ${j.code}`)
          .sort(),
        [
          "cdx-app/velero-dr-dbrestore-codedx-mariadb-master-0 0",
          "cdx-app/velero-dr-dbrestore-codedx-mariadb-slave-0 0",
        ],
      );
      // ... placed where their StatefulSets' pods may run (restore-db copies nodeSelector and tolerations).
      for (const j of s.destinationJobs()) {
        assert.deepEqual(j.nodeSelector, { "kubernetes.io/os": "linux" }, j.pod);
        assert.ok(
          (j.tolerations as { key?: string }[] | undefined)?.some((t) => t.key === "dedicated"),
          `${j.pod} tolerates the database pool`,
        );
      }
      const events = codedx.servers.get("destination")?.events ?? [];
      assert.ok(
        events.some((e) => /master-0 started on existing data/.test(e)),
        `the master started on the restored data: ${events.join("; ")}`,
      );
      for (const c of await s.checks()) assert.ok(c.ok, `${c.name}: ${c.detail}`);
    });
  });

  it("the drill catches a chain without restore-db, without re-applying the backup exclusions and not promoted", async () => {
    await onDestination(s, "destination-mutated", async () => {
      // One destination for several mutations. Without restore-db the new, empty servers replicate
      // nothing of the backup and Code Dx still starts: the chain ends green, only the checks tell.
      const skipped = ["codedx-restore-db", REAPPLY_EXCLUSIONS, PROMOTE];
      const chain = skipSteps(buildRestoreChain(s.chainInput()), skipped);
      assertSucceeded(await s.w.runChain(chain, path.join(s.ctx.workDir, "chain-mutated.json")));
      assertCaught(await s.checks(), [
        /^codedx-mariadb-master-0 holds the database as the backup's hook took it/,
        /^codedx-mariadb-slave-0 holds the database as the backup's hook took it/,
        /^replication runs again/,
        /^the promoted destination leaves MariaDB's new data claims and their volumes out/,
        /^the backup storage location ended ReadWrite/,
      ]);
    });
  });

  it("the drill catches a chain without the PriorityClass phase: the classes came with the workloads", async () => {
    await onDestination(s, "destination-mutated-order", async () => {
      // Velero 1.10.3 restores a pod's PriorityClass just before the pod, so without the vendor's
      // first restore the pods still get their priorities and the chain ends green; Velero's
      // restore log shows the classes restored together with the workloads.
      const chain = skipSteps(buildRestoreChain(s.chainInput()), ["restore-priority-classes"]);
      assertSucceeded(await s.w.runChain(chain, path.join(s.ctx.workDir, "chain-mutated-order.json")));
      assertCaught(await s.checks(), [/^the PriorityClasses came first/, /^one Velero Restore per phase/]);
    });
  });
});
