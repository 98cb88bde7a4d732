import { AzureBackupStorage } from "../../storage/azure-backup-storage";
import { AzureVeleroIdentity } from "../../identity/azure-velero-identity";
import { buildAzureBslConfig, buildAzureVslConfig } from "../../velero/locations";
import { humanDuration } from "../../model/durations";
import { azureAlertWindow, silenceSeconds } from "../../monitoring/cloud-alerts";
import type * as pulumi from "@pulumi/pulumi";
import { AzureBackupAlert, newAzureActionGroup } from "../../monitoring/azure-backup-alert";
import { AzureBackupReplica } from "../../storage/azure-backup-replica";
import type { SourceBackend } from "../backend";
import { alertWebhooks, BSL_NAME, noCloudAlert, stackTags, VSL_NAME } from "../kit/source-kit";
import { azure, AzureSourceConfig } from ".";
import { azureIdentityBasics } from "./identity-basics";

/**
 * The Azure source stack's part (loaded only for `velero-dr:cloud: azure`): the storage account
 * and snapshot group, Velero's Azure AD identity and grants, the Azure BSL/VSL, the Azure Monitor
 * alert, and the outputs a destination reads.
 */
export const azureSource: SourceBackend<AzureSourceConfig> = {
  begin: (cfg, options) => ({
    targetContext: { azure: { location: cfg.azure.location } },
    build: (cluster, withCommon) => {
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
        // Object replication reads the source account's change feed.
        changeFeed: cfg.storage.replica !== undefined,
        tags,
      });

      const identity = new AzureVeleroIdentity("velero-identity", {
        ...azureIdentityBasics(cfg, options.now),
        storageResourceGroupId: backupStorage.resourceGroupId,
        storageAccountId: backupStorage.accountId,
        snapshotResourceGroupId: backupStorage.snapshotResourceGroupId,
        nodeResourceGroupName: cluster.nodeResourceGroup,
      });

      const values = withCommon({
        provider: "azure",
        pluginImage: azure.pluginImage,
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

      // The replica in the recovery region: the primary's settings, its own names and region.
      let replica: AzureBackupReplica | undefined;
      const r = cfg.storage.replica;
      if (r) {
        let actionGroupId: pulumi.Input<string> | undefined;
        if (cfg.alerting.cloudAlert) {
          actionGroupId =
            cloudAlert?.actionGroupId ??
            newAzureActionGroup(
              "replication-action-group",
              {
                resourceGroupName: backupStorage.resourceGroupName,
                accountName: cfg.storage.accountName,
                emails: cfg.alerting.emails,
                webhooks: alertWebhooks(cfg),
                tags,
              },
              {},
            ).id;
        }
        replica = new AzureBackupReplica("replica", {
          storage: {
            location: r.location,
            subscriptionId: cfg.azure.subscriptionId,
            resourceGroupName: r.resourceGroupName,
            existingResourceGroup: false,
            accountName: r.accountName,
            containerName: cfg.storage.containerName,
            replication: cfg.storage.replication,
            softDeleteDays: cfg.storage.softDeleteDays,
            containerSoftDeleteDays: cfg.storage.containerSoftDeleteDays,
            versionRetentionDays: cfg.storage.versionRetentionDays,
            immutabilityDays: cfg.storage.immutabilityDays,
            protect: cfg.storage.protect,
            deleteLock: cfg.storage.deleteLock,
            tags,
          },
          primary: backupStorage,
          actionGroupId,
          tags,
        });
      }

      return {
        storage: backupStorage,
        values,
        credentialsFile: identity.credentialsFile,
        // Everything a destination stack needs to find and read these backups.
        outputs: {
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
            // Where a destination reads the backups when this region is gone.
            ...(replica && r
              ? {
                  replica: {
                    resourceGroupName: replica.storage.resourceGroupName,
                    accountName: replica.storage.accountName,
                    containerName: replica.storage.containerName,
                    location: r.location,
                  },
                }
              : {}),
          },
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
            cloudAlert: cloudAlert ? cloudAlert.alertName : "",
            actionGroupId: cloudAlert ? cloudAlert.actionGroupId : "",
            ...(replica ? { replicationAlert: replica.alertName ?? "" } : {}),
          },
        },
      };
    },
  }),
};
