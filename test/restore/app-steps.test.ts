import { strict as assert } from "assert";
import { stepScript } from "../../components/restore/step";
import { appExpectations } from "../support/app-expectations";
import { chainFor } from "../support/app-steps";
import { shellcheck } from "../support/bash";

/**
 * The apps' own post-restore steps, as a whole: each app's steps are tested in its folder
 * (apps/<app>/test/steps.test.ts); which steps it has, and over which option sets they are
 * checked, is in apps/<app>/test/expectations.ts.
 */
describe("application restore steps, run by bash against fake kubectl", function () {
  this.timeout(60000);

  it("every application step script passes shellcheck", () => {
    for (const [app, { steps }] of appExpectations()) {
      if (!steps) continue;
      const ids = new Set<string>();
      for (const chain of steps.variants.map((options) => chainFor(app, options))) {
        for (const s of chain.steps) {
          if (!s.id.startsWith(steps.prefix)) continue;
          ids.add(s.id);
          assert.equal(shellcheck(stepScript(s)), "", s.id);
        }
      }
      assert.deepEqual([...ids].sort(), [...steps.own].sort(), app);
    }
  });
});
