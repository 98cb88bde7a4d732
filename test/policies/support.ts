import {
  EnforcementLevel,
  Policies,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Registered } from "../support/harness";

/**
 * Builds CrossGuard's validation arguments by hand (there is no official test kit) and runs
 * policies the way the engine does: inputs as `props`, options with `protect`, config with the
 * schema's defaults, `notApplicable` throwing, stack resources linked by dependency.
 */

export const STACK = "test";
export const PROJECT = "velero-dr";

/** Thrown by `notApplicable`, as the engine's NotApplicableError is. */
export class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(`not applicable: ${reason ?? ""}`);
  }
}

export interface Outcome {
  violations: string[];
  /** Set when the policy called notApplicable. */
  notApplicable?: string;
  /** URNs passed to reportViolation (stack policies). */
  urns: (string | undefined)[];
}

export interface ResourceSpec {
  type: string;
  name?: string;
  props: Record<string, any>;
  protect?: boolean;
  parent?: PolicyResource;
  dependencies?: PolicyResource[];
}

/** A URN as the engine (and Pulumi's mock monitor) builds it: the parent's type is qualified in. */
export function urnOf(type: string, name: string, parentUrn?: string, stack = STACK): string {
  const qualified = parentUrn ? `${parentUrn.split("::")[2].split("$").pop()}$${type}` : type;
  return `urn:pulumi:${stack}::${PROJECT}::${qualified}::${name}`;
}

/** isType/asType compare the class's static `__pulumiType` with the resource's type, as the engine does. */
function typeChecks(type: string) {
  const same = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === type;
  return { isType: same, same };
}

export function resource(spec: ResourceSpec): PolicyResource {
  const name = spec.name ?? spec.type.split(":").pop()!.toLowerCase();
  const { isType, same } = typeChecks(spec.type);
  const r: PolicyResource = {
    type: spec.type,
    name,
    urn: urnOf(spec.type, name, spec.parent?.urn),
    props: spec.props,
    opts: options(spec.protect ?? false, spec.parent?.urn),
    parent: spec.parent,
    dependencies: spec.dependencies ?? [],
    propertyDependencies: {},
    isType,
    asType: ((cls: any) => (same(cls) ? r.props : undefined)) as PolicyResource["asType"],
  };
  return r;
}

function options(protect: boolean, parent?: string): PolicyResource["opts"] {
  return {
    protect,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    ...(parent ? { parent } : {}),
  };
}

/** The policy's config: schema defaults, overridden by `config` (as --policy-pack-config would). */
export function configFor(policy: { configSchema?: { properties: Record<string, any> } }, config = {}) {
  const defaults: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (typeof v === "object" && v !== null && "default" in v) defaults[k] = v.default;
  }
  return { ...defaults, ...config };
}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

export function resourceArgs(
  policy: ResourceValidationPolicy,
  r: PolicyResource,
  config: Record<string, unknown> = {},
): ResourceValidationArgs {
  const { isType, same } = typeChecks(r.type);
  const args: ResourceValidationArgs = {
    type: r.type,
    props: r.props,
    urn: r.urn,
    name: r.name,
    opts: r.opts,
    stackTags: new Map(),
    isType,
    asType: ((cls: any) => (same(cls) ? r.props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => configFor(policy, config) as T,
    notApplicable,
  };
  return args;
}

export function stackArgs(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: Record<string, unknown> = {},
): StackValidationArgs {
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => configFor(policy, config) as T,
    notApplicable,
  };
}

async function collect(run: (report: (m: string, urn?: string) => void) => unknown): Promise<Outcome> {
  const out: Outcome = { violations: [], urns: [] };
  try {
    await run((m, urn) => {
      out.violations.push(m);
      out.urns.push(urn);
    });
  } catch (e) {
    if (!(e instanceof NotApplicable)) throw e;
    out.notApplicable = e.reason ?? "";
  }
  return out;
}

/** Runs every validation function of a resource policy on one resource. */
export async function checkResource(
  policy: ResourceValidationPolicy,
  r: PolicyResource | ResourceSpec,
  config: Record<string, unknown> = {},
): Promise<Outcome> {
  const res = "urn" in r ? r : resource(r);
  const fns = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  return collect(async (report) => {
    for (const fn of fns) await fn(resourceArgs(policy, res, config), report);
  });
}

export async function checkStack(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
  config: Record<string, unknown> = {},
): Promise<Outcome> {
  return collect((report) => policy.validateStack(stackArgs(policy, resources, config), report));
}

export function isStackPolicy(p: Policies[number]): p is StackValidationPolicy {
  return "validateStack" in p;
}

export interface Finding {
  policy: string;
  level: EnforcementLevel;
  message: string;
  urn?: string;
}

/**
 * Runs every policy over a stack as the engine does: resource policies on each resource (inputs),
 * stack policies once on all of them. Levels come from the policy (or `levels` overrides).
 */
export async function runAll(policies: Policies, resources: PolicyResource[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const p of policies) {
    const level = p.enforcementLevel ?? "advisory";
    if (isStackPolicy(p)) {
      const o = await checkStack(p, resources);
      o.violations.forEach((message, i) => findings.push({ policy: p.name, level, message, urn: o.urns[i] }));
    } else {
      for (const r of resources) {
        const o = await checkResource(p, r);
        o.violations.forEach((message) => findings.push({ policy: p.name, level, message, urn: r.urn }));
      }
    }
  }
  return findings;
}

/**
 * Turns a mock recording into the stack CrossGuard would see: props = recorded inputs, protect from
 * the recorded options, parent and dependencies resolved to the other resources by URN.
 */
export function fromRecording(recorded: Registered[], stack: string): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const pending: [PolicyResource, Registered][] = [];
  for (const rec of recorded) {
    const parentUrn = rec.parent || undefined;
    const r = resource({ type: rec.type, name: rec.name, props: rec.inputs, protect: rec.protect });
    r.urn = urnOf(rec.type, rec.name, parentUrn, stack);
    r.opts = options(rec.protect, parentUrn);
    byUrn.set(r.urn, r);
    pending.push([r, rec]);
  }
  for (const [r, rec] of pending) {
    r.parent = rec.parent ? byUrn.get(rec.parent) : undefined;
    // The provider the resource was registered with (`<urn>::<id>`: its type and name), as the engine gives it.
    const [providerType, providerName] = (rec.provider ?? "").split("::").slice(-3, -1);
    const provider = pending.find(
      ([, p]) => p.name === providerName && providerType?.split("$").pop() === p.type,
    )?.[0];
    if (provider) {
      r.provider = { type: provider.type, props: provider.props, urn: provider.urn, name: provider.name };
    }
    r.dependencies = rec.dependencies
      .map((u) => byUrn.get(u))
      .filter((d): d is PolicyResource => d !== undefined);
  }
  return [...byUrn.values()];
}

/** Recorded dependency URNs that match no recorded resource (should be none: URNs are rebuilt here). */
export function unresolvedDependencies(recorded: Registered[], stack: string): string[] {
  const urns = new Set(recorded.map((r) => urnOf(r.type, r.name, r.parent || undefined, stack)));
  return recorded.flatMap((r) => r.dependencies.filter((u) => !urns.has(u)));
}

export function byType(resources: PolicyResource[], type: string): PolicyResource[] {
  return resources.filter((r) => r.type === type);
}
