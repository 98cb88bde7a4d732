/**
 * One evaluation-time measurement, in a fresh process started by tools/bench/evaltime.ts:
 *
 *   node -r ./tools/bench/pulumi-register.js tools/bench/eval-child.ts '<json>'   (or compiled)
 *
 * - `{"mode":"bare","modules":[...]}`: require @pulumi/pulumi and the given modules;
 * - `{"mode":"program","stack":"...","sourceOutputs":{...}?,"candidates":[...]}`: run the stack
 *   program under the test harness's mocks.
 *
 * Prints one JSON line: milliseconds from process start (performance.timeOrigin) to the end of
 * the load, or to the last resource registration the mocks saw. Nothing is imported at the top:
 * whatever a mode loads counts in its measurement.
 */
import { performance } from "perf_hooks";
import { trackLastRegistration } from "./last-registration";

interface BareArgs {
  mode: "bare";
  modules: string[];
}

interface ProgramArgs {
  mode: "program";
  stack: string;
  /** The source stack's outputs for a destination stack's StackReference. */
  sourceOutputs?: Record<string, unknown>;
  /** The stack file's config as runtime config (read from the stack file when absent). */
  config?: { config: Record<string, string>; secretKeys: string[] };
  /** Modules to report as loaded (or not) after the run. */
  candidates: string[];
  /** Also report where the time went (ts-node loader): transpiling, stack-trace formatting. */
  attribute?: boolean;
}

/** Time spent in two places a TypeScript program pays for under ts-node, from the program's start on. */
export interface Attribution {
  /** Files ts-node transpiled, and the time it took (the loader's own files excluded). */
  transpiledFiles: number;
  transpileMs: number;
  /** Stack traces formatted (Error.stack read) and the time. */
  stackTraces: number;
  stackTraceMs: number;
}

/** Wraps ts-node's compile and the installed Error.prepareStackTrace to count and time them. */
function attribute(): () => Attribution {
  const a = { transpiledFiles: 0, transpileMs: 0, stackTraces: 0, stackTraceMs: 0 };
  const timed =
    <A extends unknown[], R>(f: (...args: A) => R, add: (ms: number) => void) =>
    (...args: A): R => {
      const t = performance.now();
      try {
        return f(...args);
      } finally {
        add(performance.now() - t);
      }
    };
  const service = (process as unknown as Record<symbol, { compile?: (...x: unknown[]) => string }>)[
    Symbol.for("ts-node.register.instance")
  ];
  if (service?.compile) {
    service.compile = timed(service.compile.bind(service), (ms) => {
      a.transpiledFiles++;
      a.transpileMs += ms;
    });
  }
  const prepare = Error.prepareStackTrace;
  if (prepare) {
    Error.prepareStackTrace = timed(prepare, (ms) => {
      a.stackTraces++;
      a.stackTraceMs += ms;
    });
  }
  return () => ({ ...a });
}

async function main(args: BareArgs | ProgramArgs): Promise<Record<string, unknown>> {
  if (args.mode === "bare") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const m of ["@pulumi/pulumi", ...args.modules]) require(m);
    return { ms: performance.now() };
  }
  const attribution = args.attribute ? attribute() : undefined;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const harness = require("../../test/support/harness") as typeof import("../../test/support/harness");
  const examples = require("../../test/support/examples") as typeof import("../../test/support/examples");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const last = trackLastRegistration(harness.Recorder);
  // Under `pulumi up` the CLI reads the stack file and hands the program its config as JSON: the
  // bench passes it the same way, so the YAML parser is not counted against the program.
  const { config, secretKeys } = args.config ?? harness.stackFileConfig(args.stack);
  let stackOutputs: Record<string, Record<string, unknown>> | undefined;
  if (config["velero-dr:role"] === "destination") {
    const ref = examples.sourceRefOf(config);
    stackOutputs = {
      [ref]: args.sourceOutputs ?? (await examples.exampleSourceOutputs(examples.exampleSourceFor(ref))),
    };
  }
  const run = await harness.runProgram(args.stack, config, secretKeys, { stackOutputs });
  if (run.error) throw run.error;
  if (run.asyncErrors.length > 0) throw run.asyncErrors[0];
  const loaded = args.candidates.filter((m) => {
    try {
      return require.cache[require.resolve(m)] !== undefined;
    } catch {
      return false;
    }
  });
  return { ms: last(), resources: run.recorder.resources.length, loaded, attribution: attribution?.() };
}

main(JSON.parse(process.argv[2] ?? "{}"))
  .then((r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  })
  .catch((e) => {
    process.stderr.write(`eval-child: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
