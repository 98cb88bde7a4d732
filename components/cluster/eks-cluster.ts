import * as pulumi from "@pulumi/pulumi";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import { Provider } from "@pulumi/kubernetes/provider";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import { buildEksKubeconfig, issuerHostPath } from "../identity/eks-access";
import { buildIrsaTrustPolicy, PolicyDocument } from "../identity/aws-iam";

/** A new EKS cluster's shape (plain data: the stack and the runbook build it from here). */
export interface EksClusterSpec {
  name: string;
  region: string;
  partition: string;
  kubernetesVersion: string;
  /** Existing subnets of the site's VPC, in at least two availability zones. */
  subnetIds: string[];
  instanceType: string;
  nodeCount: number;
  tags: Record<string, string>;
}

/** The managed node group's name (the runbook's commands name it too). */
export const NODE_GROUP = "system";

/** The EBS CSI driver's controller service account (the add-on's, kube-system). */
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" };

/** AWS managed policies, by name. */
export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** What the cluster's role needs (EKS's documented cluster role policy). */
export const CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"];
/** What a managed node group's nodes need: join the cluster, the VPC CNI, pull images from ECR. */
export const NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEC2ContainerRegistryReadOnly",
];
/** The EBS CSI driver's managed policy (restored EBS volumes are attached through it). */
export const EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy";

/** A role a service (eks.amazonaws.com, ec2.amazonaws.com) assumes. */
export function serviceTrustPolicy(service: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "Service", Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" },
    ],
  };
}

/** eks.Cluster arguments (minus the role): public and private endpoint, access entries and aws-auth. */
export function buildEksClusterArgs(s: EksClusterSpec) {
  return {
    name: s.name,
    version: s.kubernetesVersion,
    vpcConfig: { subnetIds: s.subnetIds, endpointPublicAccess: true, endpointPrivateAccess: true },
    // The identity that runs `pulumi up` is the cluster's admin (an access entry EKS creates), so
    // the kubeconfig's `aws eks get-token` works for it and for nobody else until granted.
    accessConfig: { authenticationMode: "API_AND_CONFIG_MAP", bootstrapClusterCreatorAdminPermissions: true },
    tags: s.tags,
  };
}

/** eks.NodeGroup arguments (minus cluster and role): the app's nodes, room for one more in a rotation. */
export function buildNodeGroupArgs(s: EksClusterSpec) {
  return {
    nodeGroupName: NODE_GROUP,
    subnetIds: s.subnetIds,
    instanceTypes: [s.instanceType],
    amiType: "AL2023_x86_64_STANDARD",
    scalingConfig: { desiredSize: s.nodeCount, minSize: s.nodeCount, maxSize: s.nodeCount + 2 },
    updateConfig: { maxUnavailable: 1 },
    tags: s.tags,
  };
}

export interface EksClusterArgs extends Omit<EksClusterSpec, "kubernetesVersion"> {
  /** An Output on a destination: checked against the source's version first. */
  kubernetesVersion: pulumi.Input<string>;
}

/**
 * A new EKS cluster to restore into (@pulumi/aws resources, no @pulumi/eks): its role, the
 * cluster, its IAM OIDC provider (IRSA), a managed node group and the EBS CSI driver add-on (EBS
 * volumes restored from snapshots attach through it), and a Kubernetes provider whose kubeconfig
 * authenticates with `aws eks get-token`.
 */
export class EksCluster extends pulumi.ComponentResource {
  public readonly provider: Provider;
  /** Kubeconfig content (no token in it). Secret all the same, as every target's is. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly apiServer: pulumi.Output<string>;
  public readonly uid: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly cluster: eks.Cluster;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:cluster:EksCluster", name, {}, opts);
    const spec: EksClusterSpec = { ...args, kubernetesVersion: "" };
    const role = (suffix: string, service: string, policies: string[]) => {
      const r = new iam.Role(
        `${name}-${suffix}`,
        {
          name: `${args.name}-${suffix}`.slice(0, 64),
          assumeRolePolicy: JSON.stringify(serviceTrustPolicy(service)),
          tags: args.tags,
        },
        { parent: this, dependsOn: opts?.dependsOn },
      );
      const attachments = policies.map(
        (p, i) =>
          new iam.RolePolicyAttachment(
            `${name}-${suffix}-${i}`,
            { role: r.name, policyArn: managedPolicyArn(args.partition, p) },
            { parent: this },
          ),
      );
      return { role: r, attachments };
    };
    const clusterRole = role("cluster-role", "eks.amazonaws.com", CLUSTER_POLICIES);
    this.cluster = new eks.Cluster(
      `${name}-eks`,
      { ...buildEksClusterArgs(spec), version: args.kubernetesVersion, roleArn: clusterRole.role.arn },
      { parent: this, dependsOn: clusterRole.attachments, customTimeouts: { create: "30m", update: "60m" } },
    );
    const issuer = this.cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
    const oidc = new iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuer, clientIdLists: ["sts.amazonaws.com"], tags: args.tags },
      { parent: this },
    );
    this.oidcProviderArn = oidc.arn;

    const nodeRole = role("node-role", "ec2.amazonaws.com", NODE_POLICIES);
    const nodes = new eks.NodeGroup(
      `${name}-nodes`,
      { ...buildNodeGroupArgs(spec), clusterName: this.cluster.name, nodeRoleArn: nodeRole.role.arn },
      { parent: this, dependsOn: nodeRole.attachments, customTimeouts: { create: "30m", update: "60m" } },
    );

    const csiRole = new iam.Role(
      `${name}-ebs-csi`,
      {
        name: `${args.name}-ebs-csi`.slice(0, 64),
        assumeRolePolicy: pulumi.all([oidc.arn, issuer]).apply(([arn, url]) =>
          JSON.stringify(
            buildIrsaTrustPolicy({
              oidcProviderArn: arn,
              oidcIssuer: issuerHostPath(url),
              namespace: EBS_CSI_SERVICE_ACCOUNT.namespace,
              serviceAccount: EBS_CSI_SERVICE_ACCOUNT.name,
            }),
          ),
        ),
        tags: args.tags,
      },
      { parent: this },
    );
    const csiPolicy = new iam.RolePolicyAttachment(
      `${name}-ebs-csi`,
      { role: csiRole.name, policyArn: managedPolicyArn(args.partition, EBS_CSI_POLICY) },
      { parent: this },
    );
    const csi = new eks.Addon(
      `${name}-ebs-csi`,
      {
        clusterName: this.cluster.name,
        addonName: "aws-ebs-csi-driver",
        serviceAccountRoleArn: csiRole.arn,
        tags: args.tags,
      },
      { parent: this, dependsOn: [nodes, csiPolicy] },
    );

    this.apiServer = this.cluster.endpoint;
    // Waits for the nodes and the CSI driver: what is installed next needs nodes to run on, and
    // restored volumes the driver.
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority, nodes.id, csi.id])
        .apply(([clusterName, endpoint, ca]) =>
          buildEksKubeconfig({
            clusterName,
            region: args.region,
            endpoint,
            certificateAuthorityData: ca?.data ?? "",
          }),
        ),
    );
    this.provider = new Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    this.uid = Namespace.get(`${name}-kube-system`, "kube-system", {
      parent: this,
      provider: this.provider,
    }).metadata.uid;
    this.registerOutputs({ apiServer: this.apiServer, oidcProviderArn: this.oidcProviderArn });
  }
}
