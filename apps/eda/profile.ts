import { z } from "zod";
import { AppOptionProblem, StackRole } from "../../components/apps/definition";
import { duration, label, nameOf, VERSION } from "../../components/apps/options";
import { AppProfile } from "../../components/model/profile";

/**
 * Nokia EDA (its backup and restore documentation): a platform backup is `edactl platform backup` in
 * the eda-toolbox pod (a tarball of the git repositories and the EngineConfig), and a restore is
 * `edactl platform restore <file>` into an EDA of the same version.
 *
 * EDA's own restore rebuilds the platform, so Velero does not restore EDA's objects: it carries
 * the tarball. A volume of our own (a PersistentVolumeClaim the source stack creates and mounts
 * into the toolbox) holds it; the backup hook writes it there, and the destination restores only
 * that claim and hands the file to `edactl platform restore` in its own toolbox.
 */
export const edaOptions = z.strictObject({
  /** EDA's base namespace. */
  namespace: label("eda-system").default("eda-system"),
  toolbox: label("eda-toolbox").default("eda-toolbox"),
  /** Container of the toolbox Deployment. */
  toolboxContainer: label("eda-toolbox").default("eda-toolbox"),
  /**
   * EDA version of the source (the toolbox image tag, e.g. 25.4.1). Every backup records it;
   * the source stack checks it against the running toolbox whenever it changes.
   */
  version: nameOf(VERSION, "25.4.1").optional(),
  /** Size of the claim that holds the platform backups. */
  backupVolumeSize: z
    .string()
    .regex(/^[0-9]+(Mi|Gi|Ti)$/, { error: "expected a size such as 10Gi" })
    .default("10Gi"),
  /** Storage class of that claim (the cluster default when absent). */
  storageClass: label("managed-csi").optional(),
  /** Platform backups kept on the claim (older ones are deleted by the hook). */
  keep: z.number().int().min(1).max(30).default(3),
  backupTimeout: duration("15m").default("15m"),
  /** Time `edactl platform restore` may take. */
  restoreTimeout: duration("30m").default("30m"),
});

export type EdaOptions = z.output<typeof edaOptions>;

export const EDA_BACKUP_CLAIM = "velero-dr-eda-backup";
export const EDA_BACKUP_MOUNT = "/velero-dr-backup";
export const VERSION_LABEL = "velero-dr/app-version";

export function edaProfile(o: EdaOptions): AppProfile {
  const ns = o.namespace;
  return {
    name: "eda",
    displayName: "Nokia EDA",
    reference: "EDA platform documentation: Backup and restore (edactl platform backup / restore)",
    namespaces: [ns],
    excludedResources: [],
    defaultTtl: "720h",
    snapshotVolumes: true,
    schedules: [{ name: "eda-daily", cron: "30 1 * * *" }],
    requirements: { differentCluster: false, sameOrNewerKubernetes: true },
    restore: {
      appNamespace: ns,
      loadBalancer: { namespace: ns, service: "eda-api" },
      // The vendor's backup and restore procedure leaves DNS alone: a stack opts in with `dns`.
      dnsCutOver: false,
      dnsRecordPrefixes: [],
    },
    hooks: {
      pre: [
        {
          name: "eda-platform-backup",
          namespace: ns,
          selector: { "eda.nokia.com/app": o.toolbox },
          container: o.toolboxContainer,
          // edactl writes eda-backup-<member>-<date-and-time>.tgz into the current directory (the
          // vendor's document; .tar.gz accepted too); `sync` puts it on the disk before Velero
          // snapshots the claim; the newest `keep` are kept, and none there is not an error.
          // A failed backup fails the Velero backup.
          command: [
            "/bin/bash",
            "-c",
            `set -euo pipefail; cd ${EDA_BACKUP_MOUNT}; edactl platform backup; sync; shopt -s nullglob; ` +
              `kept=(eda-backup-*.tgz eda-backup-*.tar.gz); if [ "\${#kept[@]}" -gt ${o.keep} ]; then ` +
              `ls -1t -- "\${kept[@]}" | tail -n +${o.keep + 1} | xargs -r rm -f --; fi`,
          ],
          onError: "Fail",
          timeout: o.backupTimeout,
        },
      ],
      post: [],
    },
    fsBackup: [],
    // EDA's document only says to copy the tarball "to a safe location". The destination restores
    // only the claim holding it (EDA rebuilds everything else from the tarball) and mounts it into
    // its own toolbox; Velero 1.10.3 writes file-system-backed data only into pods it restores
    // (the restore helper init container), so a file-system copy of the claim would come back
    // empty. The claim is snapshotted: a destination in another region is refused.
    volumeBackup: {
      mode: "snapshot",
      why: "The destination restores only the claim holding edactl's tarballs, not a pod: Velero 1.10.3 restores file-system backups only into pods it restores, so the claim is snapshotted (a cross-region destination is refused).",
    },
    excludeVolumes: [],
    backupVolume: {
      id: "eda-backup",
      namespace: ns,
      claim: EDA_BACKUP_CLAIM,
      size: o.backupVolumeSize,
      ...(o.storageClass ? { storageClass: o.storageClass } : {}),
      workload: { kind: "Deployment", name: o.toolbox, container: o.toolboxContainer },
      mountPath: EDA_BACKUP_MOUNT,
    },
    restorePhases: [
      {
        id: "all",
        title: "Restore the platform backup volume",
        why: "Only the claim with the edactl tarballs comes back: EDA rebuilds everything else itself from the tarball.",
        includedResources: ["persistentvolumeclaims", "persistentvolumes"],
        labelSelectors: [{ "velero-dr/volume": "eda-backup" }],
      },
    ],
    versionGuard: {
      label: VERSION_LABEL,
      workload: { namespace: ns, kind: "Deployment", name: o.toolbox, container: o.toolboxContainer },
      why: "Nokia EDA's backup and restore documentation: the destination cluster must be running the same version as the cluster the backup was created from.",
    },
    backupLabels: o.version ? { [VERSION_LABEL]: o.version } : {},
  };
}

export function edaCheck(o: EdaOptions, role: StackRole): AppOptionProblem[] {
  if (role === "source" && o.version === undefined) {
    return [
      {
        key: "version",
        message:
          "is required for profile eda on a source stack: the EDA version every backup records (the eda-toolbox image tag, e.g. 25.4.1); the destination refuses a backup of another version",
      },
    ];
  }
  return [];
}
