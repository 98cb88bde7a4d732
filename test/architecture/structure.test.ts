import { strict as assert } from "assert";
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";

/**
 * The layout's rules, checked on the source (docs: README "Layout"):
 * - no import cycles between folders (each folder of the project is a node; `import type` lines are
 *   not counted: erased at run time, they let a plug-in name the config type that selects it);
 * - components/model holds the leaf types and value rules: it imports nothing of the project;
 * - the generic folders name no application: an app's knowledge lives in apps/<name>/.
 */

const ROOT = path.join(__dirname, "..", "..");
const CODE_ROOTS = ["apps", "components", "stacks", "policies", "drill", "tools", "plugin"];
/** Folders whose code must not know any application by name (comments may name examples; tests may use any app as their example). */
const GENERIC = ["components", "stacks", "policies", "drill", "tools", ".ci", "plugin"];
const APP_WORDS = /dash|kots|mariadb|keycloak|edactl/i;
/**
 * Application knowledge generated from apps/ into a generic folder (the policy pack must not import
 * apps/: tools/policy-pack-sources.ts copies the data it needs). It still lives in apps/: the file is
 * generated, and test/policies/self-contained.test.ts fails when it differs from apps/.
 */
const GENERATED_FROM_APPS = ["policies/generated/app-profiles.ts"];

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    if (e === "node_modules") continue;
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p, ext));
    else if (ext.test(e)) out.push(p);
  }
  return out;
}

const rel = (p: string) => path.relative(ROOT, p);

/** Project folders each .ts file imports (relative imports, import/export/require). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const root of CODE_ROOTS) {
    for (const f of files(path.join(ROOT, root), /\.ts$/)) {
      const from = rel(path.dirname(f));
      const edges = graph.get(from) ?? new Set<string>();
      graph.set(from, edges);
      const src = readFileSync(f, "utf8");
      // Type-only imports are erased at run time; they are allowed between a selecting module and
      // its plug-ins (a backend's settings type is part of the stack config that selects it).
      const code = src.replace(/^import type [^;]*;$/gm, "").replace(/^export type [^;]*;$/gm, "");
      for (const m of code.matchAll(/(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)) {
        const target = path.resolve(path.dirname(f), m[1]);
        let dir = target;
        try {
          if (!statSync(target).isDirectory()) dir = path.dirname(target);
        } catch {
          dir = path.dirname(target);
        }
        const to = rel(dir);
        if (to !== from && !to.startsWith("..")) edges.add(to);
      }
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** Code lines (comments and string-free? no: strings count) that name an application. */
function appMentions(file: string): string[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const hits: string[] = [];
  let inBlock = false;
  lines.forEach((line, i) => {
    let code = line;
    if (inBlock) {
      const end = code.indexOf("*/");
      if (end < 0) return;
      code = code.slice(end + 2);
      inBlock = false;
    }
    code = code.replace(/\/\*.*?\*\//g, "");
    const start = code.indexOf("/*");
    if (start >= 0) {
      inBlock = true;
      code = code.slice(0, start);
    }
    code = code.replace(/(^|\s)\/\/.*$/, "").replace(/^\s*#.*$/, "");
    if (APP_WORDS.test(code)) hits.push(`${rel(file)}:${i + 1}: ${line.trim()}`);
  });
  return hits;
}

describe("layout: folders, dependencies and where application knowledge lives", () => {
  it("no import cycles between folders", () => {
    assert.deepEqual(cycles(folderGraph()), []);
  });

  it("the cycle check finds a cycle (it can fail)", () => {
    const g = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    assert.deepEqual(cycles(g), [["a", "b", "c"]]);
  });

  it("components/model imports nothing of the project", () => {
    const model = [...folderGraph().entries()].filter(([f]) => f.startsWith("components/model"));
    assert.ok(model.length > 0, "components/model exists");
    for (const [f, deps] of model) {
      assert.deepEqual(
        [...deps].filter((d) => !d.startsWith("components/model")),
        [],
        f,
      );
    }
  });

  it("the generic folders name no application outside comments", () => {
    const hits = GENERIC.flatMap((g) => {
      const dir = path.join(ROOT, g);
      return files(dir, /\.(ts|js|sh|mjs)$|^run$/)
        .filter((f) => !GENERATED_FROM_APPS.includes(rel(f)))
        .flatMap(appMentions);
    });
    assert.deepEqual(hits, []);
  });

  it("exempts only files generated from apps/", () => {
    for (const f of GENERATED_FROM_APPS) {
      assert.match(readFileSync(path.join(ROOT, f), "utf8"), /^\/\/ GENERATED from apps\//, f);
    }
  });
});
