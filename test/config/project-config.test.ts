import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { readStackFile } from "../../components/config/stack-file";
import { exampleStacks } from "../../components/config/example-stacks";
import { CONFIG_KEY_DESCRIPTIONS } from "../../components/config/descriptions";
import { RawConfigInput } from "../../components/config/validate";
import { validateStackConfig } from "../../stacks/config";
import {
  configKeys,
  generatedSection,
  PROJECT_FILE,
  projectConfig,
  sectionOf,
} from "../../tools/project-config";

/**
 * Pulumi.yaml's `config:` block is generated from the schemas, and declares only what the Pulumi CLI
 * then does the same way the program does: a declared key without a default is required by the CLI
 * (so it must be required by every stack's schema), a declared default is set by the CLI on a stack
 * that does not set the key (so the program must read it exactly as the key left out).
 */

/** What the CLI hands the program: the stack's values, and each declared default where the stack has none. */
function withDeclaredDefaults(input: RawConfigInput): RawConfigInput {
  const values = { ...input.values };
  for (const [key, d] of Object.entries(projectConfig().declared)) {
    if (values[key] === undefined && d.default !== undefined) values[key] = structuredClone(d.default);
  }
  return { ...input, values };
}

/** A validated config as data (its app chain's functions left out: they are rebuilt on every call). */
function data(config: unknown): string {
  return JSON.stringify(config);
}

const TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
};

describe("config: Pulumi.yaml's config block (generated from the schemas)", function () {
  this.timeout(120000);
  const examples = exampleStacks();

  it("is what `npm run gen:project-config` generates from the schemas", async () => {
    assert.equal(
      sectionOf(readFileSync(PROJECT_FILE, "utf8")),
      await generatedSection(),
      "Pulumi.yaml's config block differs from the schemas: run `npm run gen:project-config`",
    );
  });

  it("describes exactly the top-level keys the source and destination schemas know", () => {
    assert.deepEqual(Object.keys(CONFIG_KEY_DESCRIPTIONS).sort(), [...configKeys().keys()].sort());
    const { declared, undeclared } = projectConfig();
    assert.deepEqual(
      [...Object.keys(declared), ...Object.keys(undeclared)].sort(),
      [...configKeys().keys()].sort(),
    );
    for (const key of ["role", "cloud", "profile"]) assert.ok(declared[key], `${key} declared`);
  });

  it("declares what the CLI accepts: a known type, array items, a default of that type", () => {
    for (const [key, d] of Object.entries(projectConfig().declared)) {
      assert.ok(d.type && TYPES[d.type], `${key}: type ${d.type}`);
      if (d.type === "array") assert.ok(d.items, `${key}: items`);
      if (d.default !== undefined) assert.ok(TYPES[d.type](d.default), `${key}: default of type ${d.type}`);
      assert.ok(d.description.length > 10, `${key}: description`);
    }
  });

  it("gives every example stack's values the declared types (what `pulumi preview` checks before the program)", () => {
    // The CLI's ValidateConfigValue also takes "true"/"false" for a boolean and an integer's digits as text.
    const accepts = (type: string, v: unknown) =>
      TYPES[type](v) ||
      (type === "boolean" && (v === "true" || v === "false")) ||
      (type === "integer" && typeof v === "string" && /^[-+]?\d+$/.test(v));
    for (const e of examples) {
      const input = readStackFile(e.stack);
      for (const [key, d] of Object.entries(projectConfig().declared)) {
        const v = input.values[key];
        if (v !== undefined)
          assert.ok(accepts(d.type!, v), `${e.stack}: ${key} ${JSON.stringify(v)} is not ${d.type}`);
      }
    }
  });

  it("requires (no default) only keys without which every example stack is refused anyway", () => {
    const required = Object.entries(projectConfig().declared).filter(([, d]) => d.default === undefined);
    assert.ok(required.length >= 3);
    assert.ok(examples.length > 5, "example stacks found");
    for (const e of examples) {
      const input = readStackFile(e.stack);
      validateStackConfig(input);
      for (const [key] of required) {
        const rest = { ...input.values };
        delete rest[key];
        assert.throws(
          () => validateStackConfig({ ...input, values: rest }),
          (err: Error) => err.message.includes(`velero-dr:${key}`) || err.message.includes(`velero-dr:role`),
          `${e.stack} without ${key}`,
        );
      }
    }
  });

  it("declares defaults the program reads exactly as the key left out, on every example stack", () => {
    for (const e of examples) {
      const input = readStackFile(e.stack);
      assert.equal(
        data(validateStackConfig(withDeclaredDefaults(input))),
        data(validateStackConfig(input)),
        `${e.stack}: a declared default changes the validated config`,
      );
    }
  });

  it("declares defaults the program reads exactly as the key left out, each key left out of each example", () => {
    // The example stacks set most of those keys themselves: leave out one at a time.
    const optional = Object.entries(projectConfig().declared)
      .filter(([, d]) => d.default !== undefined)
      .map(([k]) => k);
    let compared = 0;
    for (const e of examples) {
      const input = readStackFile(e.stack);
      for (const key of optional.filter((k) => input.values[k] !== undefined)) {
        const values = { ...input.values };
        delete values[key];
        const without = { ...input, values };
        let bare: unknown;
        try {
          bare = validateStackConfig(without);
        } catch (err) {
          // A stack that needs the key (an app's required setting) is refused both ways, identically.
          assert.throws(() => validateStackConfig(withDeclaredDefaults(without)), {
            message: (err as Error).message,
          });
          continue;
        }
        assert.equal(
          data(validateStackConfig(withDeclaredDefaults(without))),
          data(bare),
          `${e.stack} ${key}`,
        );
        compared++;
      }
    }
    assert.ok(compared > examples.length, `only ${compared} stacks compared`);
  });
});
