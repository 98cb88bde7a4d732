/**
 * `npm run bench`: the project's performance figures (a benchmark, not a test; nothing here
 * asserts a timing). Prints tables and writes everything as JSON under bench-results/ (ignored
 * by git). docs/PERFORMANCE.md explains each figure.
 *
 *   npm run bench -- [--runs 5] [--scale-runs 3] [--durations file.json] [--out dir]
 *                    [--only rto,eval,scale,drill] [--no-drill] [--no-typecheck] [--all-loaders]
 */
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_FIGURES } from "./durations";
import { DrillFigures, measureDrill } from "./drill";
import { EvalResult, measureEvaluation, ROOT } from "./evaltime";
import { minutes, table, verdict } from "./format";
import { label } from "./rto";
import { measureScale, ScaleResult } from "./scale";
import { simulate, SimulationResult } from "./simulate";

/** The recovery-time target; program evaluation time is reported for information, without one. */
export const TARGETS = { rtoRatio: 1.05 };

interface Options {
  runs: number;
  scaleRuns: number;
  durations: Partial<Record<string, number>>;
  out: string;
  sections: Set<string>;
  typeCheck: boolean;
  allLoaders: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    runs: 5,
    scaleRuns: 3,
    durations: {},
    out: path.join(ROOT, "bench-results"),
    sections: new Set(["rto", "eval", "scale", "drill"]),
    typeCheck: true,
    allLoaders: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--runs") o.runs = Number(value());
    else if (a === "--scale-runs") o.scaleRuns = Number(value());
    else if (a === "--durations") o.durations = JSON.parse(readFileSync(value(), "utf8"));
    else if (a === "--out") o.out = path.resolve(value());
    else if (a === "--only") o.sections = new Set(value().split(","));
    else if (a === "--no-drill") o.sections.delete("drill");
    else if (a === "--no-typecheck") o.typeCheck = false;
    else if (a === "--all-loaders") o.allLoaders = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!(o.runs >= 1 && o.scaleRuns >= 1)) throw new Error("--runs and --scale-runs must be >= 1");
  return o;
}

function printRto(r: SimulationResult): void {
  console.log(`\nSimulated RTO: ${r.stack} under mocks (${r.resources} resources), unlimited parallelism`);
  console.log(
    table(
      ["scenario", "critical path", "hard chain", "ratio", `target <= ${TARGETS.rtoRatio}`, "serial runbook"],
      r.scenarios.map((s) => [
        s.name,
        `${minutes(s.achieved.seconds)} (${s.achieved.seconds.toFixed(0)} s)`,
        `${minutes(s.unavoidable.seconds)} (${s.unavoidable.seconds.toFixed(0)} s)`,
        s.ratio.toFixed(3),
        verdict(s.ratio <= TARGETS.rtoRatio),
        `${minutes(s.serialSeconds)} (${s.serialSeconds.toFixed(0)} s)`,
      ]),
    ),
  );
  for (const s of r.scenarios) {
    console.log(`  ${s.name}: ${s.what}`);
    console.log(`    critical path: ${s.achieved.path.map(label).join(" > ")}`);
    console.log(`    hard chain:    ${s.unavoidable.path.map(label).join(" > ")}`);
    console.log(
      `    needless orderings: ${
        s.needless.length === 0
          ? "none"
          : s.needless
              .map((n) => `${describeGroup(n.by, n.edges)} (${n.gainSeconds.toFixed(0)} s)`)
              .join("; ")
      }`,
    );
    console.log(
      `    hard needs not honored: ${
        s.unmet.length === 0
          ? "none"
          : s.unmet.map((e) => `${label(e.from)} needs ${label(e.to)} [${e.rule}]`).join("; ")
      }`,
    );
    if (s.unmodelled.length > 0) console.log(`    no duration figure for: ${s.unmodelled.join(", ")}`);
  }
}

/** "velero-identity (component) dependsOn guard-different-cluster" or "velero-credentials waits for x, y". */
function describeGroup(by: string, edges: { from: string; to: string }[]): string {
  const tos = [...new Set(edges.map((e) => label(e.to)))].join(", ");
  const froms = new Set(edges.map((e) => e.from));
  return froms.size === 1 && froms.has(by)
    ? `${label(by)} waits for ${tos}`
    : `${label(by)} (a component: ${froms.size} resources) waits for ${tos}`;
}

function printEval(r: EvalResult): void {
  console.log(`\nProgram evaluation under mocks: fresh node process per run, ms from process start`);
  console.log(
    `  loaders: ts-node = as pulumi up runs it (tools/bench/pulumi-register.js: swc, no type check); ` +
      `ts-node-tsc = TypeScript's transpiler; compiled = tsc beforehand, plain node; ` +
      `compiled-runner = compiled, with the source-map-support Pulumi's runner installs`,
  );
  // Each stack's bare load is @pulumi/pulumi and the provider submodules its own program loaded.
  const lists = new Map<string, string[]>();
  for (const [stack, mods] of Object.entries(r.loaded)) {
    const key = mods.filter((m) => m !== "@pulumi/pulumi").join(", ");
    lists.set(key, [...(lists.get(key) ?? []), stack]);
  }
  for (const [mods, stacks] of lists) {
    console.log(`  bare load of ${stacks.join(", ")}: @pulumi/pulumi + ${mods}`);
  }
  console.log(
    table(
      ["stack", "loader", "runs", "program (median)", "bare (median)", "ratio", "resources"],
      r.rows.map((x) => [
        x.stack,
        x.loader,
        x.runs,
        x.programMs.toFixed(0),
        x.bareMs.toFixed(0),
        x.ratio.toFixed(2),
        x.resources,
      ]),
    ),
  );
  if (r.attribution.length > 0) {
    console.log(`  where the time goes under ts-node (one instrumented run per stack, not in the medians):`);
    console.log(
      table(
        ["stack", "program", "transpiled files", "transpile ms", "stack traces formatted", "formatting ms"],
        r.attribution.map((a) => [
          a.stack,
          a.programMs.toFixed(0),
          a.transpiledFiles,
          a.transpileMs.toFixed(0),
          a.stackTraces,
          a.stackTraceMs.toFixed(0),
        ]),
      ),
    );
  }
  for (const t of r.typeCheck) {
    console.log(
      `  ${t.stack}: ${t.programMs.toFixed(0)} ms with ts-node type checking (pulumi up's default before the swc setting), 1 run`,
    );
  }
}

