import { strict as assert } from "assert";
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";
import { importCheck } from "./support";

/**
 * The package declares `"sideEffects": false` and its README says importing it registers nothing:
 * every module the package ships (components/ and the built-in applications, as tsconfig.package.json
 * compiles them) is required in a fresh process with no Pulumi engine and no mocks, and must
 * register or read no resource, read no config, invoke nothing, and not throw. The consumer test
 * (test/package/consumer.pack.ts) runs the same check on the packed, compiled package.
 */

const ROOT = path.join(__dirname, "..", "..");
/** The sources tsconfig.package.json compiles (its `include`, expanded the way tsc reads it). */
export function packageSources(): string[] {
  const cfg = JSON.parse(readFileSync(path.join(ROOT, "tsconfig.package.json"), "utf8")) as {
    include: string[];
  };
  const all = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir)).flatMap((e) => {
      const rel = path.join(dir, e);
      return statSync(path.join(ROOT, rel)).isDirectory() ? all(rel) : [rel];
    });
  const toRegExp = (glob: string) =>
    new RegExp(
      "^" +
        glob
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*\*\//g, "(?:.*/)?")
          .replace(/\*/g, "[^/]*") +
        "$",
    );
  const patterns = cfg.include.map(toRegExp);
  return [...all("components"), ...all("apps")]
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .filter((f) => patterns.some((p) => p.test(f)))
    .sort();
}

describe("the component package: importing a module has no side effect", () => {
  it("compiles the components and the built-in applications' definitions, nothing of their tests or drills", () => {
    const files = packageSources();
    assert.ok(files.includes("components/index.ts"));
    assert.ok(files.includes("components/velero/velero-install.ts"));
    assert.ok(files.includes("apps/index.ts"));
    assert.deepEqual(
      files.filter((f) => /\/(test|drill|examples)\//.test(f) || f === "apps/reference.ts"),
      [],
    );
  });

  it("every module of the package, required with no engine and no mocks: nothing registered, no config read, nothing thrown", function () {
    this.timeout(120000);
    const seen = importCheck(packageSources(), true);
    assert.deepEqual(seen, { registered: [], config: [], invoked: [], failed: [] });
  });

  it("the check sees a module that registers, reads config or throws at import (it can fail)", function () {
    this.timeout(60000);
    const fixtures = ["registers", "reads-config", "throws"].map((f) => `test/package/fixtures/${f}.js`);
    const seen = importCheck(fixtures, false);
    assert.equal(seen.registered.length, 1, JSON.stringify(seen));
    assert.match(seen.registered[0], /^registerResource\(/);
    assert.deepEqual(seen.config, ["getConfig(fixture:key)"]);
    assert.equal(seen.failed.length, 1);
    assert.match(seen.failed[0], /throws\.js: fixture: cannot be imported/);
  });
});
