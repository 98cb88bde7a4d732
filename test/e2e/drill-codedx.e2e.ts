import { strict as assert } from "assert";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { AppScenario } from "../../drill/app-scenario";
import { CodedxDrill } from "../../drill/apps/codedx";
import { toolchain } from "../../drill/lib/toolchain";
import { NAMESPACE } from "../../drill/lib/velero";

/**
 * Code Dx through the local drill: the vendor's database-backup hook in the MariaDB subordinate
 * (against a real MariaDB; backup.sh is a stand-in), the source stack's preparation leaving the
 * data claims out, PriorityClasses restored first, restart-db for real. codedx-restore-db is not
 * run here (see drill/apps/codedx.ts); the chain goes on past it as after a manual restore.
 */
describe("local DR drill: Code Dx (database-backup hook, PriorityClasses first, restart-db)", function () {
  this.timeout(20 * 60 * 1000);
  const log: string[] = [];
  const codedx = new CodedxDrill();
  let s: AppScenario;

  before(async () => {
    const workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `codedx-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    s = new AppScenario({ ...toolchain(), workDir, log: (l) => log.push(l) }, codedx);
    await s.backUpSource();
  });

  after(async () => {
    await s?.stopAll();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(log.join("\n"));
    log.length = 0;
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

  it("restores PriorityClasses first, then everything; restart-db gives MariaDB new claims; the chain completes", async () => {
    await s.startDestination("destination");
    try {
      const state = path.join(s.ctx.workDir, "chain-1.json");
      const first = await s.runChain(state, {}, "codedx-restart-db");
      assert.ok(
        first.ok,
        JSON.stringify(
          first.results.filter((x) => x.status === "failed"),
          null,
          2,
        ),
      );
      assert.deepEqual(
        first.results.map((x) => x.id).filter((id) => /^restore|^codedx/.test(id)),
        ["restore-priority-classes", "restore", "codedx-restart-db"],
      );
      s.markDone(state, "codedx-restore-db");
      const rest = await s.runChain(state);
      assert.ok(
        rest.ok,
        JSON.stringify(
          rest.results.filter((x) => x.status === "failed"),
          null,
          2,
        ),
      );
      assert.equal(rest.results.find((x) => x.id === "codedx-restore-db")?.status, "skipped");
      assert.equal(rest.results[rest.results.length - 1].id, "codedx-health");
      const restores = s.dest.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
      assert.ok(restores.every((r: any) => r.status.phase === "Completed"));
      for (const c of await s.checks()) assert.ok(c.ok, `${c.name}: ${c.detail}`);
    } finally {
      await s.stopDestination("destination");
    }
  });
});
