import { strict as assert } from "assert";
import { runProgram, stackFileConfig, RunResult } from "../support/harness";

describe("example-source-azure under mocks", () => {
  let run: RunResult;
  before(async () => {
    const { config, secretKeys } = stackFileConfig("example-source-azure");
    run = await runProgram("example-source-azure", config, secretKeys);
  });

  it("runs without error", () => {
    assert.equal(run.error, undefined, run.error?.message);
  });

  it("lists what it registered", () => {
    console.log(run.recorder.resources.map((r) => `${r.type} ${r.name}`).join("\n"));
  });
});
