import { strict as assert } from "assert";
import { DNS_UNPUBLISH } from "../../components/dns/provider";
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

  it("every guard runs before the DNS unpublish: a refused backup never leaves the app's DNS removed", () => {
    let apps = 0;
    for (const [app, { steps }] of appExpectations()) {
      if (!steps) continue;
      for (const chain of steps.variants.map((options) => chainFor(app, options))) {
        const byId = new Map(chain.steps.map((st) => [st.id, st]));
        const after = (id: string, seen = new Set<string>()): Set<string> => {
          for (const n of byId.get(id)?.needs ?? []) if (!seen.has(n)) after(n, seen.add(n));
          return seen;
        };
        const guards = chain.steps.filter((st) => st.kind === "guard").map((st) => st.id);
        // The manual provider's unpublish is a gate (the operator removes the records), the others'
        // a dns-unpublish step: either way the step with the unpublish id.
        for (const unpublish of chain.steps.filter((st) => st.id === DNS_UNPUBLISH)) {
          const before = after(unpublish.id);
          assert.deepEqual(
            guards.filter((g) => !before.has(g)),
            [],
            `${app}: ${unpublish.id} can run before these guards`,
          );
        }
      }
      apps += chainFor(app, steps.variants[0]).steps.some((st) => st.id === DNS_UNPUBLISH) ? 1 : 0;
    }
    assert.ok(apps >= 3, "the apps with a version guard are among those checked");
  });
});
