import type { ClusterAccess } from "../cluster/cluster-access";
import type { TargetCluster } from "./target";

/** A ClusterAccess (an existing cluster, read) as a target's cluster. */
export function accessTarget(access: ClusterAccess): TargetCluster {
  return {
    provider: access.provider,
    kubeconfig: access.kubeconfig,
    apiServer: access.apiServer,
    nodeResourceGroup: access.nodeResourceGroup,
    kubernetesVersion: access.kubernetesVersion,
    uid: access.uid,
    created: false,
  };
}

/** The cluster access component, loaded when a target opens (it is no part of validation). */
export function clusterAccess(): typeof import("../cluster/cluster-access") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../cluster/cluster-access") as typeof import("../cluster/cluster-access");
}
