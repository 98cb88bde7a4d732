import { strict as assert } from "assert";
import { apps, profileNames, profiles } from "../../components/apps";
import { lazyRecord } from "../../components/apps/lazy-record";
import { appChains } from "../../components/restore/apps";

/**
 * The app registries load an application's modules only when its entry is read (a stack loads
 * its own app only, test/stacks/loading.test.ts), and still list every app for the schema,
 * the policy pack and the tests.
 */
describe("app registries", () => {
  it("lazyRecord loads an entry on first read, once; keys need no load, values load all", () => {
    const loads: string[] = [];
    const r = lazyRecord({
      a: () => (loads.push("a"), { n: 1 }),
      b: () => (loads.push("b"), { n: 2 }),
    });
    assert.deepEqual(Object.keys(r), ["a", "b"]);
    assert.ok("a" in r && Object.prototype.hasOwnProperty.call(r, "b"));
    assert.deepEqual(loads, []);
    assert.equal(r.a.n, 1);
    assert.equal(r.a, r.a);
    assert.deepEqual(loads, ["a"]);
    assert.deepEqual(Object.values(r), [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(loads, ["a", "b"]);
    assert.ok(Object.isFrozen(r));
    assert.throws(() => {
      (r as Record<string, unknown>).c = 1;
    }, TypeError);
  });

  it("every app is registered under its own name, with a chain and a default profile", () => {
    assert.deepEqual(profileNames(), ["codedx", "dash-enterprise", "eda", "nebari"]);
    for (const name of profileNames()) {
      assert.equal(apps[name].name, name);
      assert.equal(profiles[name].name, name);
      assert.ok(appChains[profiles[name].restore.chain], `${name}: chain ${profiles[name].restore.chain}`);
    }
    assert.deepEqual(Object.keys(appChains).sort(), profileNames());
  });
});
