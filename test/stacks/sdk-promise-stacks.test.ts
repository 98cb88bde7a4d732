import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PLACEHOLDER, skipSdkPromiseStacks } from "../../stacks/sdk-promise-stacks";
import type { Attribution } from "../../tools/bench/eval-child";

/**
 * The program does not format the stack trace @pulumi/pulumi records for each internal promise
 * (read only by the SDK's promise-leak report, with PULUMI_DEBUG_PROMISE_LEAKS), and formats
 * every other stack as before: errors, and the source positions the SDK sends with each resource.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
};

/** The stack the SDK records on a promise it wraps. */
function sdkPromiseStack(): string {
  const p = Promise.resolve(1) as Promise<number> & { _debugStackTrace?: string };
  void debuggable.debuggablePromise(p, "test");
  return p._debugStackTrace as string;
}

describe("stacks: the SDK's promise stacks are not formatted", () => {
  type Prepare = typeof Error.prepareStackTrace;
  let saved: Prepare;
  let formatted: number;
  const formatter: Prepare = (error, stack) => {
    formatted++;
    return `formatted ${error.name}: ${stack.length} frames`;
  };

  beforeEach(() => {
    saved = Error.prepareStackTrace;
    formatted = 0;
  });
  afterEach(() => {
    Error.prepareStackTrace = saved;
  });

  it("answers the SDK's promise stacks with the placeholder and formats every other error", () => {
    Error.prepareStackTrace = formatter;
    assert.equal(skipSdkPromiseStacks({}), true);
    assert.equal(sdkPromiseStack(), PLACEHOLDER);
    assert.equal(formatted, 0);

    assert.match(new Error("mine").stack as string, /^formatted Error: \d+ frames$/);
    // An error thrown inside debuggablePromise itself is a real error: formatted.
    assert.throws(
      () => debuggable.debuggablePromise(undefined as unknown as Promise<number>, "broken"),
      (e: Error) => /^formatted TypeError/.test(e.stack as string),
    );
    assert.equal(formatted, 2);
  });

  it("leaves everything to the formatter when PULUMI_DEBUG_PROMISE_LEAKS or VELERO_DR_FULL_SDK_STACKS=1 is set", () => {
    for (const env of [{ PULUMI_DEBUG_PROMISE_LEAKS: "1" }, { VELERO_DR_FULL_SDK_STACKS: "1" }]) {
      Error.prepareStackTrace = formatter;
      assert.equal(skipSdkPromiseStacks(env), false, JSON.stringify(env));
      assert.equal(Error.prepareStackTrace, formatter);
      assert.match(sdkPromiseStack(), /^formatted Error/);
    }
  });

  it("wraps once, and nothing when no formatter is installed (plain node formats natively)", () => {
    Error.prepareStackTrace = formatter;
    assert.equal(skipSdkPromiseStacks({}), true);
    const wrapper = Error.prepareStackTrace;
    assert.equal(skipSdkPromiseStacks({}), false);
    assert.equal(Error.prepareStackTrace, wrapper);

    (Error as { prepareStackTrace?: Prepare }).prepareStackTrace = undefined;
    assert.equal(skipSdkPromiseStacks({}), false);
    assert.equal(Error.prepareStackTrace, undefined);
    assert.match(sdkPromiseStack(), /^Error\n\s+at .*debuggablePromise/);
  });

  it("keeps resource source positions mapped to the TypeScript line through the installed source maps", () => {
    // Under mocha, ts-node's source-map-support is the installed formatter, as under `pulumi up`.
    assert.equal(typeof Error.prepareStackTrace, "function");
    skipSdkPromiseStacks({});
    const sites = pulumi.Resource as unknown as { callsites(): { file?: string; line?: number }[] };
    const here = sites.callsites(); // the line this frame must name
    const mine = here.find((c) => c.file === __filename);
    assert.ok(mine, `no frame of ${__filename} in ${JSON.stringify(here.slice(0, 4))}`);
    const line =
      readFileSync(__filename, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("the line this frame")) + 1;
    assert.equal(mine.line, line);
  });

  it("an example program run as `pulumi up` runs it skips thousands of SDK promise stacks, none with the switch set", function () {
    this.timeout(120_000);
    const ROOT = path.join(__dirname, "..", "..");
    const run = (env: NodeJS.ProcessEnv): Attribution & { resources: number } => {
      const childEnv = { ...process.env, ...env };
      delete childEnv.PULUMI_DEBUG_PROMISE_LEAKS;
      if (!env.VELERO_DR_FULL_SDK_STACKS) delete childEnv.VELERO_DR_FULL_SDK_STACKS;
      const r = spawnSync(
        process.execPath,
        [
          "-r",
          path.join(ROOT, "tools/bench/pulumi-register.js"),
          path.join(ROOT, "tools/bench/eval-child.ts"),
          JSON.stringify({ mode: "program", stack: "example-source-azure", candidates: [], attribute: true }),
        ],
        { cwd: ROOT, encoding: "utf8", env: childEnv, maxBuffer: 64 * 1024 * 1024 },
      );
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split("\n").pop() as string);
      return { ...out.attribution, resources: out.resources };
    };
    const skipping = run({});
    assert.ok(skipping.resources > 30, `resources: ${skipping.resources}`);
    assert.ok(
      skipping.sdkPromiseStacksSkipped > 20 * skipping.resources,
      `skipped ${skipping.sdkPromiseStacksSkipped} for ${skipping.resources} resources`,
    );
    // Each resource's source position is still read from a formatted stack.
    assert.ok(skipping.stackTraces >= skipping.resources, `formatted ${skipping.stackTraces}`);

    const full = run({ VELERO_DR_FULL_SDK_STACKS: "1" });
    assert.equal(full.sdkPromiseStacksSkipped, 0);
    assert.ok(
      full.stackTraces >= skipping.stackTraces + skipping.sdkPromiseStacksSkipped,
      `${full.stackTraces} formatted with the switch, ${skipping.stackTraces} + ${skipping.sdkPromiseStacksSkipped} skipped without`,
    );
  });
});
