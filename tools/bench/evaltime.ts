import { spawnSync } from "child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "fs";
import * as os from "os";
import * as path from "path";
import { exampleStacks as allExampleStacks } from "../../components/config/example-stacks";
import { stackFileConfig } from "../../test/support/harness";
import { exampleSourceFor, exampleSourceOutputs, sourceRefOf } from "../../test/support/examples";
import { median } from "./fit";
import type { Attribution } from "./eval-child";
import { pulumiModulesOf } from "./imports";

/**
 * Program evaluation time of the example stacks under mocks, each run in a fresh `node`
 * process, from process start to the last resource registration, against the bare load of
 * @pulumi/pulumi and the provider submodules the program uses (same measurement: process start
 * to the end of the load; the same loader). Loaders:
 *
 * - `ts-node`: what `pulumi preview`/`pulumi up` run for this TypeScript program: ts-node
 *   registered as the Pulumi Node.js runtime registers it (tools/bench/pulumi-register.js), which
 *   with this project's tsconfig ("ts-node": {"swc": true}) transpiles each file with swc as it
 *   loads, without type checking; the bare load pays for ts-node, TypeScript and swc too;
 * - `ts-node-tsc` (with `allLoaders`): the same with TypeScript's own transpiler (swc off), as
 *   `ts-node --transpile-only` ran before the swc setting;
 * - `compiled`: the same code compiled by `tsc` beforehand, run by plain node: what the program
 *   itself costs;
 * - `compiled-runner` (with `allLoaders`): compiled, with the source-map-support that Pulumi's
 *   runner installs for every program: what a precompiled entry would cost under `pulumi up`;
 * - `type-check` (one run, program only): ts-node with type checking, what `pulumi up` did by
 *   default before the swc setting (type errors are now `npm run build`'s job, which CI runs).
 */

export const ROOT = path.resolve(__dirname, "..", "..");

export function exampleStacks(): string[] {
  return allExampleStacks().map((e) => e.stack);
}

interface Loader {
  name: "ts-node" | "ts-node-tsc" | "compiled" | "compiled-runner" | "type-check";
  /** node arguments before the child's JSON argument. */
  argv: string[];
  cwd: string;
  /** The tsconfig ts-node reads (its "ts-node" section included). */
  project?: string;
  /** Extra environment of the child. */
  env?: Record<string, string>;
}

