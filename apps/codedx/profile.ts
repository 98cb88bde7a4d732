import { z } from "zod";
import { duration, HELM_RELEASE, label, nameOf } from "../../components/apps/options";
import { AppProfile, FsBackupWorkload, RestorePhase } from "../../components/model/profile";

/**
 * Code Dx (the Code Dx Kubernetes Backup & Restore Procedure, and the vendor's
 * codedx-kubernetes admin scripts it points at: set-backup.ps1, restart-db.ps1, restore-db.ps1).
 *
 * The database backup is the vendor's own: the MariaDB subordinate (slave) runs
 * /bitnami/mariadb/scripts/backup.sh (a mariabackup full backup into its `backup` volume) as a
 * Velero pre-backup hook, so every Velero backup carries a database backup taken right before it.
 */
export const codedxOptions = z.strictObject({
  /** Namespace of Code Dx (set-backup.ps1 -namespaceCodeDx). */
  namespace: label("cdx-app").default("cdx-app"),
  /** Helm release of Code Dx (-releaseNameCodeDx): names the Deployment and the MariaDB StatefulSets. */
  releaseName: nameOf(HELM_RELEASE, "codedx").default("codedx"),
  /** Code Dx Tool Orchestration is installed (false = set-backup.ps1 -skipToolOrchestration). */
  toolOrchestration: z.boolean().default(true),
  toolOrchestrationNamespace: label("cdx-svc").default("cdx-svc"),
  toolOrchestrationReleaseName: nameOf(HELM_RELEASE, "codedx-tool-orchestration").default(
    "codedx-tool-orchestration",
  ),
  /** Code Dx uses an external database: no hook, no database restore (-skipDatabaseBackup). */
  externalDatabase: z.boolean().default(false),
  /** How long the database backup may take (-databaseBackupTimeout). */
  databaseBackupTimeout: duration("30m").default("30m"),
  /** Subordinate (slave) replicas of the MariaDB StatefulSet (Helm value mariadb.slave.replicas). */
  mariadbSlaveReplicas: z.number().int().min(1).max(9).default(1),
  /**
   * The Service of type LoadBalancer in Code Dx's namespace that serves it, where there is one: a
   * destination that moves DNS (`velero-dr:dns`) points the names at its address.
   */
  loadBalancerService: label("codedx").optional(),
});

export type CodedxOptions = z.output<typeof codedxOptions>;

export function codedxProfile(o: CodedxOptions): AppProfile {
  const r = o.releaseName;
  const fsBackup: FsBackupWorkload[] = [
    { namespace: o.namespace, kind: "Deployment", name: r, volumes: ["codedx-appdata"] },
  ];
  if (!o.externalDatabase) {
    fsBackup.push({
      namespace: o.namespace,
      kind: "StatefulSet",
      name: `${r}-mariadb-slave`,
      volumes: ["backup"],
    });
  }
  if (o.toolOrchestration) {
    fsBackup.push({
      namespace: o.toolOrchestrationNamespace,
      kind: "Deployment",
      name: `${o.toolOrchestrationReleaseName}-minio`,
      volumes: ["data"],
    });
  }
  const phases: RestorePhase[] = [
    {
      id: "priority-classes",
      title: "Restore the PriorityClasses",
      why: "The Code Dx Kubernetes Backup & Restore Procedure: pods that use Code Dx's priority classes are not restored when the classes arrive in the same restore (velero restore create --include-resources=PriorityClass first).",
      includedResources: ["priorityclasses.scheduling.k8s.io"],
    },
    {
      id: "all",
      title: "Restore everything else",
      why: "Cluster state and the volume data of the Code Dx AppData, the MariaDB backup and MinIO volumes.",
    },
  ];
  return {
    name: "codedx",
    displayName: "Code Dx",
    reference:
      "Code Dx Kubernetes Backup & Restore Procedure (github.com/codedx/codedx-kubernetes) and its admin/*.ps1",
    namespaces: o.toolOrchestration ? [o.namespace, o.toolOrchestrationNamespace] : [o.namespace],
    excludedResources: [],
    defaultTtl: "720h",
    // set-backup.ps1's Schedule: includeClusterResources true (the PriorityClasses live there).
    includeClusterResources: true,
    snapshotVolumes: true,
    schedules: [{ name: `${r}-schedule`.slice(0, 48).replace(/-+$/, ""), cron: "0 3 * * *" }],
    requirements: { differentCluster: false, sameOrNewerKubernetes: true },
    restore: {
      appNamespace: o.namespace,
      // Installs differ (Code Dx behind an ingress controller installed apart has no LoadBalancer
      // Service here): only a stack that names one has an address for DNS to point at.
      ...(o.loadBalancerService
        ? { loadBalancer: { namespace: o.namespace, service: o.loadBalancerService } }
        : {}),
      // The vendor's backup and restore procedure leaves DNS alone: a stack opts in with `dns`.
      dnsCutOver: false,
      dnsRecordPrefixes: [],
    },
    hooks: {
      pre: o.externalDatabase
        ? []
        : [
            {
              name: "database-backup",
              namespace: o.namespace,
              selector: { app: "mariadb", component: "slave", release: r },
              container: "mariadb",
              // The vendor's hook: a mariabackup full backup onto the backed-up `backup` volume;
              // the minute of lag lets the files settle before Velero copies the volume.
              command: ["/bin/bash", "-c", "/bitnami/mariadb/scripts/backup.sh && sleep 1m"],
              // A backup without its database backup is not a Code Dx backup.
              onError: "Fail",
              timeout: o.databaseBackupTimeout,
            },
          ],
      post: [],
    },
    fsBackup,
    // The vendor's procedure has a mode for Velero's Restic integration ("when a storage provider
    // plugin is unavailable"): set-backup.ps1 -useVeleroResticIntegration opts exactly these volumes
    // in (backup.velero.io/backup-volumes) and relies on no snapshot. Their data then is in the
    // backup storage, which a destination in another region can read.
    volumeBackup: {
      mode: "fs-backup",
      volumes: "listed",
      snapshotUnlisted: false,
      uploader: "restic",
      why: "The vendor's Restic-integration mode (set-backup.ps1 -useVeleroResticIntegration): the codedx-appdata, MariaDB backup and MinIO data volumes file by file, no snapshots (the MariaDB data volumes are rebuilt from the database backup).",
    },
    // set-backup.ps1 without Restic: the MariaDB data volumes are left out (the database comes
    // back from the backup volume), so the restored StatefulSets start on new, empty volumes.
    excludeVolumes: o.externalDatabase
      ? []
      : [
          {
            namespace: o.namespace,
            selector: { app: "mariadb", release: r },
            namePrefix: "data-",
            why: "The MariaDB data volumes are rebuilt from the mariabackup on the backup volume (the Code Dx Kubernetes Backup & Restore Procedure: restart-db and restore-db).",
          },
        ],
    restorePhases: phases,
    backupLabels: {},
  };
}
