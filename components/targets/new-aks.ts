import * as pulumi from "@pulumi/pulumi";
import { minorOf } from "../velero/versions";
import { azLogin, azureNativeSubscription, azVmUsage } from "../azure/cli";
import { KNOWN_SERIES, quotaFamilyOf } from "../azure/vm-sizes";
import type { PreflightContext, PreflightFinding } from "../model/preflight";
import { shellQuote } from "../shell/script";
import {
  ClusterTarget,
  sameAzureName,
  SourceCluster,
  TargetContext,
  TargetDescribeContext,
  TargetDescription,
  TargetKeys,
} from "./target";

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
  // A size whose quota family is not known could not have its quota checked before the cluster.
  check: (c) => {
    const size = c.cluster.create?.nodeVmSize;
    return size !== undefined && quotaFamilyOf(size) === undefined
      ? [
          {
            path: ["cluster", "create", "nodeVmSize"],
            message: `got ${JSON.stringify(size)}, whose vCPU quota family is not known here (components/azure/vm-sizes.ts knows the series ${KNOWN_SERIES.join(", ")}), so the region's quota could not be checked before the cluster is created; use a size of those series, e.g. Standard_D8ds_v5`,
          },
        ]
      : [];
  },
  preflight: (ctx, pctx) => quotaFindings(ctx, pctx),
  // With the source's outputs typed in, what can be known is checked before anything is created
  // (from a stack reference they arrive while the program runs: open() checks the version then).
  checkResolved: (c, source, _redacted, stack) =>
    c.cluster.create && source ? createProblems(c.cluster.create, source, stack) : [],
  describe: (ctx) => describeCreate(ctx),
  open: (ctx) => {
    const spec = ctx.cluster.create;
    if (!spec || !ctx.azure) throw new Error("a new AKS cluster needs cluster.create and the azure settings");
    const { name, resourceGroupName, nodeResourceGroup } = createdNames(spec, ctx.stack);
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
    const cluster = new (aksCluster().AksCluster)(
      "cluster",
      {
        name,
        resourceGroupName,
        location: ctx.azure.location,
        kubernetesVersion,
        nodeVmSize: spec.nodeVmSize,
        nodeCount: spec.nodeCount,
        availabilityZones: spec.availabilityZones,
        nodeResourceGroup,
        tags: ctx.tags,
      },
      ctx.after && ctx.after.length > 0 ? { dependsOn: ctx.after } : {},
    );
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

/** The names a new cluster gets (the stack's keys, else derived from the stack's name). */
function clusterName(spec: { name?: string }, stack: string): string {
  return spec.name ?? `dr-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 63);
}

function createdNames(
  spec: { name?: string; resourceGroupName?: string; nodeResourceGroup?: string },
  stack: string,
): { name: string; resourceGroupName: string; nodeResourceGroup: string } {
  return {
    name: clusterName(spec, stack),
    resourceGroupName: spec.resourceGroupName ?? `velero-dr-${stack}-cluster`,
    nodeResourceGroup: spec.nodeResourceGroup ?? `velero-dr-${stack}-nodes`,
  };
}

/** The new cluster as the runbook shows it, with the az commands that make the same cluster. */
function describeCreate(ctx: TargetDescribeContext): TargetDescription {
  const spec = ctx.cluster.create;
  if (!spec || !ctx.azure) throw new Error("a new AKS cluster needs cluster.create and the azure settings");
  const { name, resourceGroupName, nodeResourceGroup } = createdNames(spec, ctx.stack);
  const q = shellQuote;
  const zones = spec.availabilityZones ?? [];
  const tags = Object.entries(ctx.tags).map(([k, v]) => q(`${k}=${v}`));
  return {
    summary:
      "A new AKS cluster (`cluster.create`), in a resource group of its own; `pulumi up` creates it before anything else, then reads its user credentials:",
    rows: [
      ["Name", `\`${name}\``],
      ["Resource group", `\`${resourceGroupName}\` in \`${ctx.azure.location}\``],
      [
        "Kubernetes version",
        `\`${spec.kubernetesVersion}\` (the same as the source's or newer: \`${ctx.sourceKubernetesVersion}\`)`,
      ],
      [
        "Nodes",
        `pool \`system\`: ${spec.nodeCount} × \`${spec.nodeVmSize}\`${zones.length ? `, zone${zones.length > 1 ? "s" : ""} ${zones.join(", ")}` : ""}`,
      ],
      ["Node resource group", `\`${nodeResourceGroup}\` (Velero creates the restored disks here)`],
      ["Network", "Azure CNI, standard load balancer; system-assigned managed identity; Kubernetes RBAC"],
    ],
    commands: [
      `az group create --name ${q(resourceGroupName)} --location ${q(ctx.azure.location)} --tags ${tags.join(" ")}`,
      [
        `az aks create --resource-group ${q(resourceGroupName)} --name ${q(name)} --location ${q(ctx.azure.location)}`,
        `  --kubernetes-version ${q(spec.kubernetesVersion)} --nodepool-name system --node-count ${spec.nodeCount} --node-vm-size ${q(spec.nodeVmSize)}`,
        ...(zones.length ? [`  --zones ${zones.join(" ")}`] : []),
        `  --node-resource-group ${q(nodeResourceGroup)} --network-plugin azure --load-balancer-sku standard`,
        `  --enable-managed-identity --dns-name-prefix ${q(name)} --tags ${tags.join(" ")}`,
      ].join(" \\\n"),
      `az aks get-credentials --resource-group ${q(resourceGroupName)} --name ${q(name)} --file "$KUBECONFIG"`,
    ],
    nodeResourceGroup,
  };
}

