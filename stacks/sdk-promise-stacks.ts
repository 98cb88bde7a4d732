/**
 * Skips formatting the stack trace @pulumi/pulumi records for each of its internal promises.
 *
 * `debuggablePromise` (@pulumi/pulumi/runtime/debuggable.js) stores `new Error().stack` on every
 * promise it wraps — four per output property of every resource, 1,700–3,500 per stack here —
 * and reads it back only to print promise leaks when `PULUMI_DEBUG_PROMISE_LEAKS` is set. Reading
 * `.stack` formats it through the source-map-support that Pulumi's runner and ts-node install,
 * which maps every frame through source maps: 0.25–0.45 s of each `pulumi preview`/`up` of this
 * program (docs/PERFORMANCE.md, section 2), for strings nobody sees.
 *
 * So the installed `Error.prepareStackTrace` is wrapped: for exactly that error — a plain `Error`
 * with no message, created by `debuggablePromise` in @pulumi/pulumi's `runtime/debuggable.js` —
 * it returns a short placeholder; every other error (the SDK's resource source positions, which it
 * reads from `new Error().stack` in `Resource.callsites`, and any error thrown anywhere) goes to
 * the formatter as before. With `PULUMI_DEBUG_PROMISE_LEAKS` set, or `VELERO_DR_FULL_SDK_STACKS=1`,
 * nothing is wrapped and the SDK's leak report prints full stacks.
 */

export const PLACEHOLDER =
  "Error: stack not formatted (velero-dr: set PULUMI_DEBUG_PROMISE_LEAKS=1 to record the SDK's promise stacks)";

const DEBUGGABLE_FILE = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;

type Prepare = (error: Error, stack: NodeJS.CallSite[]) => unknown;

/** True for the error `debuggablePromise` creates only to record where a promise was made. */
export function isSdkPromiseStack(error: unknown, stack: NodeJS.CallSite[]): boolean {
  const top = stack[0];
  return (
    error instanceof Error &&
    Object.getPrototypeOf(error) === Error.prototype &&
    error.message === "" &&
    top !== undefined &&
    top.getFunctionName() === "debuggablePromise" &&
    DEBUGGABLE_FILE.test(top.getFileName() ?? "")
  );
}

const WRAPPED = Symbol.for("velero-dr.sdk-promise-stacks");

let skipped = 0;

/** How many SDK promise stacks this process answered with the placeholder (the bench reports it). */
export function sdkPromiseStacksSkipped(): number {
  return skipped;
}

/**
 * Wraps the installed formatter once per process; returns whether it did. Without an installed
 * formatter (plain node: Pulumi's runner always installs one) nothing is wrapped, as V8's own
 * formatting is cheap and Node's default (`--enable-source-maps` included) stays in charge.
 * Idempotent: a second call finds its own wrapper and leaves it.
 */
export function skipSdkPromiseStacks(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.PULUMI_DEBUG_PROMISE_LEAKS || env.VELERO_DR_FULL_SDK_STACKS === "1") return false;
  const installed = Error.prepareStackTrace as (Prepare & { [WRAPPED]?: true }) | undefined;
  if (!installed || installed[WRAPPED]) return false;
  const wrapper: Prepare & { [WRAPPED]?: true } = (error, stack) =>
    isSdkPromiseStack(error, stack) ? (skipped++, PLACEHOLDER) : installed(error, stack);
  wrapper[WRAPPED] = true;
  Error.prepareStackTrace = wrapper;
  return true;
}
