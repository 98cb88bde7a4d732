import { backendOf } from "../backends";
import type { SourceOutputs } from "../config/destination-schema";
import { DestinationStackConfig } from "../config/validate";
import type { VeleroValuesArgs } from "../velero/velero-install";
import { ChainInput } from "./chain";
import { MODE_ENV, READ_ONLY_STORAGE_ENV } from "./velero-steps";

export { READ_ONLY_STORAGE_ENV };

/**
 * What a destination's restore steps read of the storage: its read-only mode, from the backend.
 * destinationChainInput puts it in the chain's env (ChainInput.restoreEnv), so the stack's
 * Commands, the drill's runner and the runbook all take it from the step model.
 */
export function readOnlyRestoreDeclarations(cfg: DestinationStackConfig): Record<string, string> {
  return backendOf(cfg.cloud).destination?.readOnlyRestore ? { [READ_ONLY_STORAGE_ENV]: "true" } : {};
}

export const DESTINATION_BSL = "default";
export const DESTINATION_VSL = "default";

/** The tags of what a destination stack creates in the cloud. */
export function destinationTags(cfg: DestinationStackConfig): Record<string, string> {
  return { "managed-by": "velero-dr", "velero-dr-stack": cfg.stack, ...cfg.tags };
}

/**
 * Velero's Helm values on a destination: read-only on the source's storage, with the source's
 * versions. The stack installs Velero with them and the runbook shows them, from one place.
 */
export function destinationVeleroValues(cfg: DestinationStackConfig, s: SourceOutputs): VeleroValuesArgs {
  const v = cfg.velero;
  const loc = (
    backendOf(cfg.cloud).destination as NonNullable<ReturnType<typeof backendOf>["destination"]>
  ).locations(s, cfg);
  return {
    provider: loc.provider,
    version: s.velero.version,
    pluginImage: loc.pluginImage,
    pluginVersion: s.velero.pluginVersion,
    imageRegistry: v.imageRegistry,
    imagePullSecrets: v.imagePullSecrets,
    bsl: {
      name: DESTINATION_BSL,
      bucket: loc.bsl.bucket,
      prefix: loc.bsl.prefix,
      // Read-only until the restore is done: nothing in the new cluster may write or delete
      // backups (not even garbage collection of expired ones) while they are being restored.
      accessMode: "ReadOnly" as const,
      config: loc.bsl.config,
    },
    vsl: loc.vsl ? { name: DESTINATION_VSL, config: loc.vsl.config } : undefined,
    priorityClassName: v.priorityClassName,
    resources: v.resources,
    // File-system backups restore only with the node agent and the same uploader.
    nodeAgent: v.nodeAgent || s.velero.uploaderType !== "",
    uploaderType: (s.velero.uploaderType || v.uploaderType) as "kopia" | "restic",
    defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
    airGapped: v.airGapped,
    logLevel: v.logLevel,
    backupSyncPeriod: v.backupSyncPeriod,
    serviceMonitor: v.serviceMonitor,
    ...(loc.serviceAccountAnnotations ? { serviceAccountAnnotations: loc.serviceAccountAnnotations } : {}),
  };
}

/**
 * The restore chain input of a destination stack, from its validated config. The stack, the
 * runbook and the drill all build their chain through here, so they cannot drift apart.
 */
export function destinationChainInput(cfg: DestinationStackConfig): ChainInput {
  return {
    app: cfg.app,
    veleroNamespace: cfg.velero.namespace,
    bslName: DESTINATION_BSL,
    backup: cfg.backup,
    sourceApiServer: cfg.source.outputs?.cluster.apiServer,
    sourceClusterUid: cfg.source.outputs?.cluster.uid,
    sourceKubernetesVersion: cfg.source.outputs?.cluster.kubernetesVersion || undefined,
    dns: cfg.dns,
    loadBalancer: cfg.restore.loadBalancer,
    promoteToPrimary: cfg.restore.promoteToPrimary,
    allowPartiallyFailed: cfg.restore.allowPartiallyFailed,
    prerequisitesConfirmed: cfg.restore.prerequisitesConfirmed,
    restoreEnv: {
      ...readOnlyRestoreDeclarations(cfg),
      ...(cfg.mode === "rehearsal" ? { [MODE_ENV]: "rehearsal" } : {}),
    },
    timeouts: {
      bslSeconds: 600,
      backupSyncSeconds: cfg.restore.backupSyncTimeoutMinutes * 60,
      restoreSeconds: cfg.restore.restoreTimeoutMinutes * 60,
      loadBalancerSeconds: 900,
      healthSeconds: cfg.restore.healthTimeoutMinutes * 60,
    },
  };
}
