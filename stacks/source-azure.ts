import * as pulumi from "@pulumi/pulumi";
import { azureIdentityBasics } from "./identity-basics";
import {
  alertWebhooks,
  BSL_NAME,
  createSchedules,
  inClusterAlerts,
  installVelero,
  noCloudAlert,
  SourceOptions,
  stackTags,
  veleroOutputs,
  veleroValues,
  VSL_NAME,
} from "./source-common";
import { AzureBackupStorage } from "../components/storage/azure-backup-storage";
import { AzureVeleroIdentity } from "../components/identity/azure-velero-identity";
import { ClusterAccess } from "../components/cluster/cluster-access";
import { buildAzureBslConfig, buildAzureVslConfig } from "../components/velero/locations";
import { AzureSourceConfig } from "../components/config/validate";
import { humanDuration } from "../components/monitoring/alert-rules";
import { azureAlertWindow, silenceSeconds } from "../components/monitoring/cloud-alerts";
import { AzureBackupAlert } from "../components/monitoring/azure-backup-alert";

const AZURE_PLUGIN_IMAGE = "velero/velero-plugin-for-microsoft-azure";

/** The Azure source stack (loaded only for `velero-dr:cloud: azure`; see stacks/source.ts). */
export function azureSource(cfg: AzureSourceConfig, options: SourceOptions): Record<string, unknown> {
  const cluster = new ClusterAccess("cluster", {
    aks: cfg.cluster.aksName
      ? { name: cfg.cluster.aksName, resourceGroupName: cfg.cluster.aksResourceGroup as string }
      : undefined,
    kubeconfig: cfg.kubeconfig !== undefined ? new pulumi.Config().requireSecret("kubeconfig") : undefined,
    nodeResourceGroup: cfg.cluster.nodeResourceGroup,
  });

  const tags = stackTags(cfg);
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
    tags,
  });

  const identity = new AzureVeleroIdentity("velero-identity", {
    ...azureIdentityBasics(cfg, options.now),
    storageResourceGroupId: backupStorage.resourceGroupId,
    storageAccountId: backupStorage.accountId,
    snapshotResourceGroupId: backupStorage.snapshotResourceGroupId,
    nodeResourceGroupName: cluster.nodeResourceGroup,
  });

  const values = veleroValues(cfg, {
    provider: "azure",
    pluginImage: AZURE_PLUGIN_IMAGE,
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
  });
  const velero = installVelero(cfg, cluster, values, identity.credentialsFile, backupStorage);
  const schedules = createSchedules(cfg, cluster, velero);
  const prometheusRule = inClusterAlerts(cfg, cluster, velero);

  let cloudAlert: AzureBackupAlert | undefined;
  const silence = silenceSeconds(cfg.alerting.schedules, cfg.alerting.marginSeconds);
  if (cfg.alerting.cloudAlert && silence !== undefined) {
    const period = Math.min(...cfg.alerting.schedules.map((s) => s.periodSeconds));
    const window = azureAlertWindow(period, silence);
    if (!window) {
      noCloudAlert(
        `Azure Monitor looks back 24 hours at most, and the most frequent schedule runs every ${humanDuration(period)}`,
      );
    } else {
      cloudAlert = new AzureBackupAlert("backup-alert", {
        resourceGroupName: backupStorage.resourceGroupName,
        storageAccountId: backupStorage.accountId,
        accountName: cfg.storage.accountName,
        window,
        emails: cfg.alerting.emails,
        webhooks: alertWebhooks(cfg),
        tags,
      });
    }
  }

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
    velero: veleroOutputs(cfg),
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
    alerting: {
      prometheusRule,
      cloudAlert: cloudAlert ? cloudAlert.alertName : "",
      actionGroupId: cloudAlert ? cloudAlert.actionGroupId : "",
    },
  };
}
