import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as resources from "@pulumi/azure-native/resources";
import { Provider } from "@pulumi/kubernetes/provider";
import { Namespace } from "@pulumi/kubernetes/core/v1";

export interface AksClusterSpec {
  name: string;
  location: string;
  kubernetesVersion: string;
  nodeVmSize: string;
  nodeCount: number;
  availabilityZones?: string[];
  /** Fixed name, so Velero's identity can be scoped to it before the cluster exists. */
  nodeResourceGroup: string;
  tags: Record<string, string>;
}

/** ManagedCluster arguments (minus resource group) for a restore target shaped like the source. */
export function buildManagedClusterArgs(s: AksClusterSpec) {
  return {
    resourceName: s.name,
    location: s.location,
    dnsPrefix: s.name,
    kubernetesVersion: s.kubernetesVersion,
    nodeResourceGroup: s.nodeResourceGroup,
    enableRBAC: true,
    identity: { type: "SystemAssigned" as const },
    agentPoolProfiles: [
      {
        name: "system",
        mode: "System",
        count: s.nodeCount,
        vmSize: s.nodeVmSize,
        osType: "Linux",
        type: "VirtualMachineScaleSets",
        ...(s.availabilityZones ? { availabilityZones: s.availabilityZones } : {}),
      },
    ],
    networkProfile: { networkPlugin: "azure", loadBalancerSku: "standard" },
    tags: s.tags,
  };
}

export interface AksClusterArgs extends Omit<AksClusterSpec, "kubernetesVersion"> {
  resourceGroupName: string;
  /** An Output on a destination: checked against the source's version first. */
  kubernetesVersion: pulumi.Input<string>;
}

/** A new AKS cluster to restore into, with a Kubernetes provider built from its user credentials. */
export class AksCluster extends pulumi.ComponentResource {
  public readonly provider: Provider;
  /** Kubeconfig content. Secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly apiServer: pulumi.Output<string>;
  public readonly nodeResourceGroup: pulumi.Output<string>;
  public readonly uid: pulumi.Output<string>;
  public readonly cluster: containerservice.ManagedCluster;

  constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:cluster:AksCluster", name, {}, opts);
    const rg = new resources.ResourceGroup(
      `${name}-rg`,
      { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      // The first thing created: it waits for what the component waits for (a destination's
      // checked source outputs); everything else in the component follows from it.
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.cluster = new containerservice.ManagedCluster(
      `${name}-aks`,
      {
        ...buildManagedClusterArgs({ ...args, kubernetesVersion: "" }),
        kubernetesVersion: args.kubernetesVersion,
        resourceGroupName: rg.name,
      },
      { parent: this, customTimeouts: { create: "60m", update: "60m" } },
    );
    const creds = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName: rg.name, resourceName: this.cluster.name },
      { parent: this },
    );
    this.kubeconfig = pulumi.secret(
      creds.kubeconfigs.apply((k) => Buffer.from(k[0].value, "base64").toString("utf8")),
    );
    this.apiServer = pulumi.interpolate`https://${this.cluster.fqdn}:443`;
    this.nodeResourceGroup = this.cluster.nodeResourceGroup.apply((g) => g ?? args.nodeResourceGroup);
    this.provider = new Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    this.uid = Namespace.get(`${name}-kube-system`, "kube-system", {
      parent: this,
      provider: this.provider,
    }).metadata.uid;
    this.registerOutputs({ apiServer: this.apiServer, nodeResourceGroup: this.nodeResourceGroup });
  }
}
