import { z } from "zod";
import { label, wholeNumber } from "../../components/apps/options";
import { AppProfile } from "../../components/model/profile";

/**
 * Dash Enterprise's settings (`velero-dr:app`). They shape its post-restore steps only; a
 * source stack accepts them and does nothing with them.
 */
export const dashOptions = z.strictObject({
  /** Continue past the KOTS redeploy gate: a person redeployed in the Admin Console. */
  kotsRedeployed: z.boolean().default(false),
  /** Redeploy with the kots kubectl plugin when it is installed (the gate opens otherwise). */
  kotsAutomate: z.boolean().default(true),
  /** The KOTS application slug the plugin redeploys. */
  kotsAppSlug: label("dash-enterprise").default("dash-enterprise"),
  /**
   * Air-gapped installation: restart Harbor once imageswap runs (Plotly's Dash Enterprise backup and
   * restore guide).
   */
  airGapped: z.boolean().default(false),
  /** How long dash-app-builder may take to be Ready (at least the reconnect wait + 1 minute). */
  builderTimeoutMinutes: wholeNumber(11, 240, "minutes").default(30),
});

export type DashOptions = z.output<typeof dashOptions>;

/**
 * Plotly Dash Enterprise 5 (Plotly's Dash Enterprise backup and restore guide, "Back up and restore
 * Dash Enterprise").
 *
 * The namespaces and exclusions are the guide's `velero backup create` flags: webhook
 * configurations would call services that do not exist yet in the destination cluster, and
 * EndpointSlices are rebuilt by Kubernetes from the restored Services.
 */
export const dashEnterprise: AppProfile = {
  name: "dash-enterprise",
  displayName: "Plotly Dash Enterprise 5",
  reference: "Dash Enterprise 5 documentation: backing up and restoring Dash Enterprise (Velero 1.10.3)",
  namespaces: ["dash-apps", "dash-services", "plotly-system"],
  excludedResources: ["validatingwebhookconfiguration", "mutatingwebhookconfiguration", "endpointslices"],
  defaultTtl: "720h",
  snapshotVolumes: true,
  schedules: [{ name: "dash-daily", cron: "0 0 * * *" }],
  requirements: {
    differentCluster: true,
    // Plotly's Dash Enterprise backup and restore guide: Velero 1.10.3 with the 1.6.2 plugins; chart
    // 3.1.6 is the chart that runs it.
    veleroVersion: "v1.10.3",
    chartVersion: "3.1.6",
    pluginVersion: "v1.6.2",
    sameOrNewerKubernetes: true,
    // Dash Enterprise on AKS: 8 vCPUs per node, quota reserved in the Standard DDv5 family (48 vCPUs:
    // four nodes and two more for node rotations). Standard_D8d_v5 is that family's 8-vCPU size.
    nodes: {
      azureVmSize: "Standard_D8d_v5",
      // The same node on EKS: 8 vCPUs and 32 GiB (general purpose), as Standard_D8d_v5.
      awsInstanceType: "m6i.2xlarge",
      count: 4,
      why: "Dash Enterprise on AKS: 8 vCPUs per node in the Standard DDv5 family (48 vCPUs of quota: 4 nodes and 2 for rotations); on EKS the same 8 vCPUs and 32 GiB per node (m6i.2xlarge)",
    },
  },
  // The vendor provisions a new cluster for a restore with restore.sh of the customer's Installation
  // Plan, which "installs supporting software" (Dash Enterprise on AKS installation guide); its
  // bootstrap node downloads Cert Manager and Istio. Neither is in the backup (cluster-wide
  // software outside the three namespaces), and the restored operators need both.
  prerequisites: {
    items: [
      {
        name: "cert-manager",
        crd: "certificates.cert-manager.io",
        why: "the restored Certificates and Issuers are served by it",
      },
      {
        name: "istio",
        crd: "virtualservices.networking.istio.io",
        why: "the vendor's scripts install it with Dash Enterprise (their bootstrap node downloads Istio)",
      },
    ],
    instructions: [
      "Run restore.sh from your Dash Enterprise Installation Plan against this cluster (it installs the supporting software; skip its cluster creation: the cluster exists), from a machine that can reach github.com and install.istio.io.",
      "No Installation Plan at hand: ask Plotly Customer Success for the restore script of your installation.",
    ],
  },
  restore: {
    appNamespace: "plotly-system",
    // Plotly's Dash Enterprise AKS installation guide, "Creating DNS entries": the base domain is an A
    // record to this service's address.
    loadBalancer: { namespace: "plotly-system", service: "ingress-nginx-controller" },
    // Plotly's restore procedure points the names at the new cluster ("Creating DNS entries").
    dnsCutOver: true,
    dnsRecordPrefixes: ["api", "ws", "git", "registry", "auth", "admin"],
  },
  // The guide backs up with volume snapshots and no hooks; one Restore brings everything back.
  hooks: { pre: [], post: [] },
  fsBackup: [],
  // The guide's sample `velero describe backup` shows "restic Backups ... Completed: 7" beside its
  // 10 disk snapshots: the installations the guide describes run Velero's node agent, and Velero
  // 1.10.3 prints there the uploader of the backup's PodVolumeBackups (restic). The guide does not
  // name the volumes, so every pod volume is copied file by file: all of them are then in the
  // backup storage, which a destination in another region can read (a disk snapshot cannot leave
  // its region).
  volumeBackup: {
    mode: "fs-backup",
    volumes: "all",
    uploader: "restic",
    why: "The vendor guide's sample backup holds file-system backups (\"restic Backups … Completed: 7\", the restic uploader in Velero 1.10.3's output) next to its snapshots, without naming the volumes: every pod volume is copied, so all of them are in the object store.",
  },
  excludeVolumes: [],
  restorePhases: [
    {
      id: "all",
      title: "Restore the backup",
      why: "Brings the application's objects (and volumes) back.",
    },
  ],
  backupLabels: {},
};
