"use strict";
// Mocha's own summary ("N passing") is not what CI parses: it wants a plain
// "N passed, N failed" line. This reporter keeps the spec output and adds it.
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      // Printed after the spec epilogue so it is the last line of the run.
      process.on("exit", () => {
        process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
      });
    });
  }
}

module.exports = SummaryReporter;
