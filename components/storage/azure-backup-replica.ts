import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as storage from "@pulumi/azure-native/storage";
import { AzureBackupStorage, AzureBackupStorageArgs } from "./azure-backup-storage";

/**
 * Object replication copies every blob created after this instant: the earliest time Azure
 * accepts, so backups written before the policy existed are copied too (Azure's "copy all").
 */
export const REPLICATE_ALL_SINCE = "1601-01-01T00:00:00Z";

/** Azure Monitor metric of the object replication policy (preview): operations not yet replicated. */
export const REPLICATION_LAG_METRIC = {
  metricNamespace: "Microsoft.Storage/storageAccounts/objectReplicationPolicies",
  metricName: "PendingOperationsForReplication",
};

/**
 * "Replication lags": some operation stayed pending for the whole window (its Minimum over the
 * window above zero). A backup's uploads make the count rise and fall; a count that never drains
 * for an hour is replication stuck or far behind.
 */
export function buildReplicationLagCriteria() {
  return {
    odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria" as const,
    allOf: [
      {
        criterionType: "StaticThresholdCriterion" as const,
        name: "replication-pending",
        ...REPLICATION_LAG_METRIC,
        timeAggregation: "Minimum",
        operator: "GreaterThan",
        threshold: 0,
      },
    ],
  };
}

export const REPLICATION_LAG_WINDOW = { windowSize: "PT1H", evaluationFrequency: "PT15M", seconds: 3600 };

/** An object replication rule of the backup container into the replica's (plain data). */
export function buildReplicationRule(containerName: string, ruleId?: pulumi.Input<string>) {
  return {
    sourceContainer: containerName,
    destinationContainer: containerName,
    filters: { minCreationTime: REPLICATE_ALL_SINCE },
    ...(ruleId !== undefined ? { ruleId } : {}),
  };
}

export interface AzureBackupReplicaArgs {
  /** The replica account: the primary's own hardening settings, in the recovery region. */
  storage: Omit<AzureBackupStorageArgs, "snapshotResourceGroupName" | "changeFeed">;
  /** The primary (source of the replication), with change feed and versioning on. */
  primary: AzureBackupStorage;
  /** Action group the lag alert notifies; none: no lag alert. */
  actionGroupId?: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * The backups' second home in the recovery region: a storage account built exactly like the
 * primary (AzureBackupStorage: the same TLS, network, soft delete, immutability, lock), filled by
 * Azure Blob object replication from the primary's container, and an Azure Monitor alert when
 * replication lags. Azure's order: the policy is created on the destination account first (it
 * assigns the policy and rule ids), then the same policy on the source account with those ids.
 * While the policy exists the replica's container is read-only to every client: only replication
 * writes there.
 */
export class AzureBackupReplica extends pulumi.ComponentResource {
  public readonly storage: AzureBackupStorage;
  public readonly policyId: pulumi.Output<string>;
  public readonly alertName: pulumi.Output<string> | undefined;

  constructor(name: string, args: AzureBackupReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:storage:AzureBackupReplica", name, {}, opts);
    const replica = new AzureBackupStorage(`${name}-storage`, args.storage, { parent: this });
    const primary = args.primary;
    const containerName = args.storage.containerName;
    const waitFor = [primary.blobService, primary.container, replica.blobService, replica.container];

    // allowCrossTenantReplication is false on both: the accounts are named by full resource id.
    const onReplica = new storage.ObjectReplicationPolicy(
      `${name}-policy-destination`,
      {
        accountName: replica.accountName,
        resourceGroupName: replica.resourceGroupName,
        objectReplicationPolicyId: "default",
        sourceAccount: primary.accountId,
        destinationAccount: replica.accountId,
        rules: [buildReplicationRule(containerName)],
        metrics: { enabled: true },
      },
      { parent: this, dependsOn: waitFor },
    );
    const onPrimary = new storage.ObjectReplicationPolicy(
      `${name}-policy-source`,
      {
        accountName: primary.accountName,
        resourceGroupName: primary.resourceGroupName,
        objectReplicationPolicyId: onReplica.policyId,
        sourceAccount: primary.accountId,
        destinationAccount: replica.accountId,
        rules: [
          buildReplicationRule(
            containerName,
            onReplica.rules.apply((r) => r?.[0]?.ruleId ?? ""),
          ),
        ],
        metrics: { enabled: true },
      },
      { parent: this, dependsOn: waitFor },
    );

    if (args.actionGroupId !== undefined) {
      const alert = new monitor.MetricAlert(
        `${name}-lag`,
        {
          resourceGroupName: primary.resourceGroupName,
          ruleName: `velero-dr-replication-lag-${args.storage.accountName}`,
          description:
            `Backups of the primary storage account wait for replication into ${args.storage.accountName} ` +
            `(${args.storage.location}) for over an hour: a destination reading the replica would restore older backups.`,
          location: "global",
          // The policy's metrics are reported on the source account's policy.
          scopes: [pulumi.interpolate`${primary.accountId}/objectReplicationPolicies/${onPrimary.policyId}`],
          severity: 2,
          enabled: true,
          autoMitigate: true,
          windowSize: REPLICATION_LAG_WINDOW.windowSize,
          evaluationFrequency: REPLICATION_LAG_WINDOW.evaluationFrequency,
          criteria: buildReplicationLagCriteria(),
          actions: [{ actionGroupId: args.actionGroupId }],
          tags: args.tags,
        },
        { parent: this },
      );
      this.alertName = alert.name;
    }

    this.storage = replica;
    this.policyId = onPrimary.policyId;
    this.registerOutputs({
      accountName: replica.accountName,
      containerName: replica.containerName,
      policyId: this.policyId,
    });
  }
}
