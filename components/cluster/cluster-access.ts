import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import { apiServerOf } from "./kubeconfig";

/** Loaded only for an AKS cluster: a kubeconfig (an EKS source's, say) needs nothing of Azure. */
function azureContainerService(): typeof import("@pulumi/azure-native/containerservice") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@pulumi/azure-native/containerservice");
}

export interface AksClusterRef {
  name: string;
  resourceGroupName: string;
}

export interface ClusterAccessArgs {
  /** An AKS cluster: the provider uses its user credentials. */
  aks?: AksClusterRef;
  /** Or a kubeconfig (secret config value). */
  kubeconfig?: pulumi.Input<string>;
  /** The node resource group; read from AKS when `aks` is given and this is not. */
  nodeResourceGroup?: pulumi.Input<string>;
}

/**
 * Access to the cluster Velero protects: a Kubernetes provider, the kubeconfig for scripts
 * (secret), and the facts later stacks compare against (API server, node resource group).
 */
export class ClusterAccess extends pulumi.ComponentResource {
  public readonly provider: Provider;
  /** Kubeconfig content. Secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly nodeResourceGroup: pulumi.Output<string>;
  /** API server URL (not secret), used to refuse restoring into the source cluster. */
  public readonly apiServer: pulumi.Output<string>;
  public readonly kubernetesVersion: pulumi.Output<string | undefined>;
  /** UID of the kube-system namespace: the cluster's identity, whatever address it is reached at. */
  public readonly uid: pulumi.Output<string>;

  constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:cluster:ClusterAccess", name, {}, opts);
    if (args.aks) {
      const containerservice = azureContainerService();
      const ref = { resourceGroupName: args.aks.resourceGroupName, resourceName: args.aks.name };
      const cluster = containerservice.getManagedClusterOutput(ref, { parent: this });
      const creds = containerservice.listManagedClusterUserCredentialsOutput(ref, { parent: this });
      this.kubeconfig = pulumi.secret(
        creds.kubeconfigs.apply((k) => Buffer.from(k[0].value, "base64").toString("utf8")),
      );
      this.nodeResourceGroup = pulumi
        .output(args.nodeResourceGroup ?? cluster.nodeResourceGroup)
        .apply((rg) => {
          if (!rg) throw new Error(`AKS cluster ${args.aks?.name} reports no node resource group`);
          return rg;
        });
      this.kubernetesVersion = cluster.currentKubernetesVersion;
    } else if (args.kubeconfig !== undefined) {
      this.kubeconfig = pulumi.secret(args.kubeconfig);
      this.nodeResourceGroup = pulumi.output(args.nodeResourceGroup as pulumi.Input<string>);
      this.kubernetesVersion = pulumi.output(undefined);
    } else {
      throw new Error("ClusterAccess needs either aks or kubeconfig");
    }
    this.apiServer = pulumi.unsecret(this.kubeconfig.apply(apiServerOf));
    this.provider = new Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    const kubeSystem = Namespace.get(`${name}-kube-system`, "kube-system", {
      parent: this,
      provider: this.provider,
    });
    this.uid = kubeSystem.metadata.uid;
    this.registerOutputs({
      apiServer: this.apiServer,
      nodeResourceGroup: this.nodeResourceGroup,
      uid: this.uid,
    });
  }
}
