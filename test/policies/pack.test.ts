import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";
import { allPolicies } from "../../policies/rules/all";

/** The pack as the CLI loads it: metadata, package files, the example config, the README. */

const POLICIES = path.join(__dirname, "..", "..", "policies");
const read = (file: string) => readFileSync(path.join(POLICIES, file), "utf8");
const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

describe("policies: the pack", () => {
  it("has uniquely, validly named policies ('all' is reserved)", () => {
    const names = allPolicies.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, "duplicate names");
    for (const n of names) assert.match(n, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(!names.includes("all"));
  });

  it("gives every policy a why, remediation steps, a level and a severity", () => {
    for (const p of allPolicies) {
      assert.ok(p.description.length > 60, `${p.name}: description says why`);
      assert.ok((p.remediationSteps ?? "").length > 20, `${p.name}: remediationSteps`);
      assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", `${p.name}: level`);
      assert.ok(p.severity, `${p.name}: severity`);
    }
  });

  it("has config schemas with a type and default per property, and no enforcementLevel inside", () => {
    for (const p of allPolicies.filter((x) => x.configSchema)) {
      for (const [key, schema] of Object.entries(p.configSchema!.properties)) {
        assert.notEqual(key, "enforcementLevel", p.name);
        assert.ok(
          typeof schema === "object" && schema.type && schema.default !== undefined,
          `${p.name}.${key}`,
        );
      }
    }
  });

  it("has PulumiPolicy.yaml and a package.json with a version and exact dependencies", () => {
    const yaml = parseYaml(read("PulumiPolicy.yaml"));
    assert.equal(yaml.runtime, "nodejs");
    assert.ok(yaml.description.length > 20);
    const pkg = JSON.parse(read("package.json"));
    assert.equal(pkg.version, "0.1.0");
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), [
      "@pulumi/policy",
      "@pulumi/pulumi",
      "@types/node",
      "cron-parser",
      "ts-node",
      "typescript",
    ]);
    // The pack runs on the project's node_modules in this repository: the same exact versions as the
    // project's lock file installs (the package may take a range where it is a library's dependency).
    const lock = JSON.parse(readFileSync(path.join(POLICIES, "..", "package-lock.json"), "utf8"));
    for (const [name, version] of Object.entries(pkg.dependencies)) {
      assert.equal(lock.packages[`node_modules/${name}`]?.version, version, name);
    }
  });

  it("serves exactly allPolicies from index.ts, which does nothing else (read as text: importing it starts a server)", () => {
    const code = read("index.ts").replace(/\/\/.*$/gm, "");
    assert.deepEqual(
      [...code.matchAll(/from "([^"]+)"/g)].map((m) => m[1]),
      ["@pulumi/policy", "./rules/all"],
    );
    assert.match(code, /new PolicyPack\("velero-dr", \{[\s\S]*policies: allPolicies,[\s\S]*\}\);\s*$/);
  });

  it("ships an example config that the policies' schemas accept", () => {
    const config = JSON.parse(read("policy-config.example.json")) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false });
    for (const [name, value] of Object.entries(config)) {
      const policy = allPolicies.find((p) => p.name === name);
      assert.ok(name === "all" || policy, `unknown policy ${name}`);
      if (typeof value === "string") {
        assert.ok(LEVELS.includes(value), `${name}: ${value}`);
        continue;
      }
      const schema = {
        type: "object",
        properties: { ...(policy?.configSchema?.properties ?? {}), enforcementLevel: { enum: LEVELS } },
        additionalProperties: false,
      };
      assert.ok(ajv.validate(schema, value), `${name}: ${ajv.errorsText()}`);
    }
  });

  it("documents every policy in policies/README.md with its level", () => {
    const readme = read("README.md");
    for (const p of allPolicies) {
      const row = readme.split("\n").find((l) => l.includes(`\`${p.name}\``));
      assert.ok(row, `${p.name} missing from the README`);
      assert.ok(row.includes(p.enforcementLevel!), `${p.name}: README level`);
    }
  });
});
