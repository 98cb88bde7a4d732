import { strict as assert } from "assert";
import { spawn } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { DrillReport } from "../../drill/scenario";

const REPO = path.resolve(__dirname, "../..");

/**
 * `npm run drill` as a user runs it (the README's second command): the reference app backed up
 * by `pulumi up` of a source stack and recovered by `pulumi up` of a destination stack under the
 * real Pulumi CLI, the policy pack run by the real analyzer. The test reads the report it writes.
 */
describe("npm run drill: backup and recovery by real pulumi up runs", function () {
  this.timeout(40 * 60 * 1000);
  let report: DrillReport;
  let out = "";

  before(async () => {
    const dir = mkdtempSync(path.join(process.env.VELERO_DR_DRILL_DIR ?? os.tmpdir(), "npm-drill-"));
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn("npm", ["run", "-s", "drill"], {
        cwd: REPO,
        env: { ...process.env, VELERO_DR_DRILL_DIR: dir },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", resolve);
    });
    const file = /report written to (\S+)/.exec(out)?.[1];
    assert.ok(file, `no report (exit ${code}):\n${out}`);
    report = JSON.parse(readFileSync(file, "utf8"));
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(out);
  });

  it("passes, with every check of the report passing", () => {
    assert.equal(report.failure, undefined);
    const failed = report.checks.filter((c) => !c.ok);
    assert.deepEqual(failed, []);
    assert.ok(report.ok);
    assert.ok(report.checks.length >= 15, `${report.checks.length} checks`);
  });

  it("backed up by pulumi up of a source stack and recovered by pulumi up of a destination stack (CLI v3.276.0)", () => {
    const e = report.engine!;
    // The CLI the drill ran is the one of the SDK the program runs with (they are released together).
    assert.equal(e.cli, "v3.276.0");
    assert.equal(
      e.cli,
      `v${JSON.parse(readFileSync(path.join(REPO, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version}`,
    );
    assert.ok(e.sourceUp.ok && e.sourceUp.seconds > 0);
    assert.ok(e.destinationUp.ok && e.destinationUp.runs === 2);
    assert.ok(e.resumedAfterGate, "stopped at the KOTS gate and resumed after the flag");
    assert.ok(report.backup, "the backup restored is named");
  });

  it("the real policy analyzer passes both stacks and refuses the broken destination by the policy's name", () => {
    const e = report.engine!;
    assert.ok(e.policyPackPassed);
    assert.ok(
      e.brokenStackRefusedBy.includes("destination-bsl-read-only"),
      e.brokenStackRefusedBy.join(", "),
    );
  });

  it("recovers a second app by pulumi up (Nokia EDA), every one of its checks passing", () => {
    const apps = report.apps ?? [];
    assert.deepEqual(
      apps.map((a) => a.app),
      ["eda"],
    );
    const [eda] = apps;
    assert.equal(eda.failure, undefined);
    assert.ok(eda.sourceUp.ok && eda.destinationUp.ok && eda.policyPackPassed);
    assert.deepEqual(
      eda.checks.filter((c) => !c.ok),
      [],
    );
    assert.ok(eda.checks.length >= 5, `${eda.checks.length} checks`);
  });

  it("reports the engine's figures: destination preview time, recovery by engine vs runner", () => {
    const e = report.engine!;
    assert.ok(e.destinationPreviewSeconds > 0);
    assert.ok(e.engineRtoSeconds > 0 && e.runnerRtoSeconds > 0);
    assert.ok(Math.abs(e.overheadRatio - e.engineRtoSeconds / e.runnerRtoSeconds) < 1e-9);
    assert.ok(report.rtoSeconds >= e.engineRtoSeconds);
  });
});
