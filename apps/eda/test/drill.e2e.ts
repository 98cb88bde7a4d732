import { strict as assert } from "assert";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { EDA_BACKUP_CLAIM, VERSION_LABEL } from "../profile";
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
import { PROMOTE, RESTORE } from "../../../components/restore/velero-steps";
import { EdaDrill } from "../drill";
import { NAMESPACE } from "../../../drill/lib/velero";
import { OLD_LB } from "../../../drill/scenario";

/**
 * Nokia EDA through the local drill: the source stack's preparation (backup claim, version check),
 * the profile's `edactl platform backup` hook in the toolbox, a real backup labelled with the
 * version; on the destination the version guard, the claim-only restore, the mount and
 * `edactl platform restore` through the project's chain (edactl is the drill's stand-in).
 */
describe("local DR drill: Nokia EDA (edactl hook, version guard, platform restore)", function () {
  this.timeout(20 * 60 * 1000);
  const eda = new EdaDrill("25.4.1");
  const suite = appDrillSuite(eda);
  let s: AppScenario;
  before(() => {
    s = suite.s;
  });

  it("the hook wrote a platform tarball onto the claim the source preparation mounted; the backup records the version", () => {
    const c = s.source;
    const backup = c.getJson(["-n", NAMESPACE, "get", "backups.velero.io", s.backupName]);
    assert.equal(backup.metadata.labels[VERSION_LABEL], "25.4.1");
    assert.match(s.w.velero.cli(c, ["backup", "logs", s.backupName]).stdout, /hookName=eda-platform-backup/);
    const claim = c.getJson(["-n", "eda-system", "get", "pvc", EDA_BACKUP_CLAIM]);
    assert.equal(claim.metadata.labels["velero-dr/volume"], "eda-backup");
    const tarballs = readdirSync(s.volumes.claimDir("backup-copy", "eda-system", EDA_BACKUP_CLAIM)).filter(
      // The name the vendor's document gives edactl's tarball.
      (f) => /^eda-backup-engine-config-[0-9-]+\.tgz$/.test(f),
    );
    assert.equal(tarballs.length, 1, tarballs.join(", "));
  });

  it("refuses a destination that runs another EDA version before restoring anything", async () => {
    eda.destinationVersion = "25.6.0";
    try {
      await onDestination(s, "destination-other-version", async () => {
        // A stack that moves EDA's name too (its own choice; the document does not): the DNS removal
        // must still wait for the version guard.
        const r = await s.runChain(path.join(s.ctx.workDir, "chain-version.json"), {
          dns: s.w.dnsConfig(eda.baseDomain),
        });
        assert.equal(r.ok, false);
        const failed = r.results.find((x) => x.status === "failed")!;
        assert.equal(failed.id, "guard-app-version");
        assert.match(failed.stderr, /is of version 25\.4\.1, but the destination runs 25\.6\.0/);
        assert.equal(s.dest.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items.length, 0);
        // Nothing outside the new cluster changed either: the app's DNS still answers the old address.
        assert.equal(s.w.bind.query(eda.baseDomain, "A"), OLD_LB);
      });
    } finally {
      eda.destinationVersion = "";
    }
  });

  it("restores the platform into a new cluster of the same version; a re-run restores nothing twice", async () => {
    await onDestination(s, "destination", async () => {
      const r = await s.runChain(path.join(s.ctx.workDir, "chain-1.json"));
      assertSucceeded(r);
      assertInOrder(r, SEED_ORDER);
      for (const c of await s.checks()) assert.ok(c.ok, `${c.name}: ${c.detail}`);
      // Only the claim and its volume came back: EDA rebuilds everything else from the tarball.
      const restored = s.w.velero.cli(s.dest, [
        "restore",
        "describe",
        `restore-${s.backupName}`,
        "--colorized=false",
      ]).stdout;
      assert.match(restored, /Items restored:\s+2\n/);
      assert.equal(
        s.dest.getJson(["-n", "eda-system", "get", "pvc"]).items[0].metadata.name,
        EDA_BACKUP_CLAIM,
      );
      // The whole chain again without its record of progress: nothing is restored twice.
      const again = await s.runChain(path.join(s.ctx.workDir, "chain-1-lost.json"));
      assertSucceeded(again);
      assert.match(again.results.find((x) => x.id === "eda-platform-restore")!.stdout, /restored already/);
      const restores = readFileSync(eda.restoreLog("destination", s.ctx), "utf8").trim().split("\n");
      assert.equal(restores.length, 1);
    });
  });

  it("the drill catches a chain without its Velero restore, claim mount, platform restore and promotion, and a stack that moves DNS", async () => {
    await onDestination(s, "destination-mutated", async () => {
      // One destination for several mutations: four steps skipped, and DNS moved although Nokia's
      // procedure leaves it alone. Without the Velero restore the saved backup never reaches the
      // eda-toolbox (the document's "copy the saved backup to the eda-toolbox pod"). The chain still
      // ends green (its health step sees EDA's workloads ready): only the drill's checks can tell.
      const chain = buildRestoreChain(s.chainInput({ dns: s.w.dnsConfig(eda.baseDomain) }));
      const skipped = [RESTORE, "eda-mount-backup", "eda-platform-restore", PROMOTE];
      assertSucceeded(
        await s.w.runChain(skipSteps(chain, skipped), path.join(s.ctx.workDir, "chain-mutated.json")),
      );
      assertCaught(await s.checks(), [
        /^the destination's EDA platform state is the source's/,
        /^edactl platform restore ran once/,
        /^the destination's eda-toolbox mounts the restored backup claim/,
        /^one Velero Restore per phase \(all\), each Completed/,
        /^the backup storage location ended ReadWrite/,
        /^DNS: eda\.example\.com unchanged/,
      ]);
    });
  });
});
