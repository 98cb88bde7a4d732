/**
 * How `pulumi up` reaches an EKS cluster: a kubeconfig whose user runs `aws eks get-token`, so
 * the operator's own AWS identity (profile, SSO, CI role) authenticates and no token is stored.
 * `aws` (AWS CLI v2 or v1 >= 1.16.156) must be on PATH where `pulumi up` runs, next to kubectl.
 */

export interface EksKubeconfigInput {
  clusterName: string;
  region: string;
  endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  certificateAuthorityData: string;
}

export function buildEksKubeconfig(i: EksKubeconfigInput): string {
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: i.clusterName,
        cluster: { server: i.endpoint, "certificate-authority-data": i.certificateAuthorityData },
      },
    ],
    contexts: [{ name: i.clusterName, context: { cluster: i.clusterName, user: i.clusterName } }],
    "current-context": i.clusterName,
    users: [
      {
        name: i.clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: [
              "eks",
              "get-token",
              "--cluster-name",
              i.clusterName,
              "--region",
              i.region,
              "--output",
              "json",
            ],
            interactiveMode: "Never",
          },
        },
      },
    ],
  };
  // JSON is valid YAML, and kubectl, the Kubernetes provider and apiServerOf all read it.
  return JSON.stringify(doc, null, 2);
}

/** `https://oidc.eks.<region>.amazonaws.com/id/<id>` -> the IAM OIDC provider's host and path. */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "").replace(/\/+$/, "");
}
