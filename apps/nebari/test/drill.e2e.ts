import { strict as assert } from "assert";
import { existsSync } from "fs";
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
import { buildRestoreChain } from "../../../components/restore/chain";
import { PROMOTE } from "../../../components/restore/velero-steps";
import { NebariDrill } from "../drill";
import { NAMESPACE } from "../../../drill/lib/velero";

/**
 * Nebari through the local drill: the profile's pg_dump and NFS-manifest hooks run in fake pods
 * against a real PostgreSQL, the backup is real, and the project's chain restores it phase by
 * phase into a new cluster, pg_restore and the count and file checks included.
 */
describe("local DR drill: Nebari (hooks, phased restore, pg_restore, NFS check)", function () {
  this.timeout(20 * 60 * 1000);
  const nebari = new NebariDrill();
  const suite = appDrillSuite(nebari);
  let s: AppScenario;
  before(() => {
    s = suite.s;
  });
  let failedBackup = "";

  it("the Schedule's hooks dumped Keycloak and conda-store and listed /exports before Velero copied them", () => {
    const c = s.source;
    const logs = s.w.velero.cli(c, ["backup", "logs", s.backupName]).stdout;
    for (const hook of ["keycloak-dump", "conda-store-dump", "nfs-manifest"]) {
      assert.match(logs, new RegExp(`hookName=${hook}`), `Velero ran ${hook}`);
    }
    const claim = (name: string) => s.volumes.claimDir("backup-copy", "dev", name);
    for (const [pod, dump] of [
      ["keycloak-postgres-standalone-0", "keycloak.dump"],
      ["nebari-conda-store-postgresql-postgresql-0", "conda-store.dump"],
    ]) {
      const dir = path.join(claim(`data-${pod}`), "velero-dr");
      assert.ok(existsSync(path.join(dir, dump)), `${dump} on ${pod}'s volume`);
      assert.ok(!existsSync(path.join(dir, `${dump}.tmp`)), "no half-written dump");
    }
    assert.ok(existsSync(path.join(claim("nfs-server-nfs-storage"), ".velero-dr", "manifest")));
  });

  it("a failing component dump fails the whole backup (PartiallyFailed, Velero names the hook)", async () => {
    const c = s.source;
    nebari.breakCondaStoreDump(c, s.ctx, true);
    try {
      const out = s.w.velero.cli(c, ["backup", "create", "--from-schedule", s.schedule, "--wait"]).stdout;
      failedBackup = /Backup request "([^"]+)" submitted/.exec(out)?.[1] ?? "";
      const phase = c.kubectl([
        "-n",
        NAMESPACE,
        "get",
        "backups.velero.io",
        failedBackup,
        "-o",
        "jsonpath={.status.phase}",
      ]).stdout;
      assert.equal(phase, "PartiallyFailed");
      const errors = s.w.velero
        .cli(c, ["backup", "logs", failedBackup])
        .stdout.split("\n")
        .filter((l) => /level=error/.test(l));
      assert.ok(
        errors.some(
          (l) =>
            /Error executing hook/.test(l) &&
            /name=nebari-conda-store-postgresql-postgresql-0/.test(l) &&
            /conda-store\.dump.*exit status 1/.test(l),
        ),
        `the failed hook in the log:\n${errors.join("\n")}`,
      );
    } finally {
      nebari.breakCondaStoreDump(c, s.ctx, false);
    }
  });

  it("a restore that fails half way fails its step and leaves the database as it was (one transaction)", async () => {
    await onDestination(s, "destination-restore-fails", async () => {
      // An object the dump does not know depends on a table the restore must drop: pg_restore
      // fails part of the way through, after it dropped and replaced other tables.
      nebari.destinationSql("CREATE VIEW velero_dr_blocker AS SELECT username FROM user_entity");
      try {
        const before = nebari.keycloakState("destination");
        const r = await s.runChain(path.join(s.ctx.workDir, "chain-restore-fails.json"));
        assert.equal(r.ok, false);
        const failed = r.results.find((x) => x.status === "failed")!;
        assert.equal(failed.id, "nebari-keycloak-restore", failed.stderr);
        assert.match(failed.stderr, /velero_dr_blocker/);
        assert.deepEqual(nebari.keycloakState("destination"), before, "the database is as it was");
      } finally {
        nebari.destinationSql("DROP VIEW IF EXISTS velero_dr_blocker");
      }
    });
  });

  it("restores into a new cluster phase by phase with the project's chain; every check passes", async () => {
    await onDestination(s, "destination", restoreAndCheck);
  });

  async function restoreAndCheck() {
    const r = await s.runChain(path.join(s.ctx.workDir, "chain-1.json"));
    assertSucceeded(r);
    assertInOrder(r, SEED_ORDER);
    for (const c of await s.checks()) assert.ok(c.ok, `${c.name}: ${c.detail}`);
  }

  it("the chain refuses the PartiallyFailed backup when it is named", async () => {
    await onDestination(s, "destination-refuse", async () => {
      const r = await s.runChain(path.join(s.ctx.workDir, "chain-2.json"), {
        backup: { name: failedBackup },
      });
      assert.equal(r.ok, false);
      const failed = r.results.find((x) => x.status === "failed")!;
      assert.equal(failed.id, "wait-backup");
      assert.match(failed.stderr, /is PartiallyFailed; it cannot be restored safely/);
      assert.equal(s.dest.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items.length, 0);
    });
  });

  it("the drill catches a chain without the conda-store phase, its pg_restore steps, its NFS check and its promotion, and a backup without the NFS files", async () => {
    const nfsClaim = `${nebari.options.namespace}/${nebari.options.nfsServer}-storage`;
    await onDestination(
      s,
      "destination-mutated",
      async () => {
        // One destination for several mutations. Each verify step compares with the dump's counts,
        // so it goes with its restore step; the chain then ends green on the destination's older data.
        // Without its own phase conda-store comes back with the last one (Velero restores what is
        // not there yet), one Restore short. The NFS claim comes back, but the backup held no copy
        // of its files (the RFD's "tarball of the nfs file system" missing): with the chain's own
        // manifest check skipped, the NFS server runs on an empty /exports and only the drill tells.
        const skipped = [
          "restore-conda-store",
          "nebari-keycloak-restore",
          "nebari-keycloak-verify",
          "nebari-conda-store-restore",
          "nebari-conda-store-verify",
          "nebari-nfs-verify",
          PROMOTE,
        ];
        const chain = skipSteps(buildRestoreChain(s.chainInput()), skipped);
        assertSucceeded(await s.w.runChain(chain, path.join(s.ctx.workDir, "chain-mutated.json")));
        assertCaught(await s.checks(), [
          /^Keycloak: the restored database has the backup's users/,
          /^Keycloak: the restored database has the backup's groups/,
          /^conda-store: namespaces, environments and builds as in the backup/,
          /^NFS: every user file is back on the \/exports volume the destination's NFS server mounts/,
          /^the database clients .* were stopped for pg_restore/,
          /^one Velero Restore per phase/,
          /^the backup storage location ended ReadWrite/,
        ]);
      },
      { uncopied: [nfsClaim] },
    );
  });
});
