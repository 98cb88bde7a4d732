import { strict as assert } from "assert";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import {
  drillChart,
  drillWorkspace,
  initDestinationStack,
  initSourceStack,
  output,
  upWithVelero,
} from "../../../drill/engine-stacks";
import { EngineRun, EngineWorkspace } from "../../../drill/engine/workspace";
import { toolchain } from "../../../drill/lib/toolchain";
import { LocalCluster } from "../../../drill/lib/kube";
import { waitFor } from "../../../drill/lib/procs";
import { NAMESPACE } from "../../../drill/lib/velero";
import { dashEnterprise } from "../profile";
import { DashWorld, SCHEDULE } from "../drill/scenario";

const SOURCE = "drill-source";
const DEST_KILL = "drill-destination-killed";

/**
 * An engine fault, drilled: `pulumi up` of the destination killed (SIGKILL) in the middle of the
 * restore. The recovery README describes (`pulumi cancel` for the dead run's lock, then `pulumi up`)
 * must follow the same Velero Restore instead of starting a second one. The recovery without a
 * fault is `npm run drill` (test/e2e/npm-drill.e2e.ts).
 */
describe("real engine: pulumi up of a Dash Enterprise destination killed during the restore", function () {
  this.timeout(30 * 60 * 1000);
  let w: DashWorld;
  let ws: EngineWorkspace;
  let up: EngineRun | undefined;
  let chartPath = "";
  const log: string[] = [];

  before(async () => {
    const workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `engine-fault-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    w = new DashWorld({ ...toolchain(), workDir, log: (l) => log.push(l) });
    await w.startServices();
    await w.startSource();
    w.installFixture();
    chartPath = drillChart(w);
    ws = drillWorkspace(w, path.join(workDir, "engine"));
    initSourceStack(ws, w, SOURCE, {
      profile: dashEnterprise.name,
      schedules: [{ name: SCHEDULE, cron: "0 0 * * *", ttl: "720h" }],
      chartPath,
    });
    const c = w.source as LocalCluster;
    up = await upWithVelero(ws, w, SOURCE, c, "velero-source");
    assert.equal(up.code, 0, output(up));
    w.backupName = c.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items[0].metadata.name;
    await w.loseSource();
  });

  after(async () => {
    // The killed run's kubernetes provider outlives it (README: "When pulumi up itself dies").
    ws?.killStrays();
    await w?.stopAll();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`${up ? output(up) : ""}\n${log.join("\n")}`);
  });

  it("pulumi cancel, then pulumi up follows the same Restore to the gate (one Restore)", async () => {
    const d = await w.startDestinationCluster("destination-kill");
    initDestinationStack(ws, w, DEST_KILL, { source: SOURCE, target: w.target, chartPath });
    let kill: ((s: NodeJS.Signals) => void) | undefined;
    let restoring = false;
    const run = upWithVelero(ws, w, DEST_KILL, d, "velero-destination-kill", (line, k) => {
      kill = k;
      if (/command:local:Command\s+restore-restore\s+creating/.test(line)) restoring = true;
    });
    const restores = () => d.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
    await waitFor(
      "the restore step created its Restore",
      () => restoring && restores().length > 0,
      15 * 60_000,
      500,
    );
    kill?.("SIGKILL");
    up = await run;
    assert.equal(up.signal, "SIGKILL");
    // The killed CLI left its lock (a DIY backend's lock file, a Pulumi Cloud update in progress):
    // `pulumi cancel` removes it, then `pulumi up` again.
    const locked = ws.pulumiSync(["up", "--yes", "-s", DEST_KILL]);
    assert.notEqual(locked.code, 0);
    assert.match(output(locked), /currently locked/);
    const cancel = ws.pulumiSync(["cancel", "--yes", "-s", DEST_KILL]);
    assert.equal(cancel.code, 0, output(cancel));
    up = await ws.pulumi(["up", "--yes", "-s", DEST_KILL]);
    assert.match(output(up), /pending operations/);
    assert.notEqual(up.code, 0, "runs on to the KOTS gate");
    assert.match(output(up), /kotsRedeployed/);
    const after = restores();
    assert.equal(after.length, 1, "a second Velero restore was created");
    assert.equal(after[0].status.phase, "Completed");
  });
});
