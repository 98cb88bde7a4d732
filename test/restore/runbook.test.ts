import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { existsSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const SNAPSHOT = path.join(__dirname, "snapshots", "example-destination-azure.md");

function runbook(stack: string) {
  return spawnSync(
    process.execPath,
    [require.resolve("ts-node/dist/bin"), "--transpile-only", "tools/runbook.ts", stack],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
}

describe("runbook (npm run runbook -- <stack>)", function () {
  this.timeout(60000);

  for (const app of ["codedx", "nebari", "eda"]) {
    it(`prints the ${app} example's runbook as reviewed, with its own steps`, () => {
      const stack = `example-destination-${app}`;
      const file = path.join(__dirname, "snapshots", `${stack}.md`);
      const r = runbook(stack);
      assert.equal(r.status, 0, r.stderr);
      if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(file)) writeFileSync(file, r.stdout);
      assert.equal(r.stdout, readFileSync(file, "utf8"));
      const own: Record<string, string> = {
        codedx: "`codedx-restore-db` · repair",
        nebari: "`nebari-keycloak-verify` · verify",
        eda: "`eda-platform-restore` · restore",
      };
      assert.ok(r.stdout.includes(own[app]), `the app's own steps are in it (${own[app]})`);
    });
  }

  it("prints the example's runbook exactly as reviewed (UPDATE_SNAPSHOTS=1 rewrites the snapshot)", () => {
    const r = runbook("example-destination-azure");
    assert.equal(r.status, 0, r.stderr);
    if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(SNAPSHOT)) writeFileSync(SNAPSHOT, r.stdout);
    assert.equal(r.stdout, readFileSync(SNAPSHOT, "utf8"));
  });

  it("lists every step with its commands, in order, with a mermaid graph of the dependencies", () => {
    const out = runbook("example-destination-azure").stdout;
    const headings = [...out.matchAll(/^### (\d+)\. /gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      headings,
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
    assert.match(out, /```mermaid\ngraph TD\n/);
    assert.match(out, /s4 --> s5/, "DNS unpublish before the restore");
    assert.match(out, /\*\*Gate\*\* — a person acts here/);
    assert.match(out, /Continue: `pulumi config set --path velero-dr:app.kotsRedeployed true`/);
    assert.match(out, /az network dns record-set a add-record .* -n dash --ipv4-address "\$LB_ADDRESS"/);
  });

  it("refuses a source stack, and an unknown stack, with a clear message", () => {
    const src = runbook("example-source-azure");
    assert.equal(src.status, 2);
    assert.match(src.stderr, /is a source stack; runbooks describe destination \(restore\) stacks/);
    const none = runbook("no-such-stack");
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no stack file .*Pulumi.no-such-stack.yaml/);
  });
});
