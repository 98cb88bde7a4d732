import * as pulumi from "@pulumi/pulumi";
import { accessTarget, clusterAccess } from "./access";
import { shellQuote } from "../shell/script";
import { ClusterTarget, olderKubernetes } from "./target";

/** The EKS lookup and the kubeconfig builder, loaded only when an EKS target opens. */
function eksModules() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    eks: require("@pulumi/aws/eks") as typeof import("@pulumi/aws/eks"),
    access: require("../identity/eks-access") as typeof import("../identity/eks-access"),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * An existing EKS cluster (`cluster.eksName`): read with the stack's AWS provider; the kubeconfig
 * authenticates with `aws eks get-token`. A source's IRSA trust names an OIDC provider, which must
 * be the cluster's, checked before anything is installed in the cluster; a destination's role
 * trusts the cluster's own provider (its ARN from the cluster's issuer and the account).
 */
export const eks: ClusterTarget<"eks"> = {
  name: "eks",
  cloud: "aws",
  cloudKeys: ["eksName"],
  path: ["cluster"],
  chosen: (c) => c.cluster.eksName !== undefined,
  hint: "cluster.eksName",
  short: "cluster.eksName",
  choice: "cluster.eksName (an existing EKS cluster)",
  describe: (ctx) => {
    const name = ctx.cluster.eksName as string;
    const region = ctx.aws?.region ?? "<aws.region>";
    return {
      summary:
        "An existing EKS cluster (`cluster.eksName`): the stack reads its endpoint and OIDC issuer, and changes nothing of the cluster itself (its IAM OIDC provider must be registered, for IRSA). The guard (step 1) refuses it if it is the source cluster:",
      rows: [["Name", `\`${name}\` in \`${region}\``]],
      commands: [
        `aws eks update-kubeconfig --region ${shellQuote(region)} --name ${shellQuote(name)} --kubeconfig "$KUBECONFIG"`,
      ],
    };
  },
  open: (ctx) => {
    const aws = ctx.aws;
    if (!aws) throw new Error("an EKS target needs the stack's AWS provider");
    const { eks: eksApi, access } = eksModules();
    const name = ctx.cluster.eksName as string;
    const eksCluster = eksApi.getClusterOutput({ name }, { provider: aws.provider });
    const kubeconfig = pulumi.secret(
      pulumi.all([eksCluster, pulumi.output(ctx.sourceKubernetesVersion)]).apply(([c, source]) => {
        // A destination: the cluster's version is known once EKS answers (a preview too), before
        // anything is installed in it, since everything in the cluster goes through this kubeconfig.
        const refused = olderEksRefusal(name, c.version, source);
        if (refused) throw new Error(refused);
        if (aws.oidcIssuer !== undefined) {
          // The trust names aws.oidcProviderArn; a provider of another cluster would make every
          // AssumeRoleWithWebIdentity fail. Checked on the kubeconfig's path, so nothing is
          // installed in the cluster when it does not match.
          const issuer = access.issuerHostPath(c.identities[0]?.oidcs[0]?.issuer ?? "");
          if (issuer !== aws.oidcIssuer) {
            throw new Error(
              `velero-dr:aws.oidcProviderArn: names issuer ${aws.oidcIssuer}, but EKS cluster ${name} uses ${issuer || "no OIDC issuer"}; use the cluster's provider (aws eks describe-cluster --name ${name} --query cluster.identity.oidc.issuer)`,
            );
          }
        }
        return access.buildEksKubeconfig({
          clusterName: name,
          region: aws.region,
          endpoint: c.endpoint,
          certificateAuthorityData: c.certificateAuthorities[0]?.data ?? "",
        });
      }),
    );
    const cluster = accessTarget(new (clusterAccess().ClusterAccess)("cluster", { kubeconfig }));
    const account = aws.accountId;
    return {
      ...cluster,
      kubernetesVersion: eksCluster.version,
      ...(account
        ? {
            oidcProviderArn: eksCluster.apply(
              (c) =>
                `arn:${aws.partition ?? "aws"}:iam::${account}:oidc-provider/${access.issuerHostPath(c.identities[0]?.oidcs[0]?.issuer ?? "")}`,
            ),
          }
        : {}),
    };
  },
};

/**
 * The refusal of an existing EKS cluster older than the source's Kubernetes (Velero restores only
 * into the same or a newer minor); undefined when it is not older or either version is unknown.
 */
export function olderEksRefusal(
  name: string,
  version: string,
  source: string | undefined,
): string | undefined {
  if (!olderKubernetes(version, source)) return undefined;
  const minor = /^v?(\d+\.\d+)/.exec(source ?? "")?.[1] ?? "the source's";
  return `velero-dr:cluster.eksName: EKS cluster ${name} runs Kubernetes ${version}, older than the source cluster's ${source}; Velero restores only into the same or a newer Kubernetes: upgrade it to ${minor} or newer (aws eks update-cluster-version --name ${name} --kubernetes-version ${minor}), or restore into a new cluster (cluster.createEks with kubernetesVersion ${minor} or newer)`;
}
