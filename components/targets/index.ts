import { aks } from "./existing-aks";
import { eks } from "./existing-eks";
import { kubeconfig } from "./kubeconfig";
import { create } from "./new-aks";
import { createEks } from "./new-eks";
import { ClusterTarget, TargetIssue, TargetKeys, TargetRole } from "./target";

/**
 * The cluster targets, by name. Adding one is a file of this folder (a `ClusterTarget`) and a
 * line here, plus its name in the list of each storage backend it works with
 * (`StorageBackend.targets`); `selectTarget` below is the one place choosing among them.
 */
export const clusterTargets = { create, aks, kubeconfig, eks, createEks };

export type TargetName = keyof typeof clusterTargets;

/** What of a storage backend the selection reads: its cloud, its targets, its own rules. */
export interface TargetOffer {
  name: string;
  targets: Partial<Record<TargetRole, readonly TargetName[]>>;
  /** Appended to "applies to cloud <other> only; " for a key of another cloud's target. */
  clusterHint: string;
  /** The backend's own rules on the chosen target (Azure: a kubeconfig needs the node resource group). */
  checkTarget?(role: TargetRole, target: TargetName, c: TargetKeys): TargetIssue[];
}

const list = (items: string[]): string =>
  items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;

/**
 * The one function choosing a stack's cluster target: the rules on `cluster.*` and `kubeconfig`
 * (exactly one target of those the backend offers for the role; keys of another cloud's targets
 * refused), as problems, and the chosen target when there is exactly one.
 */
export function selectTarget(
  role: TargetRole,
  backend: TargetOffer,
  c: TargetKeys,
): { target?: ClusterTarget; issues: TargetIssue[] } {
  const offered = (backend.targets[role] ?? []).map((n) => clusterTargets[n] as ClusterTarget);
  const issues: TargetIssue[] = [];
  const cluster = c.cluster as Record<string, unknown>;
  for (const t of Object.values(clusterTargets) as ClusterTarget[]) {
    if (t.cloud === undefined || t.cloud === backend.name || offered.includes(t)) continue;
    for (const k of t.cloudKeys) {
      if (cluster[k] !== undefined) {
        issues.push({
          path: ["cluster", k],
          message: `applies to cloud ${t.cloud} only; ${backend.clusterHint}`,
        });
      }
    }
  }
  const chosen = offered.filter((t) => t.chosen(c, role));
  if (role === "destination") {
    if (chosen.length !== 1) {
      issues.push({
        path: ["cluster"],
        message: `choose exactly one target: ${list(offered.map((t) => t.choice))}`,
      });
    }
    for (const t of offered) issues.push(...(t.check?.(c) ?? []));
  } else {
    for (const t of offered) issues.push(...(t.check?.(c) ?? []));
    if (chosen.length > 1) {
      const last = chosen[chosen.length - 1];
      issues.push({
        path: last.path,
        message: `set either ${chosen.map((t) => t.short).join(" or ")}, not both`,
      });
    }
    if (chosen.length === 0) {
      issues.push({
        path: ["cluster"],
        message: `no cluster access: set ${offered.map((t) => t.hint).join(", or ")}`,
      });
    }
  }
  for (const t of chosen) issues.push(...(backend.checkTarget?.(role, t.name as TargetName, c) ?? []));
  return { target: chosen.length === 1 ? chosen[0] : undefined, issues };
}

/** The target of a validated configuration (validation has shown there is exactly one). */
export function targetOf(role: TargetRole, backend: TargetOffer, c: TargetKeys): ClusterTarget {
  const { target, issues } = selectTarget(role, backend, c);
  if (!target) throw new Error(`velero-dr: no cluster target (${issues.map((i) => i.message).join("; ")})`);
  return target;
}
