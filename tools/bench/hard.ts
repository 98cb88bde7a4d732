import { referenceBench } from "../../apps/reference";
import { Edge } from "./graph";
import { BenchNode, RecordedGraph } from "./recorded";

/**
 * The *hard* needs of a destination stack: orderings that no implementation could drop, because
 * the later resource uses what the earlier one produces (data), because the earlier one must
 * exist for the later to make sense (a namespace, a node resource group), or because a safety
 * property of this project demands it (the guard first; the BSL read-only until the restore; DNS
 * removed before the restore; health last). Everything else the program orders is *soft*: an
 * implementation choice, which the simulation may show to cost time.
 *
 * A hard need is a pair of recorded resources, whether or not the program recorded that very
 * edge: the recorded graph must honor it at least through other resources (checked: `unmet`).
 * Each rule names the reason; docs/PERFORMANCE.md lists them.
 */
export interface HardRule {
  id: string;
  why: string;
  /** `a` needs `b`. */
  holds: (a: BenchNode, b: BenchNode, g: RecordedGraph) => boolean;
}

export interface HardEdge extends Edge {
  rule: string;
}

const T = {
  stackRef: "pulumi:pulumi:StackReference",
  rg: "azure-native:resources:ResourceGroup",
  aks: "azure-native:containerservice:ManagedCluster",
  k8sProvider: "pulumi:providers:kubernetes",
  app: "azuread:index/application:Application",
  sp: "azuread:index/servicePrincipal:ServicePrincipal",
  password: "azuread:index/applicationPassword:ApplicationPassword",
  roleDef: "azure-native:authorization:RoleDefinition",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  namespace: "kubernetes:core/v1:Namespace",
  secret: "kubernetes:core/v1:Secret",
  priorityClass: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
  release: "kubernetes:helm.sh/v3:Release",
  schedule: "kubernetes:velero.io/v1:Schedule",
  record: "azure-native:dns:RecordSet",
};

/** The vendor's post-restore procedure (the reference app's document), in order: each step needs the one before it. */
export const SEED_POST_RESTORE: readonly string[] = ["dns-publish", ...referenceBench.postRestore];

const is = (n: BenchNode, type: string) => n.type === type;
const stepIs = (n: BenchNode, id: string) => n.step?.id === id;
const kindIs = (n: BenchNode, ...kinds: string[]) => n.step !== undefined && kinds.includes(n.step.kind);
/** The promoted primary's location keeper (components/velero/primary-location.ts): a Command, not a step. */
const isPrimaryLocation = (n: BenchNode) =>
  n.type === "command:local:Command" && !n.step && n.name === "primary-location-read-write";
const direct = (g: RecordedGraph, a: BenchNode, b: BenchNode) => g.needs[a.key]?.includes(b.key) ?? false;

/** Created in the target cluster: a Kubernetes object through the target's provider (reads excluded). */
export function inTarget(n: BenchNode, g: RecordedGraph): boolean {
  return !n.read && n.provider !== undefined && g.nodes[n.provider]?.type === T.k8sProvider;
}

function namespaceOf(n: BenchNode): string | undefined {
  const i = n.inputs as { metadata?: { namespace?: unknown }; namespace?: unknown };
  const ns = i.metadata?.namespace ?? (is(n, T.release) ? i.namespace : undefined);
  return typeof ns === "string" ? ns : undefined;
}

function mentionsGroup(n: BenchNode, group: unknown): boolean {
  if (typeof group !== "string" || group === "") return false;
  const text = JSON.stringify(n.inputs);
  return text.includes(`/resourceGroups/${group}"`) || text.includes(`/resourceGroups/${group}/`);
}

const onStorageAccount = (n: BenchNode) =>
  is(n, T.roleAssignment) && String(n.inputs.scope ?? "").includes("/storageAccounts/");

