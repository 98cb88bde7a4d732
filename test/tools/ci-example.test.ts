import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseArgs } from "../../tools/automation/cli";

/** The scheduled-rehearsal example: what README promises of it holds. */
describe("examples/ci: the weekly rehearsal workflow", () => {
  const file = path.join(__dirname, "..", "..", "examples", "ci", "rehearse-weekly.github-actions.yml");
  const text = readFileSync(file, "utf8");
  const wf = parse(text);
  const steps: { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[] =
    wf.jobs.rehearse.steps;

  it("runs on a schedule and logs in with OIDC only: no stored secret", () => {
    assert.ok(wf.on.schedule?.[0]?.cron);
    assert.equal(wf.permissions["id-token"], "write");
    assert.doesNotMatch(text, /secrets\./);
    assert.ok(steps.some((s) => s.uses?.startsWith("azure/login@")));
    assert.ok(steps.some((s) => s.uses?.startsWith("pulumi/auth-actions@")));
  });

  it("runs npm run rehearse with arguments the driver accepts, and uploads the report even on failure", () => {
    const run = steps.find((s) => s.run?.includes("npm run rehearse"))?.run as string;
    const argv = run
      .replace(/^npm run rehearse -- /, "")
      .replace('"$STACK"', wf.env.STACK)
      .split(/\s+/)
      .filter(Boolean);
    const a = parseArgs("rehearse", argv, ["--keep", "--gate"]);
    assert.equal(a.stack, wf.env.STACK);
    assert.deepEqual(Object.keys(a.gates), ["app.kotsRedeployed"]);
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    assert.equal(upload?.if, "always()");
    assert.equal(upload?.with?.path, "reports/");
    assert.equal(path.relative(a.workDir, a.outDir), "reports");
  });
});
