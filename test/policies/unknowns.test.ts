import { strict as assert } from "assert";
import { PolicyResource, unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { allPolicies } from "../../policies/rules/all";
import { azureStack, T } from "./fixtures";
import { DESTINATION, hasDestinationExample, recordDestination, recordSource, SOURCE } from "./recordings";
import { checkResource, checkStack, fromRecording, isStackPolicy, Outcome, resource } from "./support";

/**
 * During `pulumi preview`, values that depend on resources not yet created are unknown, and the
 * engine hands policies their props wrapped in `unknownCheckingProxy`: reading an unknown throws
 * UnknownValueError, which the engine reports as "can't run policy during preview" (advisory) and
 * the rule runs again at update time. A rule must end in exactly that, or decide without the value;
 * any other error (a TypeError on a sentinel string...) would fail the preview.
 */

// Both are exported at run time but marked @internal, so their declarations are stripped.
const proxy = unknownCheckingProxy as <T>(v: T) => T;
const UnknownError = UnknownValueError as new (...args: unknown[]) => Error;
/** The engine's sentinel for an unknown string (`proxy.ts` in @pulumi/policy). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Every property path of a value (objects and array elements), up to a depth. */
function paths(v: unknown, at: string[] = [], depth = 6): string[][] {
  if (depth === 0 || typeof v !== "object" || v === null) return [];
  return Object.keys(v).flatMap((k) => [[...at, k], ...paths((v as any)[k], [...at, k], depth - 1)]);
}

function withUnknownAt(props: Record<string, any>, path: string[]): Record<string, any> {
  const copy = structuredClone(props);
  let cur: any = copy;
  for (const k of path.slice(0, -1)) cur = cur[k];
  cur[path[path.length - 1]] = UNKNOWN;
  return copy;
}

/** Runs `check`; an UnknownValueError is the expected, handled outcome during preview. */
async function previewOutcome(check: () => Promise<Outcome>): Promise<Outcome | "unknown"> {
  try {
    return await check();
  } catch (e) {
    if (e instanceof UnknownError) return "unknown";
    throw e;
  }
}

describe("policies with unknown values (preview)", () => {
  /** The example stacks as recorded, and the hand-built Azure stack. */
  let stacks: PolicyResource[][];

  before(async () => {
    const source = await recordSource();
    stacks = [fromRecording(source.resources, SOURCE), azureStack()];
    if (hasDestinationExample()) stacks.push(fromRecording(await recordDestination(source), DESTINATION));
  });

  it("a rule reading an unknown ends in UnknownValueError, as the engine expects", async () => {
    const { storageNoPublicAccess } = await import("../../policies/rules/storage");
    const props = proxy({ allowBlobPublicAccess: UNKNOWN, minimumTlsVersion: "TLS1_2" });
    await assert.rejects(
      checkResource(storageNoPublicAccess, { type: T.account, props }),
      (e: Error) =>
        e instanceof UnknownError && /\.allowBlobPublicAccess can't be known during preview/.test(e.message),
    );
  });

  it("a rule decides without the unknowns it does not need (a step's kubeconfig)", async () => {
    const { destinationStepContract } = await import("../../policies/rules/destination");
    const chain = resource({ type: T.restoreChain, props: {} });
    const env = { VELERO_DR_STEP_ID: "guard", VELERO_DR_STEP_KIND: "guard", KUBECONFIG: UNKNOWN };
    const step = resource({ type: T.command, props: proxy({ create: UNKNOWN, environment: env }) });
    assert.deepEqual((await checkStack(destinationStepContract, [chain, step])).violations, []);
  });

  it("an unknown SOURCE_API_SERVER still counts as present (it is known at update time)", async () => {
    const { destinationNotSourceCluster } = await import("../../policies/rules/destination");
    const chain = resource({ type: T.restoreChain, props: {} });
    const env = { VELERO_DR_STEP_ID: "guard", VELERO_DR_STEP_KIND: "guard", SOURCE_API_SERVER: UNKNOWN };
    const guard = resource({ type: T.command, props: proxy({ environment: env }) });
    assert.deepEqual((await checkStack(destinationNotSourceCluster, [chain, guard])).violations, []);
  });

  it("no resource policy fails otherwise, and none reports a violation, with an unknown at any path", async () => {
    let unknowns = 0;
    let runs = 0;
    for (const r of stacks.flat()) {
      for (const path of paths(r.props)) {
        const broken = { ...r, props: proxy(withUnknownAt(r.props, path)) };
        for (const p of allPolicies.filter((x) => !isStackPolicy(x))) {
          const o = await previewOutcome(() => checkResource(p as any, broken));
          runs++;
          if (o === "unknown") unknowns++;
          else assert.deepEqual(o.violations, [], `${p.name} on ${r.name} with .${path.join(".")} unknown`);
        }
      }
    }
    assert.ok(unknowns > 0 && runs > unknowns, `${unknowns} of ${runs} runs met an unknown`);
  });

  it("no stack policy fails otherwise, and none reports a violation, with an unknown at any path", async () => {
    const stackPolicies = allPolicies.filter(isStackPolicy);
    for (const base of stacks) {
      for (const [i, r] of base.entries()) {
        for (const path of paths(r.props)) {
          const broken = [...base];
          broken[i] = { ...r, props: proxy(withUnknownAt(r.props, path)) };
          for (const p of stackPolicies) {
            const o = await previewOutcome(() => checkStack(p, broken));
            if (o !== "unknown")
              assert.deepEqual(o.violations, [], `${p.name} with ${r.name}.${path.join(".")} unknown`);
          }
        }
      }
    }
  });
});