export const HARD_RULES: HardRule[] = [
  {
    id: "resource-group",
    why: "an Azure resource is created in its resource group",
    holds: (a, b) => is(a, T.aks) && is(b, T.rg) && a.inputs.resourceGroupName === b.inputs.resourceGroupName,
  },
  {
    id: "source-outputs",
    why: "the resource's inputs come from the source stack's outputs (storage, versions, API server)",
    holds: (a, b, g) => is(b, T.stackRef) && direct(g, a, b),
  },
  {
    id: "kubeconfig",
    why: "talking to the new cluster needs the cluster and its credentials",
    holds: (a, b) =>
      (is(a, T.k8sProvider) && is(b, T.aks)) ||
      a.provider === b.key ||
      (a.step?.kubeconfig === true && is(b, T.aks)),
  },
  {
    id: "guard-first",
    why: "safety: nothing is installed in the target cluster, and no restore step runs, before the guard has shown it is not the source cluster (policy destination-not-source-cluster)",
    holds: (a, b, g) =>
      stepIs(b, "guard-different-cluster") && a !== b && (a.step !== undefined || inTarget(a, g)),
  },
  {
    id: "prerequisites-first",
    why: "safety: DNS is not touched and nothing is restored before the app's supporting software is known to be on the new cluster (a refused cluster must leave everything as it was)",
    holds: (a, b) => stepIs(b, "check-prerequisites") && kindIs(a, "dns-unpublish", "restore"),
  },
  {
    id: "entry-point-after-health",
    why: "the Service users reach is checked once the app reports healthy: before, the pods behind it are still being re-created",
    holds: (a, b) =>
      stepIs(a, "entry-point-served") && kindIs(b, "health") && !stepIs(b, "entry-point-served"),
  },
  {
    id: "azure-ad",
    why: "a service principal and a password belong to an application",
    holds: (a, b) => (is(a, T.sp) || is(a, T.password)) && is(b, T.app),
  },
  {
    id: "role-assignment",
    why: "a role assignment names its principal and its role definition",
    holds: (a, b, g) => is(a, T.roleAssignment) && (is(b, T.sp) || (is(b, T.roleDef) && direct(g, a, b))),
  },
  {
    id: "node-group-exists",
    why: "AKS creates the node resource group: a role scoped to it can only be created once the cluster is",
    holds: (a, b) =>
      (is(a, T.roleDef) || is(a, T.roleAssignment)) &&
      is(b, T.aks) &&
      mentionsGroup(a, b.inputs.nodeResourceGroup),
  },
  {
    id: "credentials",
    why: "Velero's credentials file holds the application's client id and password",
    holds: (a, b, g) =>
      is(a, T.secret) && inTarget(a, g) && (is(b, T.app) || is(b, T.password)) && direct(g, a, b),
  },
  {
    id: "namespace",
    why: "a namespaced object is created in its namespace",
    holds: (a, b, g) =>
      inTarget(a, g) &&
      is(b, T.namespace) &&
      !b.read &&
      namespaceOf(a) !== undefined &&
      namespaceOf(a) === (b.inputs.metadata as { name?: unknown } | undefined)?.name,
  },
  {
    id: "velero-pod",
    why: "the Velero pod (Helm waits for it) mounts the credentials Secret and uses the priority class",
    holds: (a, b, g) => is(a, T.release) && ((is(b, T.secret) && inTarget(b, g)) || is(b, T.priorityClass)),
  },
  {
    id: "bsl-available",
    why: "the location is Available only once Velero runs and its identity may list the storage account's keys",
    holds: (a, b) =>
      stepIs(a, "wait-bsl-available") && (is(b, T.release) || is(b, T.password) || onStorageAccount(b)),
  },
  {
    id: "backup-sync",
    why: "Velero syncs backups from a location once it is Available",
    holds: (a, b) => stepIs(a, "wait-backup") && stepIs(b, "wait-bsl-available"),
  },
  {
    id: "restore",
    why: "the restore needs the synced backup, DNS removed and one TTL passed (the vendor's procedure), and the disk permissions (volumes come back from snapshots into the node group)",
    holds: (a, b) =>
      stepIs(a, "restore") &&
      (stepIs(b, "wait-backup") ||
        stepIs(b, "dns-unpublish") ||
        (is(b, T.roleAssignment) && !onStorageAccount(b))),
  },
  {
    id: "read-only-until-restored",
    why: "safety: the location stays ReadOnly until the restore is done (policy destination-bsl-read-only)",
    holds: (a, b) => kindIs(a, "promote") && kindIs(b, "restore"),
  },
  {
    id: "load-balancer",
    why: "the load balancer address exists once its Service is restored; the A record and the publish step use it",
    holds: (a, b) =>
      (stepIs(a, "wait-load-balancer") && stepIs(b, "restore")) ||
      (is(a, T.record) && Array.isArray(a.inputs.aRecords) && stepIs(b, "wait-load-balancer")) ||
      (stepIs(a, "dns-publish") && (stepIs(b, "wait-load-balancer") || is(b, T.record))),
  },
  {
    id: "records-after-unpublish",
    why: "the unpublish step deletes the application's records: a record created before it would be deleted (or collide with the old one)",
    holds: (a, b) => is(a, T.record) && stepIs(b, "dns-unpublish"),
  },
  {
    id: "vendor-post-restore",
    why: referenceBench.postRestoreWhy,
    holds: (a, b, g) => {
      const ia = SEED_POST_RESTORE.indexOf(a.step?.id ?? "");
      const ib = SEED_POST_RESTORE.indexOf(b.step?.id ?? "");
      if (ia < 0 || ib < 0 || ib >= ia) return false;
      const present = new Set(Object.values(g.nodes).map((n) => n.step?.id));
      // The nearest earlier step of the sequence that this chain has.
      return SEED_POST_RESTORE.slice(ib + 1, ia).every((id) => !present.has(id));
    },
  },
  {
    id: "health-last",
    why: "safety: health is checked after the restore, every repair and the DNS publish (policy destination-restore-ordering)",
    holds: (a, b) => kindIs(a, "health") && kindIs(b, "restore", "repair", "dns-publish", "gate"),
  },
  {
    id: "primary-location",
    why: "the stack owns the promoted location's access mode: ReadWrite after the health check, and after the Velero release (whose upgrades re-create it ReadOnly)",
    holds: (a, b) => isPrimaryLocation(a) && (kindIs(b, "health") || is(b, T.release)),
  },
  {
    id: "schedules-last",
    why: "the destination writes backups only once it is healthy and the location is ReadWrite, through Velero",
    holds: (a, b) =>
      is(a, T.schedule) && (kindIs(b, "health", "promote") || is(b, T.release) || isPrimaryLocation(b)),
  },
];

/** Every hard need between the graph's resources, with the rule that makes it one. */
export function hardEdges(g: RecordedGraph, rules: HardRule[] = HARD_RULES): HardEdge[] {
  const nodes = Object.values(g.nodes);
  const out: HardEdge[] = [];
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      const rule = rules.find((r) => r.holds(a, b, g));
      if (rule) out.push({ from: a.key, to: b.key, rule: rule.id });
    }
  }
  return out;
}
