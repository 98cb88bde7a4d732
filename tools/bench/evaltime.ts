import { spawnSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "fs";
import * as os from "os";
import * as path from "path";
import { exampleSourceOutputs } from "../../test/support/examples";
import { median } from "./fit";
import { pulumiModulesOf } from "./imports";

/**
 * Program evaluation time of the example stacks under mocks, each run in a fresh `node`
 * process, from process start to the last resource registration, against the bare load of
 * @pulumi/pulumi and the provider submodules the program uses (same measurement: process start
 * to the end of the load). Loaders:
 *
 * - `ts-node`: how the project runs TypeScript everywhere else (`ts-node --transpile-only`); the
 *   project's files are transpiled as they load, the bare load pays for ts-node and TypeScript too;
 * - `compiled`: the same code compiled by `tsc` beforehand: what the program itself costs;
 * - `type-check` (one run, program only): ts-node with type checking, which is what `pulumi up`
 *   does by default for a TypeScript program (unless PULUMI_NODEJS_TRANSPILE_ONLY=true or the
 *   tsconfig says noCheck).
 */

export const ROOT = path.resolve(__dirname, "..", "..");

export function exampleStacks(): string[] {
  return readdirSync(path.join(ROOT, "stacks"))
    .map((f) => /^Pulumi\.(example-.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

interface Loader {
  name: "ts-node" | "compiled" | "type-check";
  /** node arguments before the child's JSON argument. */
  argv: string[];
  cwd: string;
}

function runChild(
  l: Loader,
  args: Record<string, unknown>,
): { ms: number; resources?: number; loaded?: string[] } {
  const r = spawnSync(process.execPath, [...l.argv, JSON.stringify(args)], {
    cwd: l.cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
  });
  if (r.status !== 0) {
    throw new Error(`${l.name} child failed (${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  }
  return JSON.parse(r.stdout.trim().split("\n").pop() as string);
}

/** Compiles the project with tsc into a temporary directory, with the files the program reads at run time. */
export function compileProject(log: (s: string) => void): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "velero-dr-bench-js-"));
  log(`   compiling the project with tsc into ${dir}`);
  const tsc = spawnSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "-p",
      path.join(ROOT, "tsconfig.json"),
      "--outDir",
      dir,
      "--sourceMap",
      "false",
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (tsc.status !== 0) {
    // tsc still emits on type errors (noEmitOnError is off): a file being edited elsewhere
    // should not stop the measurement, but it is said.
    if (!existsSync(path.join(dir, "tools/bench/eval-child.js"))) {
      throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`.slice(0, 4000));
    }
    log(`   tsc reported type errors (measuring its output anyway):\n${tsc.stdout.trim().slice(0, 1000)}`);
  }
  // Scripts and stack files are read next to the modules (components/shell/body.ts, stack-file.ts).
  const copyAssets = (rel: string) => {
    for (const f of readdirSync(path.join(ROOT, rel))) {
      const from = path.join(ROOT, rel, f);
      if (statSync(from).isDirectory()) copyAssets(path.join(rel, f));
      else if (!f.endsWith(".ts")) cpSync(from, path.join(dir, rel, f));
    }
  };
  copyAssets("stacks");
  copyAssets("components");
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface EvalRow {
  stack: string;
  loader: string;
  runs: number;
  programMs: number;
  bareMs: number;
  ratio: number;
  resources: number;
  programSamples: number[];
  bareSamples: number[];
}

export interface EvalResult {
  modules: string[];
  rows: EvalRow[];
  typeCheck: { stack: string; programMs: number }[];
}

export async function measureEvaluation(o: {
  runs: number;
  typeCheck: boolean;
  log: (s: string) => void;
}): Promise<EvalResult> {
  const stacks = exampleStacks();
  const candidates = pulumiModulesOf(path.join(ROOT, "stacks", "index.ts"));
  const sourceOutputs = await exampleSourceOutputs();
  const compiled = compileProject(o.log);
  try {
    const loaders: Loader[] = [
      {
        name: "ts-node",
        argv: ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tools/bench/eval-child.ts")],
        cwd: ROOT,
      },
      { name: "compiled", argv: [path.join(compiled.dir, "tools/bench/eval-child.js")], cwd: compiled.dir },
    ];
    const programArgs = (stack: string) => ({ mode: "program", stack, sourceOutputs, candidates });
    // One run of each first (not counted): it warms the file cache and tells which modules load.
    const loaded: Record<string, string[]> = {};
    for (const l of loaders) {
      for (const s of stacks) loaded[s] = runChild(l, programArgs(s)).loaded ?? [];
    }
    const lists = [...new Set(stacks.map((s) => JSON.stringify(loaded[s])))];
    const program: Record<string, number[]> = {};
    const bare: Record<string, number[]> = {};
    const resources: Record<string, number> = {};
    for (let i = 0; i < o.runs; i++) {
      o.log(`   round ${i + 1}/${o.runs}`);
      // Interleaved, so a burst of load from other work on the machine spreads over all rows.
      for (const l of loaders) {
        for (const list of lists) {
          (bare[`${l.name}|${list}`] ??= []).push(
            runChild(l, { mode: "bare", modules: JSON.parse(list) }).ms,
          );
        }
        for (const s of stacks) {
          const r = runChild(l, programArgs(s));
          (program[`${l.name}|${s}`] ??= []).push(r.ms);
          resources[s] = r.resources ?? 0;
        }
      }
    }
    const rows: EvalRow[] = [];
    for (const l of loaders) {
      for (const s of stacks) {
        const p = program[`${l.name}|${s}`];
        const b = bare[`${l.name}|${JSON.stringify(loaded[s])}`];
        rows.push({
          stack: s,
          loader: l.name,
          runs: o.runs,
          programMs: median(p),
          bareMs: median(b),
          ratio: median(p) / median(b),
          resources: resources[s],
          programSamples: p,
          bareSamples: b,
        });
      }
    }
    const typeCheck: { stack: string; programMs: number }[] = [];
    if (o.typeCheck) {
      const l: Loader = {
        name: "type-check",
        argv: ["-r", "ts-node/register", path.join(ROOT, "tools/bench/eval-child.ts")],
        cwd: ROOT,
      };
      for (const s of stacks) {
        o.log(`   type-checked run of ${s}`);
        typeCheck.push({ stack: s, programMs: runChild(l, programArgs(s)).ms });
      }
    }
    return { modules: candidates.filter((m) => stacks.some((s) => loaded[s].includes(m))), rows, typeCheck };
  } finally {
    compiled.cleanup();
  }
}
