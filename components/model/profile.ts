/**
 * App profiles: what an application needs from backup and restore, as plain data.
 *
 * A profile is the one place where an application's knowledge lives (which namespaces hold
 * its state, which kinds must not be backed up, how often and how long to keep backups,
 * what a restore requires). Builders read profiles; components never hard-code an app.
 */

export interface ProfileSchedule {
  /** Schedule name (DNS-1123 label, at most 48 characters: Velero appends `-YYYYMMDDhhmmss`). */
  name: string;
  /** Five-field cron in UTC, as Velero 1.10.3 parses it. */
  cron: string;
  /** Go duration; backups older than this are deleted by Velero. */
  ttl?: string;
}

export interface RestoreRequirements {
  /** The vendor does not support restoring into the cluster the backup came from. */
  differentCluster: boolean;
  /**
   * Velero server version the vendor requires, if any (`v1.10.3` for Dash Enterprise 5): a source
   * stack runs exactly it, unless `velero.vendorApprovedVersion` names a patch release of its line.
   */
  veleroVersion?: string;
  /** Helm chart version the vendor's procedure uses, if any (checked unless a local chart is given). */
  chartVersion?: string;
  /** Object-store plugin image tag the vendor pins, if any (the Azure and AWS plugins alike). */
  pluginVersion?: string;
  /** Kubernetes on the destination must be the same minor or newer (Velero's migration rule). */
  sameOrNewerKubernetes: boolean;
  /**
   * The nodes the vendor's document sizes a new cluster with: the default of `cluster.create` when
   * the stack sets none (a stack's own `nodeVmSize`/`nodeCount` win). Without it, the generic default.
   */
  nodes?: NodeSizing;
}

/** A new cluster's nodes as a vendor sizes them. */
export interface NodeSizing {
  /** Azure VM size of the node pool (e.g. a size of the quota family the document names). */
  azureVmSize: string;
  /** EC2 instance type of a new EKS cluster's node group (the same vCPUs and memory); unset: the generic one. */
  awsInstanceType?: string;
  count: number;
  /** Where the size comes from, for a reader of the profile. */
  why: string;
}

/** What the destination stack needs to bring the application back and point users at it. */
export interface RestoreTraits {
  /** Namespace the post-restore steps work in. */
  appNamespace: string;
  /**
   * The Service of type LoadBalancer that is the app's public entry point, where the app has one
   * of its own (absent where installations differ, e.g. behind an ingress controller installed
   * apart: the stack then names it, `restore.loadBalancer`).
   */
  loadBalancer?: { namespace: string; service: string };
  /**
   * The vendor's restore procedure moves the app's DNS names to the new cluster: a destination
   * must say how (`dns.provider`, `none` when someone else does). Where the procedure does not,
   * DNS stays as it is unless the stack sets `dns`, and the chain has no load balancer wait.
   */
  dnsCutOver: boolean;
  /** Sub-domains published as CNAMEs `<prefix>-<base domain>` to the base domain. */
  dnsRecordPrefixes: string[];
}

/**
 * A command Velero runs in a container of the matching pods, before (pre) or after (post) it
 * backs that pod up (Velero backup hooks, velero.io/v1 Backup spec.hooks.resources).
 */
export interface ExecHook {
  /** Names the hook in Velero's logs; unique within the profile. */
  name: string;
  namespace: string;
  /** Pods the hook runs in (matchLabels). */
  selector: Record<string, string>;
  /** Container to run in; Velero takes the pod's first container when absent. */
  container?: string;
  command: string[];
  /**
   * `Fail`: a failing command fails the backup (it ends PartiallyFailed, which the destination
   * never restores and the alerts report). `Continue`: logged, the backup goes on.
   */
  onError: "Fail" | "Continue";
  /** Go duration Velero waits for the command. */
  timeout: string;
}

export interface BackupHooks {
  pre: ExecHook[];
  post: ExecHook[];
}

/**
 * How an app's volume data is backed up unless the stack says otherwise, from its vendor's
 * document. The two modes differ in where the data ends up: a disk snapshot stays in the region
 * (and cloud account) of the disk, so it restores only there; a file-system backup (Velero's node
 * agent copying the files into the backup storage) is in the object store, readable wherever the
 * backups are.
 */
export interface VolumeBackupDefault {
  /** `fs-backup`: the node agent copies the volumes file by file; `snapshot`: disk snapshots. */
  mode: "fs-backup" | "snapshot";
  /**
   * With fs-backup, which volumes: `all` pod volumes (Backup `defaultVolumesToFsBackup`, the stack's
   * `velero.defaultVolumesToFsBackup`), or those `fsBackup` lists (opt-in pod annotations, the
   * stack's `velero-dr:fsBackup: profile`).
   */
  volumes?: "all" | "listed";
  /**
   * With fs-backup of the listed volumes: whether Velero still snapshots the volumes not listed
   * (false: the vendor's file-system mode takes no snapshots; those volumes' objects are backed up,
   * their contents are not).
   */
  snapshotUnlisted?: boolean;
  /**
   * The uploader the vendor's backups use; absent: the program's default (kopia). Velero 1.10.3's
   * own default is restic (`velero server --uploader-type`, `velero install --uploader-type`).
   */
  uploader?: "kopia" | "restic";
  /** Why, from the vendor's document (README, "Volume data"). */
  why: string;
}

