import { strict as assert } from "assert";
import { existsSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { appExpectations, appTestDir } from "../support/app-expectations";
import { runbook } from "../support/runbook";

/**
 * The runbook of every app's destination example, as reviewed: the snapshots are in the app's
 * folder (apps/<app>/test/snapshots/<stack>.md; UPDATE_SNAPSHOTS=1 rewrites them).
 */
describe("runbook (npm run runbook -- <stack>)", function () {
  this.timeout(60000);

  for (const [app, { examples }] of appExpectations()) {
    if (!examples) continue;
    it(`prints the ${app} example's runbook as reviewed, with its own steps`, () => {
      const stack = examples.destination;
      const file = path.join(appTestDir(app), "snapshots", `${stack}.md`);
      const r = runbook(stack);
      assert.equal(r.status, 0, r.stderr);
      if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(file)) writeFileSync(file, r.stdout);
      assert.equal(r.stdout, readFileSync(file, "utf8"));
      assert.ok(
        r.stdout.includes(examples.runbookLine),
        `the app's own steps are in it (${examples.runbookLine})`,
      );
    });
  }

  it("refuses a source stack, and an unknown stack, with a clear message", () => {
    const src = runbook("example-source-azure");
    assert.equal(src.status, 2);
    assert.match(src.stderr, /is a source stack; runbooks describe destination \(restore\) stacks/);
    const none = runbook("no-such-stack");
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no stack file .*Pulumi.no-such-stack.yaml/);
  });
});
