import * as pulumi from "@pulumi/pulumi";
import { accessTarget, clusterAccess } from "./access";
import { ClusterTarget } from "./target";

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
 * An existing EKS cluster (`cluster.eksName`, AWS sources): read with the stack's AWS provider;
 * the kubeconfig authenticates with `aws eks get-token`. With IRSA the cluster's OIDC issuer must
 * be the one Velero's role trusts, checked before anything is installed in the cluster.
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
  open: (ctx) => {
    const aws = ctx.aws;
    if (!aws) throw new Error("an EKS target needs the stack's AWS provider");
    const { eks: eksApi, access } = eksModules();
    const name = ctx.cluster.eksName as string;
    const eksCluster = eksApi.getClusterOutput({ name }, { provider: aws.provider });
    const kubeconfig = pulumi.secret(
      eksCluster.apply((c) => {
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
    return { ...cluster, kubernetesVersion: eksCluster.version };
  },
};
