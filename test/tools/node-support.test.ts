import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import * as semver from "semver";

/**
 * The Node.js lines the project supports (README "Node versions"): package.json's engines, the Node
 * .ci/run installs, @types/node and every locked package's own engines agree.
 */

const ROOT = path.join(__dirname, "..", "..");
const json = (f: string) => JSON.parse(readFileSync(path.join(ROOT, f), "utf8"));
const pkg = json("package.json");
const lock = json("package-lock.json");
const ciNode = /^NODE_VERSION=(\S+)$/m.exec(readFileSync(path.join(ROOT, ".ci", "run"), "utf8"))?.[1];
/** The supported LTS lines (majors). */
const SUPPORTED = ["22", "24"];

describe("Node.js support: engines, CI's Node, @types/node, the locked packages", () => {
  it("declares the supported LTS lines, and CI installs a release of the first", () => {
    const engines: string = pkg.engines.node;
    assert.equal(lock.packages[""].engines.node, engines, "package-lock.json is in step with package.json");
    for (const major of SUPPORTED) {
      assert.ok(semver.intersects(engines, `^${major}.0.0`), `engines accept Node ${major}`);
    }
    assert.ok(!semver.intersects(engines, "^20.0.0"), "Node 20 (end of life) is not declared");
    assert.ok(ciNode && semver.satisfies(ciNode, engines), `.ci/run's Node ${ciNode} satisfies ${engines}`);
    assert.equal(semver.major(ciNode!), Number(SUPPORTED[0]));
  });

  it("types the code for the Node CI runs (@types/node, also in the policy pack)", () => {
    const types = pkg.devDependencies["@types/node"];
    assert.equal(semver.major(types), semver.major(ciNode!));
    assert.equal(json("policies/package.json").dependencies["@types/node"], types);
  });

  it("locks only packages whose engines accept the lowest release of every supported line and CI's", () => {
    // The lowest release of each supported line the engines accept, and CI's.
    const branches: string[] = pkg.engines.node.split("||");
    const versions = SUPPORTED.map((major) => {
      const branch = branches.find((r) => semver.intersects(r, `^${major}.0.0`));
      return semver.minVersion(branch!)!.version;
    });
    versions.push(ciNode!);
    const refused: string[] = [];
    for (const [name, meta] of Object.entries<{ engines?: { node?: string } }>(lock.packages)) {
      const range = meta.engines?.node;
      if (!name || !range) continue;
      for (const v of versions)
        if (!semver.satisfies(v, range)) refused.push(`${name} (${range}) refuses ${v}`);
    }
    assert.deepEqual(refused, []);
  });
});
