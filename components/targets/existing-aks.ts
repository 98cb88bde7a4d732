import { accessTarget, clusterAccess } from "./access";
import { shellQuote } from "../shell/script";
import { ClusterTarget, sameAzureName } from "./target";

/**
 * An existing AKS cluster (`cluster.aksName` + `cluster.aksResourceGroup`): the Kubernetes
 * provider is built from its user credentials, its node resource group and version read from AKS.
 */
export const aks: ClusterTarget<"aks"> = {
  name: "aks",
  cloud: "azure",
  cloudKeys: ["aksName", "aksResourceGroup", "nodeResourceGroup"],
  path: ["cluster"],
  // A source asks for it with either key (and is then told to set both); a destination names it.
  chosen: (c, role) =>
    role === "destination"
      ? c.cluster.aksName !== undefined
      : c.cluster.aksName !== undefined || c.cluster.aksResourceGroup !== undefined,
  hint: "cluster.aksName and cluster.aksResourceGroup",
  short: "cluster.aksName (+ aksResourceGroup)",
  choice: "cluster.aksName + cluster.aksResourceGroup (an existing one)",
  check: (c) =>
    (c.cluster.aksName === undefined) !== (c.cluster.aksResourceGroup === undefined)
      ? [{ path: ["cluster"], message: "cluster.aksName and cluster.aksResourceGroup go together; set both" }]
      : [],
  checkResolved: (c, source) =>
    source &&
    sameAzureName(c.cluster.aksName, source.aksName) &&
    sameAzureName(c.cluster.aksResourceGroup, source.aksResourceGroup)
      ? [
          `velero-dr:cluster.aksName: ${JSON.stringify(c.cluster.aksName)} in ${JSON.stringify(c.cluster.aksResourceGroup)} is the source cluster; restoring into the cluster a backup came from is not supported`,
        ]
      : [],
  describe: (ctx) => {
    const name = ctx.cluster.aksName as string;
    const group = ctx.cluster.aksResourceGroup as string;
    const nodes = ctx.cluster.nodeResourceGroup;
    return {
      summary:
        "An existing AKS cluster (`cluster.aksName`): the stack reads its user credentials and node resource group, and changes nothing of the cluster itself. The guard (step 1) refuses it if it is the source cluster:",
      rows: [
        ["Name", `\`${name}\` in resource group \`${group}\``],
        [
          "Node resource group",
          nodes
            ? `\`${nodes}\` (Velero creates the restored disks here)`
            : `read from AKS (\`az aks show --resource-group ${group} --name ${name} --query nodeResourceGroup\`); Velero creates the restored disks there`,
        ],
      ],
      commands: [
        `az aks get-credentials --resource-group ${shellQuote(group)} --name ${shellQuote(name)} --file "$KUBECONFIG"`,
      ],
      ...(nodes ? { nodeResourceGroup: nodes } : {}),
    };
  },
  open: (ctx) =>
    accessTarget(
      new (clusterAccess().ClusterAccess)("cluster", {
        aks: {
          name: ctx.cluster.aksName as string,
          resourceGroupName: ctx.cluster.aksResourceGroup as string,
        },
        kubeconfig: undefined,
        nodeResourceGroup: ctx.cluster.nodeResourceGroup,
      }),
    ),
};
