import { referenceBench } from "../../apps/reference";
import { BenchNode } from "./recorded";

/**
 * How long each resource of a destination stack takes in a real `pulumi up`, for the RTO
 * simulation. Every figure is configurable (`npm run bench -- --durations file.json`, a JSON
 * object of the keys below) and says where it comes from: a published figure where there is one,
 * otherwise "estimate" with the reasoning. Changing a figure changes the simulated times, never
 * the graph: the graph is what the program registered.
 */

export interface Figure {
  seconds: number;
  source: string;
}

const SEED_000 = referenceBench.document;
const VELERO_SYNC =
  "Velero v1.10 docs, migration-case: 'The default sync interval is 1 minute' (--backup-sync-period); https://velero.io/docs/v1.10/migration-case/";

export const DEFAULT_FIGURES = {
  // Azure and the Pulumi service.
  stackReference: {
    seconds: 1,
    source: "estimate: one read of the source stack's outputs from the state backend",
  },
  resourceGroup: { seconds: 5, source: "estimate: one synchronous ARM PUT" },
  aksCluster: {
    seconds: 480,
    source:
      "estimate (no published duration: Microsoft's AKS quickstart, https://learn.microsoft.com/azure/aks/learn/quick-kubernetes-deploy-cli, says creation takes a few minutes); 8 min assumed for 4 D8d_v5 nodes in one zone; the stack allows 60 min",
  },
  kubernetesProvider: { seconds: 0, source: "no cloud call: configuration only" },
  read: { seconds: 1, source: "estimate: one API read" },
  aadApplication: {
    seconds: 10,
    source: "estimate: the azuread provider waits until the new application can be read back",
  },
  aadServicePrincipal: { seconds: 10, source: "estimate: as the application" },
  aadPassword: { seconds: 5, source: "estimate: one Microsoft Graph call" },
  roleDefinition: { seconds: 10, source: "estimate: one ARM PUT, custom roles replicate slowly" },
  roleAssignment: { seconds: 5, source: "estimate: one ARM PUT (principalType set, no retry loop)" },
  identityPropagation: {
    seconds: 120,
    source:
      "estimate of the usual delay before a new service principal's secret and role assignments work; Microsoft's Azure RBAC troubleshooting page (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting) documents up to 10 minutes (30 in some versions) for role assignment changes. Added to every role assignment in the graph, counted once in the serial runbook",
  },
  dnsRecord: { seconds: 3, source: "estimate: one ARM PUT per Azure DNS record set" },
  // In the new cluster.
  kubernetesObject: {
    seconds: 2,
    source: "estimate: one API call (namespace, secret, priority class, schedule)",
  },
  helmRelease: {
    seconds: 90,
    source:
      "estimate: chart install plus Helm's wait for the Velero Deployment on fresh nodes (two image pulls: velero, the Azure plugin)",
  },
  // Restore steps (command:local:Command, by step id).
  guard: { seconds: 5, source: "estimate: two kubectl reads" },
  waitBsl: {
    seconds: 15,
    source: "estimate: Velero validates the location when it starts (then once per validation period, 1 min)",
  },
  waitBackup: { seconds: 60, source: `${VELERO_SYNC}; the worst case of one period` },
  dnsUnpublishCalls: {
    seconds: 10,
    source:
      "estimate: the az/nsupdate/aws calls (Route 53: until the change is INSYNC); the step then waits one TTL (dns.ttlSeconds of the stack)",
  },
  restoreItems: {
    seconds: 574,
    source: `${SEED_000}: the example backup holds 574 items (a count, not seconds)`,
  },
  restoreSecondsPerItem: {
    seconds: 66 / 574,
    source: `estimate: restores as fast as the example backup of ${SEED_000} ran (574 items with 10 snapshots, started 15:10:15, completed 15:11:21: 66 s)`,
  },
  restoreOverhead: { seconds: 10, source: "estimate: create the Restore, Velero picks it up, final status" },
  promote: { seconds: 5, source: "estimate: one kubectl patch" },
  waitLoadBalancer: {
    seconds: 60,
    source: "estimate: Azure assigns the restored LoadBalancer Service a public IP",
  },
  dnsPublish: {
    seconds: 10,
    source: "estimate: the records are checked (az) or sent (nsupdate; aws, until INSYNC)",
  },
  // The reference application's own steps.
  ...referenceBench.figures,
  otherStep: { seconds: 10, source: "estimate: an unknown step (none in the example)" },
  other: { seconds: 5, source: "estimate: a resource type the model does not know (listed in the output)" },
} satisfies Record<string, Figure>;