function runChild(
  l: Loader,
  args: Record<string, unknown>,
): { ms: number; resources?: number; loaded?: string[]; attribution?: Attribution } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TS_NODE_PROJECT: l.project ?? path.join(ROOT, "tsconfig.json"),
    ...l.env,
  };
  // What changes how `pulumi up` registers ts-node is the project's files, not the caller's shell.
  delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
  delete env.PULUMI_NODEJS_TSCONFIG_PATH;
  const r = spawnSync(process.execPath, [...l.argv, JSON.stringify(args)], {
    cwd: l.cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env,
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
  // Scripts and stack files are read next to the modules (components/shell/body.ts, example-stacks.ts):
  // the generic ones under components/, each app's step scripts and example stacks under apps/.
  const copyAssets = (rel: string) => {
    for (const f of readdirSync(path.join(ROOT, rel))) {
      const from = path.join(ROOT, rel, f);
      if (statSync(from).isDirectory()) copyAssets(path.join(rel, f));
      else if (!f.endsWith(".ts")) cpSync(from, path.join(dir, rel, f));
    }
  };
  copyAssets("stacks");
  copyAssets("components");
  copyAssets("apps");
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
  /** The modules of each stack's bare load: those of `modules` its program loaded. */
  loaded: Record<string, string[]>;
  rows: EvalRow[];
  typeCheck: { stack: string; programMs: number }[];
  /** Where the time goes under the `ts-node` loader: one instrumented run per stack (not in the medians). */
  attribution: ({ stack: string; programMs: number } & Attribution)[];
}

export async function measureEvaluation(o: {
  runs: number;
  typeCheck: boolean;
  /** Also measure ts-node with TypeScript's transpiler (swc off) and compiled under the runner's source-map-support. */
  allLoaders?: boolean;
  log: (s: string) => void;
}): Promise<EvalResult> {
  const stacks = exampleStacks();
  const candidates = pulumiModulesOf(path.join(ROOT, "stacks", "index.ts"));
  // Each destination's StackReference is answered by the example source it names (computed once here).
  const sourceOutputs: Record<string, Record<string, unknown>> = {};
  const sourceOf: Record<string, string> = {};
  for (const s of stacks) {
    const { config } = stackFileConfig(s);
    if (config["velero-dr:role"] !== "destination") continue;
    sourceOf[s] = exampleSourceFor(sourceRefOf(config));
    sourceOutputs[sourceOf[s]] ??= await exampleSourceOutputs(sourceOf[s]);
  }
  const compiled = compileProject(o.log);
  try {
    const child = path.join(ROOT, "tools/bench/eval-child.ts");
    // TypeScript's transpiler instead of swc: the project's tsconfig with the "ts-node" swc setting off.
    const tscProject = path.join(compiled.dir, "tsconfig.tsc-transpiler.json");
    writeFileSync(
      tscProject,
      JSON.stringify({ extends: path.join(ROOT, "tsconfig.json"), "ts-node": { swc: false } }),
    );
    const loaders: Loader[] = [
      { name: "ts-node", argv: ["-r", path.join(ROOT, "tools/bench/pulumi-register.js"), child], cwd: ROOT },
      ...(o.allLoaders
        ? [
            {
              name: "ts-node-tsc" as const,
              argv: ["-r", "ts-node/register/transpile-only", child],
              cwd: ROOT,
              project: tscProject,
            },
          ]
        : []),
      { name: "compiled", argv: [path.join(compiled.dir, "tools/bench/eval-child.js")], cwd: compiled.dir },
      ...(o.allLoaders
        ? [
            {
              name: "compiled-runner" as const,
              argv: [
                "-r",
                "source-map-support/register",
                path.join(compiled.dir, "tools/bench/eval-child.js"),
              ],
              cwd: compiled.dir,
            },
          ]
        : []),
    ];
    const configs = Object.fromEntries(stacks.map((s) => [s, stackFileConfig(s)]));
    const programArgs = (stack: string) => ({
      mode: "program",
      stack,
      config: configs[stack],
      sourceOutputs: sourceOf[stack] ? sourceOutputs[sourceOf[stack]] : undefined,
      candidates,
    });
    // One run of each first (not counted): it warms the file cache and tells which modules load.
    const loaded: Record<string, string[]> = {};
    for (const l of loaders) {
      for (const s of stacks) loaded[s] = runChild(l, programArgs(s)).loaded ?? [];
    }
    const program: Record<string, number[]> = {};
    const bare: Record<string, number[]> = {};
    const resources: Record<string, number> = {};
    for (let i = 0; i < o.runs; i++) {
      o.log(`   round ${i + 1}/${o.runs}`);
      // Interleaved, so a burst of load from other work on the machine spreads over all rows, and
      // each program run right after its own bare load, so the two see the same machine.
      for (const l of loaders) {
        for (const s of stacks) {
          (bare[`${l.name}|${s}`] ??= []).push(runChild(l, { mode: "bare", modules: loaded[s] }).ms);
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
        const b = bare[`${l.name}|${s}`];
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
    o.log(`   one instrumented run per stack (ts-node): transpiling, stack traces`);
    const attribution = stacks.map((s) => {
      const r = runChild(loaders[0], { ...programArgs(s), attribute: true });
      return { stack: s, programMs: r.ms, ...(r.attribution as Attribution) };
    });
    const typeCheck: { stack: string; programMs: number }[] = [];
    if (o.typeCheck) {
      const l: Loader = {
        name: "type-check",
        argv: ["-r", "ts-node/register", child],
        cwd: ROOT,
        project: tscProject,
      };
      for (const s of stacks) {
        o.log(`   type-checked run of ${s}`);
        typeCheck.push({ stack: s, programMs: runChild(l, programArgs(s)).ms });
      }
    }
    return {
      modules: candidates.filter((m) => stacks.some((s) => loaded[s].includes(m))),
      loaded,
      rows,
      typeCheck,
      attribution,
    };
  } finally {
    compiled.cleanup();
  }
}
