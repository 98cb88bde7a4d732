import * as pulumi from "@pulumi/pulumi";
import { shellQuote } from "../shell/script";
import {
  ClusterTarget,
  olderKubernetes,
  SizedCreateEks,
  SourceCluster,
  TargetDescribeContext,
  TargetDescription,
  TargetKeys,
} from "./target";

/** The EKS component (and with it the AWS SDK), loaded only when a new EKS cluster is created. */
function eksCluster(): typeof import("../cluster/eks-cluster") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../cluster/eks-cluster") as typeof import("../cluster/eks-cluster");
}

/** A new cluster's name: the stack's key, else derived from the stack's name. */
export function eksClusterName(spec: { name?: string }, stack: string): string {
  return spec.name ?? `dr-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 100);
}

/**
 * A new EKS cluster (`cluster.createEks`, AWS destinations): in the site's existing subnets, a
 * managed node group sized for the app, its IAM OIDC provider (Velero's role trusts it), on the
 * same or a newer Kubernetes than the source's (Velero restores only into the same or a newer one).
 */
export const createEks: ClusterTarget<"createEks"> = {
  name: "createEks",
  cloud: "aws",
  cloudKeys: ["createEks"],
  path: ["cluster"],
  chosen: (c) => c.cluster.createEks !== undefined,
  hint: "cluster.createEks",
  short: "cluster.createEks",
  choice: "cluster.createEks (a new EKS cluster)",
  checkResolved: (c, source, _redacted, stack) =>
    c.cluster.createEks && source ? createEksProblems(c.cluster.createEks, source, stack) : [],
  describe: (ctx) => describeCreateEks(ctx),
  open: (ctx) => {
    const spec = ctx.cluster.createEks;
    const aws = ctx.aws;
    if (!spec || !aws?.partition)
      throw new Error("a new EKS cluster needs cluster.createEks and the AWS provider");
    // From a stack reference the source's version arrives while the program runs: checked then,
    // before the cluster is created.
    const kubernetesVersion = pulumi.output(ctx.sourceKubernetesVersion).apply((source) => {
      if (olderKubernetes(spec.kubernetesVersion, source)) {
        throw new Error(
          `velero-dr: cluster.createEks.kubernetesVersion ${spec.kubernetesVersion} is older than the source cluster's ${source}; Velero restores only into the same or a newer Kubernetes`,
        );
      }
      return spec.kubernetesVersion;
    });
    const cluster = new (eksCluster().EksCluster)(
      "cluster",
      {
        name: eksClusterName(spec, ctx.stack),
        region: aws.region,
        partition: aws.partition,
        kubernetesVersion,
        subnetIds: spec.subnetIds,
        instanceType: spec.instanceType,
        nodeCount: spec.nodeCount,
        tags: ctx.tags,
      },
      { providers: [aws.provider], ...(ctx.after && ctx.after.length > 0 ? { dependsOn: ctx.after } : {}) },
    );
    return {
      provider: cluster.provider,
      kubeconfig: cluster.kubeconfig,
      apiServer: cluster.apiServer,
      // EKS has no node resource group: volumes are created in the snapshots' region.
      nodeResourceGroup: pulumi.output(""),
      kubernetesVersion,
      uid: cluster.uid,
      created: true,
      oidcProviderArn: cluster.oidcProviderArn,
    };
  },
};

/** What can be known before anything is created: the version, and not the source's own name. */
function createEksProblems(
  spec: NonNullable<TargetKeys["cluster"]["createEks"]>,
  source: SourceCluster,
  stack: string,
): string[] {
  const problems: string[] = [];
  const name = eksClusterName(spec, stack);
  if (source.eksName && source.eksName === name) {
    problems.push(
      `velero-dr:cluster.createEks.name: a new cluster named ${JSON.stringify(name)} is the source cluster's name; the new cluster must not take the source's place: choose another cluster.createEks.name`,
    );
  }
  if (olderKubernetes(spec.kubernetesVersion, source.kubernetesVersion)) {
    problems.push(
      `velero-dr:cluster.createEks.kubernetesVersion: got ${JSON.stringify(spec.kubernetesVersion)}, older than the source cluster's ${source.kubernetesVersion}; Velero restores only into the same or a newer Kubernetes: use ${/^v?(\d+\.\d+)/.exec(source.kubernetesVersion ?? "")?.[1] ?? "the source's"} or newer`,
    );
  }
  return problems;
}

/** The new cluster as the runbook shows it, with the aws/eksctl-free commands that make the same cluster. */
function describeCreateEks(ctx: TargetDescribeContext): TargetDescription {
  const spec = ctx.cluster.createEks as SizedCreateEks | undefined;
  if (!spec || !ctx.aws) throw new Error("a new EKS cluster needs cluster.createEks and the aws settings");
  const name = eksClusterName(spec, ctx.stack);
  const q = shellQuote;
  const region = ctx.aws.region;
  return {
    summary:
      "A new EKS cluster (`cluster.createEks`) in the subnets named; `pulumi up` creates it before anything else (its roles, the cluster, its IAM OIDC provider, the node group, the EBS CSI driver add-on), then reaches it with `aws eks get-token` as the identity running `pulumi up`:",
    rows: [
      ["Name", `\`${name}\` in \`${region}\`, account \`${ctx.aws.accountId}\``],
      [
        "Kubernetes version",
        `\`${spec.kubernetesVersion}\` (the same as the source's or newer: \`${ctx.sourceKubernetesVersion}\`)`,
      ],
      ["Subnets", spec.subnetIds.map((s) => `\`${s}\``).join(", ")],
      [
        "Nodes",
        `managed node group \`system\`: ${spec.nodeCount} × \`${spec.instanceType}\` (up to ${spec.nodeCount + 2})`,
      ],
      ["IRSA", "the cluster's IAM OIDC provider (client id `sts.amazonaws.com`): Velero's role trusts it"],
      ["Volumes", "the `aws-ebs-csi-driver` add-on, its role trusted by `kube-system:ebs-csi-controller-sa`"],
    ],
    commands: [
      `aws eks update-kubeconfig --region ${q(region)} --name ${q(name)} --kubeconfig "$KUBECONFIG"`,
    ],
  };
}
