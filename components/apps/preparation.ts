import { scriptBodies, scriptBody } from "../shell/body";
import { ScriptSpec } from "../model/script";
import { AppProfile } from "../model/profile";

/**
 * What the source stack does to the application's workloads before the first backup, as plain
 * data: opt the chosen volumes into file-system backup, leave rebuilt data out, create and mount
 * a claim for the app's own backups, and check the version every backup records. Each item is
 * one idempotent script; `remove` (run on delete) undoes it where undoing makes sense.
 */
export interface PreparationStep {
  name: string;
  script: ScriptSpec;
  env: Record<string, string>;
  /** Body run when the resource is deleted (or undefined: nothing to undo). */
  remove?: ScriptSpec;
}

/** EXCLUDE_TARGETS of the exclude-volumes script: one "<namespace> <selector> <claim prefix>" per line. */
export function excludeTargets(profile: Pick<AppProfile, "excludeVolumes">): string {
  return profile.excludeVolumes
    .map(
      (e) =>
        `${e.namespace} ${Object.entries(e.selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(",")} ${e.namePrefix}`,
    )
    .join("\n");
}

export function buildPreparation(profile: AppProfile, o: { fsBackup: "off" | "profile" }): PreparationStep[] {
  const steps: PreparationStep[] = [];
  const kube = (env: string[], body: string): ScriptSpec => ({ kubeconfig: true, env, body });
  if (profile.versionGuard) {
    const g = profile.versionGuard;
    const version = profile.backupLabels[g.label];
    if (version !== undefined) {
      const env = [
        "APP_VERSION",
        "VERSION_NAMESPACE",
        "VERSION_RESOURCE",
        "VERSION_WORKLOAD",
        "VERSION_CONTAINER",
      ];
      steps.push({
        name: "app-version-check",
        script: kube(env, scriptBodies("workload-version", "app-version-check")),
        env: {
          APP_VERSION: version,
          VERSION_NAMESPACE: g.workload.namespace,
          VERSION_RESOURCE: g.workload.kind === "Deployment" ? "deployments.apps" : "statefulsets.apps",
          VERSION_WORKLOAD: g.workload.name,
          VERSION_CONTAINER: g.workload.container,
        },
      });
    }
  }
  if (o.fsBackup === "profile" && profile.fsBackup.length > 0) {
    const body = scriptBody("fs-backup-annotate");
    steps.push({
      name: "fs-backup-annotations",
      script: kube(["FS_BACKUP_TARGETS"], body),
      env: {
        FS_BACKUP_TARGETS: profile.fsBackup
          .map((w) => `${w.namespace} ${w.kind} ${w.name} ${w.volumes.join(",")}`)
          .join("\n"),
      },
      remove: kube(["FS_BACKUP_TARGETS"], `FS_BACKUP_REMOVE=true\n${body}`),
    });
  }
  if (profile.excludeVolumes.length > 0) {
    const body = scriptBody("exclude-volumes");
    steps.push({
      name: "exclude-volumes",
      script: kube(["EXCLUDE_TARGETS"], body),
      env: { EXCLUDE_TARGETS: excludeTargets(profile) },
      remove: kube(["EXCLUDE_TARGETS"], `EXCLUDE_REMOVE=true\n${body}`),
    });
  }
  const v = profile.backupVolume;
  if (v) {
    steps.push({
      name: "backup-volume",
      script: {
        kubeconfig: true,
        env: [
          "BACKUP_CLAIM",
          "BACKUP_NAMESPACE",
          "BACKUP_VOLUME_ID",
          "BACKUP_SIZE",
          "BACKUP_WORKLOAD_KIND",
          "BACKUP_WORKLOAD",
          "BACKUP_CONTAINER",
          "BACKUP_MOUNT",
        ],
        optionalEnv: ["BACKUP_STORAGE_CLASS"],
        body: scriptBody("backup-volume"),
      },
      env: {
        BACKUP_CLAIM: v.claim,
        BACKUP_NAMESPACE: v.namespace,
        BACKUP_VOLUME_ID: v.id,
        BACKUP_SIZE: v.size,
        ...(v.storageClass ? { BACKUP_STORAGE_CLASS: v.storageClass } : {}),
        BACKUP_WORKLOAD_KIND: v.workload.kind,
        BACKUP_WORKLOAD: v.workload.name,
        BACKUP_CONTAINER: v.workload.container,
        BACKUP_MOUNT: v.mountPath,
      },
      // The claim holds the only copy of recent platform backups: never deleted by the stack.
    });
  }
  return steps;
}