function printScale(r: ScaleResult): void {
  console.log(`\nScale: ${r.stack} under mocks, in process (modules loaded), median ms to last registration`);
  const schedules = [...new Set(r.points.map((p) => p.schedules))];
  console.log(
    table(
      ["namespaces", ...schedules.map((m) => `${m} schedule${m > 1 ? "s" : ""}`)],
      [...new Set(r.points.map((p) => p.namespaces))].map((n) => [
        String(n),
        ...schedules.map((m) => {
          const p = r.points.find((x) => x.namespaces === n && x.schedules === m);
          return p ? `${p.resources} res, ${p.ms.toFixed(0)} ms` : "";
        }),
      ]),
    ),
  );
  console.log(
    table(
      [
        "varies",
        "other fixed at",
        "resources per unit",
        "linear",
        "ms per unit (fit)",
        "convexity (limit)",
        "at most linear",
      ],
      r.series.map((s) => [
        s.x,
        String(s.fixed),
        s.resources.fit.slope.toFixed(2),
        verdict(s.resources.ok),
        s.ms.fit.slope.toFixed(2),
        s.ms.flat ? "flat" : `${(s.ms.convexity * 100).toFixed(1)}% (${(s.ms.limit * 100).toFixed(1)}%)`,
        verdict(s.ms.ok),
      ]),
    ),
  );
}

function printDrill(d: DrillFigures): void {
  console.log(`\nLocal DR drill (drill/scenario.ts, real processes on loopback)`);
  if (d.status === "toolchain-absent") {
    console.log(`  not run: ${d.detail}`);
    return;
  }
  if (d.rtoSeconds === undefined) {
    console.log(`  failed: ${d.detail}`);
    return;
  }
  console.log(
    table(
      ["status", "RTO (disaster -> health)", "raw Velero restore", "RTO / restore"],
      [
        [
          d.status,
          `${d.rtoSeconds.toFixed(1)} s`,
          `${(d.veleroRestoreSeconds ?? 0).toFixed(1)} s`,
          d.ratio !== undefined ? d.ratio.toFixed(2) : "-",
        ],
      ],
    ),
  );
  if (d.detail) console.log(`  ${d.detail}`);
  const lost = (d.phases ?? []).findIndex((p) => p.name.startsWith("lose the source"));
  if (lost >= 0) {
    console.log("  where the RTO goes (phases after the disaster):");
    for (const p of (d.phases ?? []).slice(lost))
      console.log(`    ${p.seconds.toFixed(1).padStart(6)} s  ${p.name}`);
    const slow = (d.steps ?? []).filter((x) => x.seconds >= 0.5);
    console.log(
      `  chain steps over 0.5 s: ${slow.map((x) => `${x.id} ${x.seconds.toFixed(1)} s`).join(", ")}`,
    );
  }
  if (d.report) console.log(`  drill report: ${d.report}`);
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const log = (s: string) => console.log(s);
  const started = new Date();
  const machine = {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverageAtStart: os.loadavg(),
    platform: `${os.platform()} ${os.release()}`,
  };
  console.log(
    `velero-dr bench: node ${machine.node}, ${machine.cpus} CPUs, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")}`,
  );
  const result: Record<string, unknown> = {
    started: started.toISOString(),
    machine,
    options: { ...o, sections: [...o.sections] },
  };

  // Timed sections first, the drill (which loads the machine) last.
  if (o.sections.has("rto")) {
    log("\n== simulated RTO");
    const r = await simulate(o.durations);
    result.rto = { ...r, defaults: DEFAULT_FIGURES, overrides: o.durations };
    printRto(r);
  }
  if (o.sections.has("eval")) {
    log("\n== program evaluation time");
    const r = await measureEvaluation({
      runs: o.runs,
      typeCheck: o.typeCheck,
      allLoaders: o.allLoaders,
      log,
    });
    result.evaluation = r;
    printEval(r);
  }
  if (o.sections.has("scale")) {
    log("\n== scale");
    const r = await measureScale({ runs: o.scaleRuns, log });
    result.scale = r;
    printScale(r);
  }
  if (o.sections.has("drill")) {
    log("\n== local drill");
    const d = await measureDrill(log);
    result.drill = d;
    printDrill(d);
  }
  result.finished = new Date().toISOString();
  result.loadAverageAtEnd = os.loadavg();
  mkdirSync(o.out, { recursive: true });
  const file = path.join(o.out, `bench-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(path.join(o.out, "latest.json"), json);
  console.log(`\nbench: results written to ${file} (and latest.json)`);
  return 0;
}

main()
  .then((code) => process.exit(code))
  .catch((e) => {
    // The message says what failed; BENCH_DEBUG=1 adds where.
    console.error(
      `bench: FAILED: ${process.env.BENCH_DEBUG ? ((e as Error).stack ?? e) : (e as Error).message}`,
    );
    process.exit(1);
  });