function createProblems(
  spec: NonNullable<TargetKeys["cluster"]["create"]>,
  source: SourceCluster,
  stack: string,
): string[] {
  const problems: string[] = [];
  const group = spec.resourceGroupName ?? `velero-dr-${stack}-cluster`;
  if (
    sameAzureName(clusterName(spec, stack), source.aksName) &&
    sameAzureName(group, source.aksResourceGroup)
  ) {
    problems.push(
      `velero-dr:cluster.create.name: a new cluster named ${JSON.stringify(clusterName(spec, stack))} in resource group ${JSON.stringify(group)} is the source cluster's name and group (Azure names ignore case); the new cluster must not take the source's place: choose another cluster.create.name or cluster.create.resourceGroupName`,
    );
  }
  const src = source.kubernetesVersion ? minorOf(`v${source.kubernetesVersion}`) : undefined;
  const dst = minorOf(`v${spec.kubernetesVersion}${/^\d+\.\d+$/.test(spec.kubernetesVersion) ? ".0" : ""}`);
  if (src && dst && compareMinor(dst, src) < 0) {
    problems.push(
      `velero-dr:cluster.create.kubernetesVersion: got ${JSON.stringify(spec.kubernetesVersion)}, older than the source cluster's ${source.kubernetesVersion}; Velero restores only into the same or a newer Kubernetes: use ${src} or newer`,
    );
  }
  return problems;
}

function compareMinor(a: string, b: string): number {
  const [a1, a2] = a.split(".").map(Number);
  const [b1, b2] = b.split(".").map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

/**
 * The new cluster's nodes against the region's vCPU quota (their family's and the regional total),
 * read with the Azure CLI where it is logged in: AKS refuses a node pool beyond the quota only
 * after the cluster's resource group was created. Not in a preview (a call to the Compute API);
 * where az cannot be asked, the quota is said to be unchecked, not refused.
 */
function quotaFindings(
  ctx: Pick<TargetContext, "cluster" | "azure">,
  pctx: PreflightContext,
): PreflightFinding[] {
  const spec = ctx.cluster.create;
  if (pctx.preview || !spec?.nodeVmSize || !ctx.azure) return [];
  const size = spec.nodeVmSize;
  const count = spec.nodeCount ?? 1;
  const region = ctx.azure.location;
  const unchecked = (why: string): PreflightFinding[] => [
    {
      level: "warning",
      message: `the vCPU quota for the new cluster's ${count} x ${size} in ${region} was not checked (${why}); check it with \`az vm list-usage --location ${region} -o table\` before AKS refuses the node pool half-way`,
    },
  ];
  const family = quotaFamilyOf(size);
  if (!family) return unchecked(`the quota family of ${size} is not known`);
  const subscription = azureNativeSubscription(pctx) ?? ctx.azure.subscriptionId;
  const login = azLogin(pctx, subscription);
  if (login.state === "absent") return unchecked("the Azure CLI (az) is not on PATH");
  if (login.state !== "ok") return unchecked("the Azure CLI is not logged in, or not into that subscription");
  const usage = azVmUsage(pctx, region, login.subscription);
  if ("failed" in usage) return unchecked(`az vm list-usage: ${usage.failed}`);
  const need = count * family.vcpus;
  const fix = `request a quota increase (Azure portal: Quotas > Compute, region ${region}) or choose another cluster.create.nodeVmSize / a smaller cluster.create.nodeCount`;
  const findings: PreflightFinding[] = [];
  const rows = [
    { name: family.family, what: `its family's quota "${family.localName}" (${family.family})` },
    { name: "cores", what: `the regional quota "Total Regional vCPUs" (cores)` },
  ];
  for (const row of rows) {
    const u = usage.usages.find((x) => x.name.toLowerCase() === row.name.toLowerCase());
    if (!u) {
      if (row.name === family.family) {
        findings.push(
          ...unchecked(
            `az vm list-usage lists no ${family.family} in ${region}: the size may not be offered there`,
          ),
        );
      }
      continue;
    }
    const free = u.limit - u.currentValue;
    if (free < need) {
      findings.push({
        level: "error",
        message: `velero-dr:cluster.create: the new cluster's ${count} x ${size} need ${need} vCPUs (${count} nodes x ${family.vcpus}) of ${row.what} in ${region}, subscription ${login.subscription}, which has ${Math.max(free, 0)} free (limit ${u.limit}, in use ${u.currentValue}): ${fix}`,
      });
    }
  }
  return findings;
}
