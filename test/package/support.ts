import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

/** Runs import-check.js on modules in a fresh process (with ts-node for sources) and returns what it saw. */

const ROOT = path.join(__dirname, "..", "..");
const CHECK = path.join(__dirname, "import-check.js");

interface Seen {
  registered: string[];
  config: string[];
  invoked: string[];
  failed: string[];
}

export function importCheck(modules: string[], tsNode: boolean): Seen {
  const run = spawnSync(
    process.execPath,
    [...(tsNode ? ["-r", "ts-node/register/transpile-only"] : []), CHECK, ...modules],
    { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" } },
  );
  assert.equal(run.status, 0, run.stderr);
  const last = run.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as Seen;
}
