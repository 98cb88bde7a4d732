import { strict as assert } from "assert";
import { spawn } from "child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "fs";
import { isBuiltin } from "module";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import { allPolicies } from "../../policies/rules/all";
import { GENERATED_DIR, generatedFiles } from "../../tools/policy-pack-sources";

/**
 * The pack publishable on its own: `pulumi policy publish` uploads the policies/ folder and the service
 * installs its package.json, so nothing the pack runs may come from outside that folder.
 */

const ROOT = path.join(__dirname, "..", "..");
const POLICIES = path.join(ROOT, "policies");

function packSources(dir = POLICIES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "bin" ? [] : packSources(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** PulumiPolicy.yaml's keys (Pulumi's policy pack project file reference; PolicyPackProject in the CLI). */
const POLICY_PROJECT_KEYS = ["runtime", "version", "main", "description", "author", "website", "license"];

describe("policies: the pack is self-contained (publishable with pulumi policy publish)", function () {
  this.timeout(300000);

  it("imports only files inside policies/ and packages its own package.json lists", () => {
    const deps = Object.keys(
      JSON.parse(readFileSync(path.join(POLICIES, "package.json"), "utf8")).dependencies,
    );
    const outside: string[] = [];
    const files = packSources();
    assert.ok(files.length > 10, "the pack's sources were found");
    for (const file of files) {
      const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      for (const { fileName: spec } of info.importedFiles) {
        const where = `${path.relative(ROOT, file)} imports "${spec}"`;
        if (spec.startsWith(".")) {
          const target = path.relative(POLICIES, path.resolve(path.dirname(file), spec));
          if (target.startsWith("..") || path.isAbsolute(target)) outside.push(where);
        } else if (!isBuiltin(spec) && !deps.includes(packageName(spec))) {
          outside.push(`${where}, not a dependency in policies/package.json`);
        }
      }
    }
    assert.deepEqual(
      outside,
      [],
      "run `npm run gen:policy-pack` for program modules (tools/policy-pack-sources.ts)",
    );
  });

  it("carries the program's modules and app profiles exactly as `npm run gen:policy-pack` generates them", async () => {
    const want = await generatedFiles();
    const onDisk = packSources(path.join(ROOT, GENERATED_DIR)).map((f) =>
      path.relative(ROOT, f).split(path.sep).join("/"),
    );
    assert.deepEqual(onDisk.sort(), [...want.keys()].sort(), "run `npm run gen:policy-pack`");
    for (const [rel, text] of want) {
      assert.equal(
        readFileSync(path.join(ROOT, rel), "utf8"),
        text,
        `${rel} is stale: run \`npm run gen:policy-pack\``,
      );
    }
  });

  it("has a PulumiPolicy.yaml with documented keys only", () => {
    const project = parseYaml(readFileSync(path.join(POLICIES, "PulumiPolicy.yaml"), "utf8"));
    const unknown = Object.keys(project).filter((k) => !POLICY_PROJECT_KEYS.includes(k));
    assert.deepEqual(unknown, []);
    assert.equal(project.runtime, "nodejs");
  });

  it("serves every policy from a copy of the folder alone, type-checked as run-policy-pack starts it", async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "velero-dr-pack-"));
    try {
      cpSync(POLICIES, copy, {
        recursive: true,
        filter: (src) => !/[/\\](node_modules|bin)$/.test(src),
      });
      // The packages its package.json lists, as `npm install` in the published folder would provide.
      symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
      assert.ok(!existsSync(path.join(copy, "..", "components")));
      const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
      const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
        cwd: copy,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      try {
        const port = await new Promise<string>((resolve, reject) => {
          let out = "";
          child.stdout!.on("data", (d) => {
            out += d;
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(m[1]);
          });
          child.on("exit", (code) => reject(new Error(`the copied pack exited (${code}):\n${stderr}`)));
        });
        assert.match(port, /^\d+$/);
      } finally {
        child.kill();
      }
      // And the rules it serves are the repository's.
      const names = spawnNames(copy);
      assert.deepEqual(
        await names,
        allPolicies.map((p) => p.name),
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

/** The policy names a copy's rules/all.ts lists, loaded in a process of its own. */
function spawnNames(dir: string): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [
      "-r",
      require.resolve("ts-node/register/transpile-only"),
      "-e",
      'console.log(JSON.stringify(require("./rules/all").allPolicies.map((p) => p.name)))',
    ],
    {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TS_NODE_PROJECT: path.join(dir, "tsconfig.json") },
    },
  );
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err)))),
  );
}
