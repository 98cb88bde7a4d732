// mocha configuration of `npm test` (the drill's is test/e2e/mocharc.json).
//
// Spec order matters in parallel mode: mocha hands the files to its two workers in the order given,
// and a long file handed out last keeps one worker busy while the other idles. So the files that
// take longest (measured: docs/PERFORMANCE.md, section 5) go first; the rest follow in path order.
// A file missing from SLOW_FIRST only runs later; one listed here that no longer exists fails loudly.
"use strict";
const fs = require("fs");
const path = require("path");

const SLOW_FIRST = [
  "apps/dash-enterprise/test/chain-runs.test.ts",
  "test/stacks/loading.test.ts",
  "test/stacks/registrations.test.ts",
  "test/destination/destination-azure.test.ts",
  "apps/codedx/test/steps.test.ts",
  "test/restore/runbook.test.ts",
  "test/config/s3compat-configs.test.ts",
  "test/config/bad-configs.test.ts",
  "test/policies/pack-server.test.ts",
];

function specs(dir) {
  return fs
    .readdirSync(path.join(__dirname, dir), { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith(".test.ts"));
}

const all = [...specs("test"), ...specs("apps")].sort();
for (const f of SLOW_FIRST) {
  if (!all.includes(f)) throw new Error(`.mocharc.js: ${f} is listed in SLOW_FIRST but does not exist`);
}

module.exports = {
  require: ["ts-node/register/transpile-only"],
  spec: [...SLOW_FIRST, ...all.filter((f) => !SLOW_FIRST.includes(f))],
  reporter: "test/support/summary-reporter.js",
  timeout: 60000,
  exit: true,
  parallel: true,
  jobs: 3,
};
