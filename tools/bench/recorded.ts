import { KUBECONFIG_ENV } from "../../components/shell/script";
import { Needs } from "./graph";

/**
 * The dependency graph `pulumi up` follows, from what a program registered (test/support/harness
 * records it under mocks). Only custom resources do work; components take no time, but a child
 * cannot be registered before its parent is, and the SDK registers a component only once its own
 * dependencies are done — so a child also waits for everything its ancestors' `dependsOn` names.
 * A resource also waits for its explicit provider (a Kubernetes provider needs its cluster's kubeconfig).
 */

/** What the graph needs of a recorded registration (a subset of the harness's `Registered`). */
export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** URNs of the resources it depends on (explicit and through its inputs). */
  dependencies: string[];
  /** URN of its parent. */
  parent?: string;
  /** Provider reference (`<urn>::<id>`). */
  provider?: string;
  read: boolean;
}

export interface BenchNode {
  /** `<type>::<name>`: unique per stack (the harness relies on it too). */
  key: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  read: boolean;
  /** Key of its explicit provider, when that is a resource of the stack. */
  provider?: string;
  /** Restore step id and kind (Commands of a RestoreChain). */
  step?: { id: string; kind: string; kubeconfig: boolean };
}

export interface RecordedGraph {
  nodes: Record<string, BenchNode>;
  /** Effective orderings between custom resources. */
  needs: Needs;
  /**
   * Who decided each ordering, `origin[a][b]`: `a` itself (its inputs, its own `dependsOn`, its
   * provider) or the component whose `dependsOn` `a` inherits as a child.
   */
  origin: Record<string, Record<string, string>>;
}

/** `<type>::<name>` of a URN (`urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`). */
export function keyOfUrn(urn: string): string {
  const parts = urn.split("::");
  if (parts.length < 4) throw new Error(`not a URN: ${urn}`);
  const name = parts.slice(3).join("::");
  const type = parts[2].split("$").pop() as string;
  return `${type}::${name}`;
}

/** Key of a provider reference (`<urn>::<id>`). */
export function keyOfProviderRef(ref: string): string {
  return keyOfUrn(ref.slice(0, ref.lastIndexOf("::")));
}

export function buildGraph(resources: RecordedResource[]): RecordedGraph {
  const byKey = new Map<string, RecordedResource>();
  for (const r of resources) {
    const key = `${r.type}::${r.name}`;
    if (byKey.has(key)) throw new Error(`two registrations of ${key}`);
    byKey.set(key, r);
  }
  const parentKey = (r: RecordedResource) => (r.parent ? keyOfUrn(r.parent) : undefined);
  const children = new Map<string, string[]>();
  for (const [key, r] of byKey) {
    const p = parentKey(r);
    if (p) children.set(p, [...(children.get(p) ?? []), key]);
  }
  /** Custom resources a dependency on `key` means waiting for (a component: all its custom descendants). */
  const customsOf = (key: string): string[] => {
    const r = byKey.get(key);
    if (!r) return [];
    if (r.custom) return [key];
    return (children.get(key) ?? []).flatMap(customsOf);
  };
  /** What a resource waits for before it can even be registered: its ancestors' dependencies, each with the ancestor. */
  const inherited = (key: string | undefined, seen: Set<string>): [string, string][] => {
    if (!key || seen.has(key)) return [];
    seen.add(key);
    const r = byKey.get(key);
    if (!r) return [];
    return [
      ...r.dependencies.map((d): [string, string] => [keyOfUrn(d), key]),
      ...inherited(parentKey(r), seen),
    ];
  };

  const nodes: Record<string, BenchNode> = {};
  const needs: Needs = {};
  const origin: Record<string, Record<string, string>> = {};
  for (const [key, r] of byKey) {
    if (!r.custom) continue;
    const provider = r.provider ? keyOfProviderRef(r.provider) : undefined;
    const env = (r.inputs.environment ?? {}) as Record<string, unknown>;
    // The markers RestoreChain puts on every step Command (components/restore/restore-chain.ts).
    const stepId = typeof env.VELERO_DR_STEP_ID === "string" ? env.VELERO_DR_STEP_ID : undefined;
    nodes[key] = {
      key,
      type: r.type,
      name: r.name,
      inputs: r.inputs,
      read: r.read,
      provider: provider && byKey.has(provider) ? provider : undefined,
      step:
        r.type === "command:local:Command" && stepId
          ? { id: stepId, kind: String(env.VELERO_DR_STEP_KIND ?? ""), kubeconfig: KUBECONFIG_ENV in env }
          : undefined,
    };
    // Own orderings first: an ordering the resource has itself is its own even if a parent has it too.
    const direct: [string, string][] = [
      ...r.dependencies.map((d): [string, string] => [keyOfUrn(d), key]),
      ...(nodes[key].provider ? [[nodes[key].provider as string, key] as [string, string]] : []),
      ...inherited(parentKey(r), new Set()),
    ];
    origin[key] = {};
    for (const [dep, by] of direct) {
      for (const c of customsOf(dep)) if (c !== key && !(c in origin[key])) origin[key][c] = by;
    }
    needs[key] = Object.keys(origin[key]).sort();
  }
  return { nodes, needs, origin };
}
