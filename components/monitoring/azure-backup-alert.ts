import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import { AzureAlertWindow, blobServiceId, buildAzureMetricCriteria } from "./cloud-alerts";
import { humanDuration } from "../model/durations";

export interface AzureBackupAlertArgs {
  resourceGroupName: pulumi.Input<string>;
  storageAccountId: pulumi.Input<string>;
  accountName: string;
  window: AzureAlertWindow;
  emails: string[];
  /** Webhook URLs (secret), when configured. */
  webhooks?: pulumi.Input<string[]>;
  tags: Record<string, string>;
}

/**
 * "No backup written for a while" on the Azure side: an Azure Monitor metric alert on the backup
 * account's blob service (no PutBlob/PutBlock/PutBlockList transaction within the window) and the
 * action group it notifies. The account holds backups only, so a write there is a backup.
 */
export class AzureBackupAlert extends pulumi.ComponentResource {
  public readonly actionGroupId: pulumi.Output<string>;
  public readonly alertName: pulumi.Output<string>;

  constructor(name: string, args: AzureBackupAlertArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:monitoring:AzureBackupAlert", name, {}, opts);
    const group = newAzureActionGroup(`${name}-action-group`, args, { parent: this });
    const alert = new monitor.MetricAlert(
      `${name}-no-backups`,
      {
        resourceGroupName: args.resourceGroupName,
        ruleName: `velero-dr-no-backups-${args.accountName}`,
        description:
          `No backup data written to storage account ${args.accountName} for ${humanDuration(args.window.seconds)}: ` +
          "Velero's schedules stopped, or the cluster is gone.",
        location: "global",
        scopes: [pulumi.output(args.storageAccountId).apply(blobServiceId)],
        severity: 1,
        enabled: true,
        autoMitigate: true,
        windowSize: args.window.windowSize,
        evaluationFrequency: args.window.evaluationFrequency,
        criteria: buildAzureMetricCriteria(),
        actions: [{ actionGroupId: group.id }],
        tags: args.tags,
      },
      { parent: this },
    );
    this.actionGroupId = group.id;
    this.alertName = alert.name;
    this.registerOutputs({ actionGroupId: this.actionGroupId, alertName: this.alertName });
  }
}

/**
 * The action group of the storage-side alerts (e-mails, secret webhooks): one per backup account,
 * notified by the "no backups" alert and the replica's "replication lags" alert.
 */
export function newAzureActionGroup(
  name: string,
  args: Pick<AzureBackupAlertArgs, "resourceGroupName" | "accountName" | "emails" | "webhooks" | "tags">,
  opts: pulumi.CustomResourceOptions,
): monitor.ActionGroup {
  return new monitor.ActionGroup(
    name,
    {
      resourceGroupName: args.resourceGroupName,
      actionGroupName: `velero-dr-${args.accountName}`,
      groupShortName: "velero-dr",
      location: "Global",
      enabled: true,
      emailReceivers: args.emails.map((emailAddress, i) => ({
        name: `email-${i}`,
        emailAddress,
        useCommonAlertSchema: true,
      })),
      // The URLs usually embed a token: the whole receiver list stays a secret.
      webhookReceivers: args.webhooks
        ? pulumi.secret(
            pulumi.output(args.webhooks).apply((urls) =>
              urls.map((serviceUri, i) => ({
                name: `webhook-${i}`,
                serviceUri,
                useCommonAlertSchema: true,
              })),
            ),
          )
        : [],
      tags: args.tags,
    },
    opts,
  );
}
