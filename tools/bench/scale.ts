import { performance } from "perf_hooks";
import { Recorder, runProgram, stackFileConfig } from "../../test/support/harness";
import { checkAtMostLinear, checkExactLinear, ExactLinearity, GrowthCheck, median } from "./fit";
import { trackLastRegistration } from "./last-registration";

/**
 * How the source stack grows with what it protects: the example source stack with 1, 20 and 200
 * namespaces and 1, 5 and 20 schedules (the example's config edited in memory), run under mocks
 * in this process (modules already loaded, so the time is the program's own work), median of
 * several runs from the program's start to its last registration.
 */

export const SCALE_STACK = "example-source-azure";
export const NAMESPACE_COUNTS = [1, 20, 200];
export const SCHEDULE_COUNTS = [1, 5, 20];
/** Growth of the time below this share of its smallest value is noise, not growth. */
export const FLAT_TOLERANCE = 0.1;

export interface ScalePoint {
  namespaces: number;
  schedules: number;
  resources: number;
  ms: number;
  samples: number[];
}

export interface ScaleSeries {
  /** What varies (the other dimension is at its largest). */
  x: "namespaces" | "schedules";
  fixed: number;
  xs: number[];
  resources: ExactLinearity;
  ms: GrowthCheck;
}

export interface ScaleResult {
  stack: string;
  points: ScalePoint[];
  series: ScaleSeries[];
  ok: boolean;
}

/** The example's config with `n` namespaces and `m` schedules (every schedule backs up all of them). */
export function scaledConfig(base: Record<string, string>, n: number, m: number): Record<string, string> {
  const namespaces = Array.from({ length: n }, (_, i) => `app-${String(i + 1).padStart(3, "0")}`);
  const schedules = Array.from({ length: m }, (_, i) => ({
    name: `scale-${String(i + 1).padStart(2, "0")}`,
    cron: `${i % 60} ${i % 24} * * *`,
    ttl: "720h",
  }));
  return {
    ...base,
    "velero-dr:namespaces": JSON.stringify(namespaces),
    "velero-dr:schedules": JSON.stringify(schedules),
  };
}

export async function measureScale(o: { runs: number; log: (s: string) => void }): Promise<ScaleResult> {
  const { config, secretKeys } = stackFileConfig(SCALE_STACK);
  const last = trackLastRegistration(Recorder);
  const one = async (n: number, m: number) => {
    const t0 = performance.now();
    const run = await runProgram(SCALE_STACK, scaledConfig(config, n, m), secretKeys);
    if (run.error) throw run.error;
    if (run.asyncErrors.length > 0) throw run.asyncErrors[0];
    return { ms: last() - t0, resources: run.recorder.resources.length };
  };
  // Warm-up: module loading is not what this measures, nor V8 compiling the program's hot paths
  // (one run left the first point about twice as slow as the next ones).
  for (let i = 0; i < 3; i++) await one(1, 1);
  const points: ScalePoint[] = [];
  for (const n of NAMESPACE_COUNTS) {
    for (const m of SCHEDULE_COUNTS) {
      const samples: number[] = [];
      let resources = 0;
      for (let i = 0; i < o.runs; i++) {
        const r = await one(n, m);
        samples.push(r.ms);
        resources = r.resources;
      }
      o.log(`   ${n} namespaces, ${m} schedules: ${resources} resources, ${median(samples).toFixed(0)} ms`);
      points.push({ namespaces: n, schedules: m, resources, ms: median(samples), samples });
    }
  }
  const series = (x: "namespaces" | "schedules"): ScaleSeries => {
    const fixed = x === "namespaces" ? Math.max(...SCHEDULE_COUNTS) : Math.max(...NAMESPACE_COUNTS);
    const pts = points.filter((p) => (x === "namespaces" ? p.schedules : p.namespaces) === fixed);
    const xs = pts.map((p) => p[x]);
    return {
      x,
      fixed,
      xs,
      // Resource counts are exact: linear means on the line (within half a resource).
      resources: checkExactLinear(
        xs,
        pts.map((p) => p.resources),
      ),
      ms: checkAtMostLinear(
        xs,
        pts.map((p) => p.ms),
        FLAT_TOLERANCE,
      ),
    };
  };
  const all = [series("namespaces"), series("schedules")];
  return { stack: SCALE_STACK, points, series: all, ok: all.every((s) => s.resources.ok && s.ms.ok) };
}
