import { strict as assert } from "assert";
import { existsSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { runbook } from "../../../test/support/runbook";

const SNAPSHOT = path.join(__dirname, "snapshots", "example-destination-azure.md");

/** The Dash Enterprise destination example's runbook (the reference app's, with its KOTS gate). */
describe("runbook (npm run runbook -- <stack>)", function () {
  this.timeout(60000);

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
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    assert.match(out, /```mermaid\ngraph TD\n/);
    assert.match(out, /s5 --> s6/, "DNS unpublish before the restore");
    assert.match(out, /s2 --> s5\n/, "the prerequisites check before DNS changes");
    assert.match(out, /\*\*Gate\*\* — a person acts here/);
    assert.match(out, /Continue: `pulumi config set --path velero-dr:app.kotsRedeployed true`/);
    assert.match(out, /az network dns record-set a add-record .* -n dash --ipv4-address "\$LB_ADDRESS"/);
  });

  it("exports VELERO_DR_STORAGE_READ_ONLY=true where the destination restores from storage it may not write (AWS), not elsewhere", () => {
    // restore.sh reads it: without it, a restore by hand on the AWS destination fails on Velero's
    // refused upload of the restore's log, which the stack's Commands accept.
    const aws = runbook("example-destination-aws");
    assert.equal(aws.status, 0, aws.stderr);
    assert.match(aws.stdout, /^export VELERO_DR_STORAGE_READ_ONLY=true$/m);
    assert.match(aws.stdout, /\*\*Reads:\*\* .*VELERO_DR_STORAGE_READ_ONLY, VELERO_DR_MODE/);
    const azure = runbook("example-destination-azure");
    assert.doesNotMatch(azure.stdout, /^export VELERO_DR_STORAGE_READ_ONLY=/m);
  });
});
