import { LocalCluster } from "./kube";
import { PodVolumes } from "./volumes";

/**
 * The drill's stand-in for a CSI provisioner and the cluster's default StorageClass (as a managed
 * cluster ships one, e.g. AKS's managed-csi): a Pending claim of that class without a volume gets
 * a hostPath PersistentVolume pre-bound to it, whose directory is the claim's volume directory of
 * this machine (PodVolumes.claimDir) - the directory a fake pod's exec commands see at the claim's
 * mount path. A claim Velero restores without its volume (reclaim policy Delete, no snapshot) is
 * provisioned again the same way, at the destination's directory the drill carried the data to.
 * Like a real provisioner it leaves every other claim Pending: one naming a class the cluster does
 * not have, or none at all (storageClassName ""), never gets a volume.
 */
export const PROVISIONER = "drill.velero-dr/hostpath";
/** The default StorageClass; the apiserver's DefaultStorageClass admission gives it to claims naming none. */
export const STORAGE_CLASS = "drill-hostpath";
/**
 * The CSI driver name of the provisioner's `csi` volumes (a CSI driver's name is a DNS subdomain,
 * so it cannot be PROVISIONER itself).
 */
export const CSI_DRIVER = "hostpath.drill.velero-dr";

/**
 * How the provisioner's PersistentVolumes name their directory:
 * - `hostPath`: a hostPath volume (Velero's node agent skips such volumes: the kubelet does not
 *   lay them out under its pods directory);
 * - `csi`: a CSI volume of driver CSI_DRIVER whose volumeHandle is the directory, as a managed
 *   cluster's CSI driver provisions them; the kubelet (NodeAgents' pod directories in
 *   ./node-agent) mounts it at `pods/<pod uid>/volumes/kubernetes.io~csi/<pv>/mount`, where the
 *   node agent copies it file by file.
 */
export type VolumeSourceKind = "hostPath" | "csi";

/** The directory of a PersistentVolume the provisioner made (undefined for any other volume). */
export function provisionedDir(pv: {
  spec?: { hostPath?: { path?: string }; csi?: { driver?: string; volumeHandle?: string } };
  metadata?: { annotations?: Record<string, string> };
}): string | undefined {
  if (pv.metadata?.annotations?.["pv.kubernetes.io/provisioned-by"] !== PROVISIONER) return undefined;
  if (pv.spec?.csi?.driver === CSI_DRIVER) return pv.spec.csi.volumeHandle;
  return pv.spec?.hostPath?.path;
}

export class ClaimProvisioner {
  private timer?: NodeJS.Timeout;
  readonly provisioned: string[] = [];

  constructor(
    private readonly cluster: LocalCluster,
    private readonly volumes: PodVolumes,
    private readonly kind: VolumeSourceKind = "hostPath",
  ) {}

  start(intervalMs = 500): void {
    this.cluster.apply({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: STORAGE_CLASS,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: PROVISIONER,
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    });
    if (this.kind === "csi") {
      // Registered as a CSI driver needs no attach: the attach/detach controller leaves its volumes alone.
      this.cluster.apply({
        apiVersion: "storage.k8s.io/v1",
        kind: "CSIDriver",
        metadata: { name: CSI_DRIVER },
        spec: { attachRequired: false, podInfoOnMount: false, volumeLifecycleModes: ["Persistent"] },
      });
    }
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  tick(): void {
    const r = this.cluster.kubectl(["get", "pvc", "-A", "-o", "json"], undefined, true);
    if (r.code !== 0) return;
    for (const pvc of JSON.parse(r.stdout).items) {
      if (pvc.status?.phase !== "Pending" || pvc.spec.volumeName || pvc.metadata.deletionTimestamp) continue;
      if (pvc.spec.storageClassName !== STORAGE_CLASS) continue;
      const ns = pvc.metadata.namespace;
      const name = pvc.metadata.name;
      const dir = this.volumes.claimDir(this.cluster.name, ns, name);
      const pv = {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
          name: `pvc-${pvc.metadata.uid}`,
          annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER },
        },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? "1Gi" },
          accessModes: pvc.spec.accessModes ?? ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Delete",
          storageClassName: STORAGE_CLASS,
          volumeMode: pvc.spec.volumeMode ?? "Filesystem",
          ...(this.kind === "csi"
            ? { csi: { driver: CSI_DRIVER, volumeHandle: dir } }
            : { hostPath: { path: dir, type: "DirectoryOrCreate" } }),
          claimRef: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            namespace: ns,
            name,
            uid: pvc.metadata.uid,
          },
        },
      };
      if (this.cluster.kubectl(["create", "-f", "-"], JSON.stringify(pv), true).code === 0) {
        this.provisioned.push(`${ns}/${name}`);
      }
    }
  }
}