export type FigureName = keyof typeof DEFAULT_FIGURES;
export type Figures = Record<FigureName, Figure>;

/** The defaults with some figures replaced (seconds only; the source then says "override"). */
export function withOverrides(overrides: Partial<Record<string, number>>): Figures {
  const out = { ...DEFAULT_FIGURES } as Figures;
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in DEFAULT_FIGURES)) {
      throw new Error(`unknown duration ${k}; known: ${Object.keys(DEFAULT_FIGURES).join(", ")}`);
    }
    if (typeof v !== "number" || !(v >= 0)) throw new Error(`duration ${k} must be a number >= 0`);
    out[k as FigureName] = { seconds: v, source: "override (--durations)" };
  }
  return out;
}

const BY_TYPE: Record<string, FigureName> = {
  "pulumi:pulumi:StackReference": "stackReference",
  "azure-native:resources:ResourceGroup": "resourceGroup",
  "azure-native:containerservice:ManagedCluster": "aksCluster",
  "pulumi:providers:kubernetes": "kubernetesProvider",
  "azuread:index/application:Application": "aadApplication",
  "azuread:index/servicePrincipal:ServicePrincipal": "aadServicePrincipal",
  "azuread:index/applicationPassword:ApplicationPassword": "aadPassword",
  "azure-native:authorization:RoleDefinition": "roleDefinition",
  "azure-native:authorization:RoleAssignment": "roleAssignment",
  "azure-native:dns:RecordSet": "dnsRecord",
  "kubernetes:helm.sh/v3:Release": "helmRelease",
};

const BY_STEP: Record<string, FigureName> = {
  "guard-different-cluster": "guard",
  // One listing of the cluster's CRDs: a guard's few kubectl calls.
  "check-prerequisites": "guard",
  // One read of the Service's endpoints once the app reports healthy: a guard's few kubectl calls.
  "entry-point-served": "guard",
  "wait-bsl-available": "waitBsl",
  "wait-backup": "waitBackup",
  "bsl-read-write": "promote",
  "wait-load-balancer": "waitLoadBalancer",
  "dns-publish": "dnsPublish",
  ...referenceBench.steps,
};

export interface NodeDuration {
  /** The resource's own work. */
  seconds: number;
  /** Waiting after it is created before what depends on it can use it (identity propagation). */
  propagation: number;
  /** The figures it was computed from. */
  figures: FigureName[];
}

/** Duration of one resource of the graph. */
export function durationOf(n: BenchNode, f: Figures): NodeDuration {
  const one = (name: FigureName): NodeDuration => ({
    seconds: f[name].seconds,
    propagation: 0,
    figures: [name],
  });
  if (n.step) {
    if (n.step.id === "dns-unpublish") {
      const ttl = Number((n.inputs.environment as Record<string, unknown>).DNS_TTL_SECONDS ?? NaN);
      if (!(ttl >= 0)) throw new Error("dns-unpublish has no DNS_TTL_SECONDS");
      return { seconds: f.dnsUnpublishCalls.seconds + ttl, propagation: 0, figures: ["dnsUnpublishCalls"] };
    }
    if (n.step.id === "restore") {
      return {
        seconds: f.restoreOverhead.seconds + f.restoreItems.seconds * f.restoreSecondsPerItem.seconds,
        propagation: 0,
        figures: ["restoreOverhead", "restoreItems", "restoreSecondsPerItem"],
      };
    }
    return one(BY_STEP[n.step.id] ?? "otherStep");
  }
  // The promoted primary's location keeper runs the promote step's script.
  if (n.type === "command:local:Command" && n.name === "primary-location-read-write") return one("promote");
  // The promoted destination's PrometheusRule (mode auto): one API lookup and one apply.
  if (n.type === "command:local:Command" && n.name === "alerting-apply") return one("kubernetesObject");
  if (n.type === "azure-native:authorization:RoleAssignment") {
    return {
      seconds: f.roleAssignment.seconds,
      propagation: f.identityPropagation.seconds,
      figures: ["roleAssignment", "identityPropagation"],
    };
  }
  const byType = BY_TYPE[n.type];
  if (byType) return one(byType);
  if (n.read) return one("read");
  if (n.type.startsWith("kubernetes:")) return one("kubernetesObject");
  return one("other");
}

/** Types (or step ids) the model has no figure for: they get `other`/`otherStep`. */
export function unmodelled(nodes: BenchNode[], f: Figures): string[] {
  const out = nodes
    .filter((n) => {
      const d = durationOf(n, f).figures;
      return d.includes("other") || d.includes("otherStep");
    })
    .map((n) => (n.step ? `step ${n.step.id}` : n.type));
  return [...new Set(out)].sort();
}
