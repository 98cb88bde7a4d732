import * as pulumi from "@pulumi/pulumi";
import { minorOf } from "../velero/versions";
import { ClusterTarget } from "./target";

/** The AKS component (and with it the Azure SDK), loaded only when a new cluster is created. */
function aksCluster(): typeof import("../cluster/aks-cluster") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../cluster/aks-cluster") as typeof import("../cluster/aks-cluster");
}

/**
 * A new AKS cluster (`cluster.create`, destinations): created in its own resource group, shaped
 * like the source's, on the same or a newer Kubernetes than the source's (Velero restores only
 * into the same or a newer one; migration-case.md).
 */
export const create: ClusterTarget<"create"> = {
  name: "create",
  cloud: "azure",
  cloudKeys: ["create"],
  path: ["cluster"],
  chosen: (c) => c.cluster.create !== undefined,
  hint: "cluster.create",
  short: "cluster.create",
  choice: "cluster.create (a new AKS cluster)",
  open: (ctx) => {
    const spec = ctx.cluster.create;
    if (!spec || !ctx.azure) throw new Error("a new AKS cluster needs cluster.create and the azure settings");
    const name = spec.name ?? `dr-${ctx.stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 63);
    const kubernetesVersion = pulumi.output(ctx.sourceKubernetesVersion).apply((source) => {
      const src = source ? minorOf(`v${source}`) : undefined;
      const dst = minorOf(
        `v${spec.kubernetesVersion}${/^\d+\.\d+$/.test(spec.kubernetesVersion) ? ".0" : ""}`,
      );
      if (src && dst && compareMinor(dst, src) < 0) {
        throw new Error(
          `velero-dr: cluster.create.kubernetesVersion ${spec.kubernetesVersion} is older than the source cluster's ${source}; Velero restores only into the same or a newer Kubernetes`,
        );
      }
      return spec.kubernetesVersion;
    });
    const cluster = new (aksCluster().AksCluster)("cluster", {
      name,
      resourceGroupName: spec.resourceGroupName ?? `velero-dr-${ctx.stack}-cluster`,
      location: ctx.azure.location,
      kubernetesVersion,
      nodeVmSize: spec.nodeVmSize,
      nodeCount: spec.nodeCount,
      availabilityZones: spec.availabilityZones,
      nodeResourceGroup: spec.nodeResourceGroup ?? `velero-dr-${ctx.stack}-nodes`,
      tags: ctx.tags,
    });
    return {
      provider: cluster.provider,
      kubeconfig: cluster.kubeconfig,
      apiServer: cluster.apiServer,
      nodeResourceGroup: cluster.nodeResourceGroup,
      kubernetesVersion,
      uid: cluster.uid,
      created: true,
    };
  },
};

function compareMinor(a: string, b: string): number {
  const [a1, a2] = a.split(".").map(Number);
  const [b1, b2] = b.split(".").map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}
