/**
 * Public entry `velero-dr/cluster`: access to an existing cluster (a Kubernetes provider and the
 * kubeconfig for the scripts), and a new AKS or EKS cluster to restore into. Importing it
 * registers nothing (and loads the Azure SDK only when an AKS cluster is used).
 */
export { ClusterAccess } from "./cluster-access";
export type { AksClusterRef, ClusterAccessArgs } from "./cluster-access";
export { AksCluster, buildManagedClusterArgs } from "./aks-cluster";
export type { AksClusterArgs, AksClusterSpec } from "./aks-cluster";
export { buildEksClusterArgs, buildNodeGroupArgs, EksCluster } from "./eks-cluster";
export type { EksClusterArgs, EksClusterSpec } from "./eks-cluster";
export { apiServerOf } from "./kubeconfig";
