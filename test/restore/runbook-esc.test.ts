import { strict as assert } from "assert";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { readStackFile } from "../../components/config/stack-file";
import { runbook } from "../support/runbook";

/**
 * `npm run runbook` reads a stack's configuration through the Pulumi CLI when it knows the stack:
 * a key an ESC environment supplies is in `pulumi config --json`, not in the stack file. The CLI
 * here is a stand-in that prints `pulumi config --json`'s documented shape (value, objectValue,
 * secret without value) for one stack and fails like the CLI for others.
 */
describe("runbook: the stack's effective configuration through the Pulumi CLI (ESC)", function () {
  this.timeout(60000);
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "vdr-esc-"));
    // What the CLI shows of a stack whose every key comes from an ESC environment (no stack file).
    const example = readStackFile("example-destination-azure");
    const json: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(example.values)) {
      json[`velero-dr:${k}`] = example.secretKeys.includes(k)
        ? { secret: true }
        : typeof v === "object"
          ? { value: JSON.stringify(v), objectValue: v, secret: false }
          : { value: String(v), secret: false };
    }
    writeFileSync(path.join(dir, "esc-dr.json"), JSON.stringify(json));
    writeFileSync(
      path.join(dir, "pulumi"),
      [
        "#!/usr/bin/env bash",
        'stack=""; prev=""',
        'for a in "$@"; do [ "$prev" = "--stack" ] && stack="$a"; prev="$a"; done',
        'case "$1 $2 $stack" in',
        '  "config --json esc-dr") cat "$(dirname "$0")/esc-dr.json" ;;',
        "  *) echo \"error: no stack named '$stack' found\" >&2; exit 255 ;;",
        "esac",
      ].join("\n"),
    );
    chmodSync(path.join(dir, "pulumi"), 0o755);
    env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a stack whose keys come from an ESC environment (no stack file): the runbook from pulumi config", () => {
    const r = runbook("esc-dr", env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /# Restore runbook/i);
    assert.equal(r.stderr, "");
    // Without the CLI the same stack has no configuration at all.
    const offline = runbook("esc-dr");
    assert.equal(offline.status, 1);
    assert.match(offline.stderr, /no stack file/);
  });

  it("a stack the CLI does not know (an app's example): the stack file, saying why", () => {
    const r = runbook("example-destination-azure", env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, runbook("example-destination-azure").stdout);
    assert.match(r.stderr, /pulumi config -s example-destination-azure failed \(error: no stack named/);
  });
});
