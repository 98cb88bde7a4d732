import * as pulumi from "@pulumi/pulumi";
import { AzureBackupStorage } from "../components/storage/azure-backup-storage";
import { AzureVeleroIdentity } from "../components/identity/azure-velero-identity";
import { ClusterAccess } from "../components/cluster/cluster-access";
import { VeleroInstall } from "../components/velero/velero-install";
import { VeleroSchedules } from "../components/velero/velero-schedules";
import { buildAzureBslConfig, buildAzureVslConfig } from "../components/velero/locations";
import { buildScheduleSpec } from "../components/velero/specs";
import { SourceStackConfig } from "../components/config/validate";

export const BSL_NAME = "default";
export const VSL_NAME = "default";
const AZURE_PLUGIN_IMAGE = "velero/velero-plugin-for-microsoft-azure";
const FIRST_BACKUP_TIMEOUT_SECONDS = 3600;

export interface SourceOptions {
  /** Clock for credential rotation (tests pass a fixed date). */
  now?: Date;
}

/**
 * The source stack: backup storage, Velero's identity, Velero and its schedules on a running
 * cluster. Takes validated config; registers resources; returns the stack outputs.
 */
export function sourceProgram(cfg: SourceStackConfig, options: SourceOptions = {}): Record<string, unknown> {
  const cluster = new ClusterAccess("cluster", {
    aks: cfg.cluster.aksName
      ? { name: cfg.cluster.aksName, resourceGroupName: cfg.cluster.aksResourceGroup as string }
      : undefined,
    kubeconfig: cfg.kubeconfig !== undefined ? new pulumi.Config().requireSecret("kubeconfig") : undefined,
    nodeResourceGroup: cfg.cluster.nodeResourceGroup,
  });

  const backupStorage = new AzureBackupStorage("backups", {
    location: cfg.azure.location,
    subscriptionId: cfg.azure.subscriptionId,
    resourceGroupName: cfg.storage.resourceGroupName,
    existingResourceGroup: cfg.storage.existingResourceGroup,
    accountName: cfg.storage.accountName,
    containerName: cfg.storage.containerName,
    replication: cfg.storage.replication,
    softDeleteDays: cfg.storage.softDeleteDays,
    containerSoftDeleteDays: cfg.storage.containerSoftDeleteDays,
    versionRetentionDays: cfg.storage.versionRetentionDays,
    immutabilityDays: cfg.storage.immutabilityDays,
    snapshotResourceGroupName: cfg.storage.snapshotResourceGroupName,
    protect: cfg.storage.protect,
    deleteLock: cfg.storage.deleteLock,
    // The policy pack reads velero-dr-production to require immutable storage on production stacks.
    tags: {
      "managed-by": "velero-dr",
      "velero-dr-stack": cfg.stack,
      "velero-dr-production": String(cfg.production),
      ...cfg.tags,
    },
  });

  const identity = new AzureVeleroIdentity("velero-identity", {
    stack: cfg.stack,
    displayName: cfg.identity.displayName ?? `velero-dr-${cfg.stack}`,
    subscriptionId: cfg.azure.subscriptionId,
    tenantId: cfg.azure.tenantId,
    cloudName: cfg.azure.cloudName,
    rotationDays: cfg.identity.rotationDays,
    now: options.now,
    storageResourceGroupId: backupStorage.resourceGroupId,
    storageAccountId: backupStorage.accountId,
    snapshotResourceGroupId: backupStorage.snapshotResourceGroupId,
    nodeResourceGroupName: cluster.nodeResourceGroup,
  });

  const v = cfg.velero;
  const velero = new VeleroInstall(
    "velero",
    {
      provider: cluster.provider,
      kubeconfig: cluster.kubeconfig,
      namespace: v.namespace,
      chart: { version: v.chartVersion, repository: v.chartRepository, path: v.chartPath },
      credentialsFile: identity.credentialsFile,
      createPriorityClass: v.createPriorityClass,
      helmTimeoutSeconds: v.helmTimeoutSeconds,
      bslCheck: cfg.bslCheck,
      settings: { nodeAgent: v.nodeAgent, priorityClassName: v.priorityClassName, bslName: BSL_NAME },
      values: {
        provider: "azure",
        version: v.version,
        pluginImage: AZURE_PLUGIN_IMAGE,
        pluginVersion: v.pluginVersion,
        imageRegistry: v.imageRegistry,
        imagePullSecrets: v.imagePullSecrets,
        bsl: {
          name: BSL_NAME,
          bucket: cfg.storage.containerName,
          prefix: cfg.storage.prefix,
          accessMode: "ReadWrite",
          config: buildAzureBslConfig({
            resourceGroup: cfg.storage.resourceGroupName,
            storageAccount: cfg.storage.accountName,
            subscriptionId: cfg.azure.subscriptionId,
          }),
        },
        vsl: {
          name: VSL_NAME,
          config: buildAzureVslConfig({
            resourceGroup: cfg.storage.snapshotResourceGroupName,
            subscriptionId: cfg.azure.subscriptionId,
            incremental: true,
          }),
        },
        priorityClassName: v.priorityClassName,
        resources: v.resources,
        nodeAgent: v.nodeAgent,
        uploaderType: v.uploaderType,
        defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
        airGapped: v.airGapped,
        logLevel: v.logLevel,
        backupSyncPeriod: v.backupSyncPeriod,
        serviceMonitor: v.serviceMonitor,
      },
    },
    { dependsOn: [backupStorage] },
  );

  const schedules = new VeleroSchedules("schedules", {
    provider: cluster.provider,
    kubeconfig: cluster.kubeconfig,
    namespace: v.namespace,
    storageLocation: BSL_NAME,
    profile: cfg.profile.name,
    schedules: cfg.schedules.map((s) => ({
      name: s.name,
      spec: buildScheduleSpec({
        schedule: s,
        storageLocation: BSL_NAME,
        volumeSnapshotLocation: VSL_NAME,
        snapshotVolumes: cfg.profile.snapshotVolumes,
        includeClusterResources: cfg.profile.includeClusterResources,
        defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
        profile: cfg.profile.name,
      }),
    })),
    firstBackup: { enabled: cfg.firstBackup, timeoutSeconds: FIRST_BACKUP_TIMEOUT_SECONDS },
    dependsOn: velero.ready,
  });

  // Everything a destination stack needs to find and read these backups.
  return {
    role: "source",
    cloud: "azure",
    profile: cfg.profile.name,
    azure: {
      subscriptionId: cfg.azure.subscriptionId,
      tenantId: cfg.azure.tenantId,
      location: cfg.azure.location,
      cloudName: cfg.azure.cloudName,
    },
    storage: {
      resourceGroupName: backupStorage.resourceGroupName,
      accountName: backupStorage.accountName,
      containerName: backupStorage.containerName,
      prefix: cfg.storage.prefix ?? "",
      snapshotResourceGroupName: backupStorage.snapshotResourceGroupName,
    },
    velero: {
      namespace: v.namespace,
      version: v.version,
      chartVersion: v.chartVersion,
      pluginVersion: v.pluginVersion,
      bslName: BSL_NAME,
      vslName: VSL_NAME,
      uploaderType: v.nodeAgent ? v.uploaderType : "",
    },
    schedules: schedules.names,
    cluster: {
      apiServer: cluster.apiServer,
      uid: cluster.uid,
      nodeResourceGroup: cluster.nodeResourceGroup,
      kubernetesVersion: cluster.kubernetesVersion,
      aksName: cfg.cluster.aksName ?? "",
      aksResourceGroup: cfg.cluster.aksResourceGroup ?? "",
    },
    identity: { clientId: identity.clientId, passwordEndDate: identity.passwordEndDate },
  };
}