/** A workload whose named volumes Velero copies file by file with its node agent (fs-backup). */
export interface FsBackupWorkload {
  namespace: string;
  kind: "Deployment" | "StatefulSet";
  name: string;
  /** Pod volume names (the pod template's `volumes[].name`). */
  volumes: string[];
}

/** A command Velero runs in a restored pod once its containers run (Restore postHooks exec). */
export interface RestoreExecHook {
  name: string;
  namespace: string;
  selector: Record<string, string>;
  container: string;
  command: string[];
  onError: "Fail" | "Continue";
  /** Go duration for the command. */
  execTimeout: string;
  /** Go duration Velero waits for the container to run. */
  waitTimeout: string;
}

/**
 * One Velero Restore of a multi-phase restore. Phases run in order, each after the steps of the
 * one before; the last phase restores everything that is left.
 */
export interface RestorePhase {
  /** Short id (DNS-1123 label): the step is `restore-<id>`, the last phase's step is `restore`. */
  id: string;
  title: string;
  why: string;
  /** Resource kinds restored in this phase (Velero `includedResources`); all when absent. */
  includedResources?: string[];
  /** Only objects matching any of these label sets (Velero `orLabelSelectors`). */
  labelSelectors?: Record<string, string>[];
  hooks?: RestoreExecHook[];
}

/**
 * The application version a backup was taken from must equal the destination's: the backup
 * carries it as a label, and the destination reads its own from a workload's image tag.
 */
export interface VersionGuard {
  /** Label on every backup of the schedules (from config `velero-dr:app.version`). */
  label: string;
  /** Where the destination's running version is read: the image tag of this container. */
  workload: { namespace: string; kind: "Deployment" | "StatefulSet"; name: string; container: string };
  /** Why the versions must match (runbook). */
  why: string;
}

export interface BackupVolume {
  id: string;
  namespace: string;
  claim: string;
  size: string;
  storageClass?: string;
  /** Mounted at `mountPath` in `container` of this workload, as pod volume `velero-dr-backup`. */
  workload: { kind: "Deployment" | "StatefulSet"; name: string; container: string };
  mountPath: string;
}

export interface AppProfile {
  /** Identifier used in config (`velero-dr:profile`). */
  name: string;
  displayName: string;
  /** Where the profile's facts come from, so a reader can check them. */
  reference: string;
  /** Namespaces whose objects are backed up. */
  namespaces: string[];
  /** Resource kinds never backed up (Velero `excludedResources`). */
  excludedResources: string[];
  /** Default backup TTL (Go duration). */
  defaultTtl: string;
  /** Cluster-scoped resources: `undefined` lets Velero decide ("auto"). */
  includeClusterResources?: boolean;
  /** Take volume snapshots through the VSL. */
  snapshotVolumes: boolean;
  /** Schedules created when the stack configures none. */
  schedules: ProfileSchedule[];
  requirements: RestoreRequirements;
  restore: RestoreTraits;
  /** Application-consistent hooks: dumps taken inside the app's pods right before the backup. */
  hooks: BackupHooks;
  /** Volumes backed up file by file when the stack chooses fs-backup (`velero-dr:fsBackup`). */
  fsBackup: FsBackupWorkload[];
  /** How volumes are backed up by default (the stack's keys win). */
  volumeBackup: VolumeBackupDefault;
  /** Velero Restores in order; one phase restores everything at once. */
  restorePhases: RestorePhase[];
  versionGuard?: VersionGuard;
  /**
   * Software the application needs in the cluster that its backup does not hold (installed by
   * the vendor's tooling on a new cluster), checked before anything is restored.
   */
  prerequisites?: Prerequisites;
  /**
   * PersistentVolumeClaims (and their volumes) labelled `velero.io/exclude-from-backup=true` by
   * the source stack: data that is rebuilt from an application backup instead.
   */
  excludeVolumes: {
    namespace: string;
    selector: Record<string, string>;
    /** Only claims whose name starts with this (a StatefulSet's claim template name + "-"). */
    namePrefix: string;
    why: string;
  }[];
  /**
   * A claim the source stack creates and mounts into a workload, for application backups (dump
   * files, tarballs) that have no volume of their own. Labelled `velero-dr/volume: <id>`.
   */
  backupVolume?: BackupVolume;
  /** Labels put on every backup (e.g. the application version the version guard compares). */
  backupLabels: Record<string, string>;
}

/** One piece of supporting software, recognised by a CustomResourceDefinition it installs. */
export interface Prerequisite {
  /** What the operator knows it as (e.g. cert-manager). */
  name: string;
  /** `<plural>.<group>` of a CRD every installation of it serves. */
  crd: string;
  why: string;
}

export interface Prerequisites {
  items: Prerequisite[];
  /** The vendor's way to install them on a new cluster, one instruction per line. */
  instructions: string[];
}
