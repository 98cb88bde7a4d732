import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import {
  AzureStorageSettings,
  buildBlobServiceSettings,
  buildLifecyclePolicy,
  buildStorageAccountSettings,
} from "./azure-settings";

export interface AzureBackupStorageArgs extends AzureStorageSettings {
  /** Azure region of the storage account and resource groups. */
  location: string;
  /** Resource group for the storage account. */
  resourceGroupName: string;
  /** True: the resource group exists and is not managed here. */
  existingResourceGroup: boolean;
  /** Storage account name (globally unique, 3-24 lowercase letters and digits). */
  accountName: string;
  /**
   * Resource group for disk snapshots. The default (the cluster's MC_ group) is deleted with
   * the cluster, taking every snapshot with it; a separate group survives a lost cluster.
   * Unset (a replica, which holds no snapshots): the account's own group, nothing more created.
   */
  snapshotResourceGroupName?: string;
  /** Subscription of the resource groups (used for the id of an existing group). */
  subscriptionId: string;
  /** Refuse `pulumi destroy` until the storage is explicitly unprotected. */
  protect: boolean;
  /**
   * Put a CanNotDelete management lock on the account (needs Microsoft.Authorization/locks/write,
   * i.e. Owner or User Access Administrator, for whoever runs `pulumi up`).
   */
  deleteLock: boolean;
  /** Name of the management lock (default velero-dr-backups). */
  lockName?: string;
}

/**
 * Hardened Azure Blob storage for Velero backups, and the resource group for disk snapshots.
 *
 * Everything that holds backup data is `retainOnDelete`: destroying the stack never deletes
 * backups. The account also carries a CanNotDelete lock so it survives a portal or CLI mistake.
 */
export class AzureBackupStorage extends pulumi.ComponentResource {
  public readonly resourceGroupName: pulumi.Output<string>;
  public readonly resourceGroupId: pulumi.Output<string>;
  public readonly accountName: pulumi.Output<string>;
  public readonly accountId: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  public readonly snapshotResourceGroupName: pulumi.Output<string>;
  public readonly snapshotResourceGroupId: pulumi.Output<string>;
  /** The account's blob service settings (versioning, change feed): what object replication waits for. */
  public readonly blobService: pulumi.Resource;
  /** The container resource (object replication waits for it on both sides). */
  public readonly container: pulumi.Resource;

  constructor(name: string, args: AzureBackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:storage:AzureBackupStorage", name, {}, opts);
    const keep = { parent: this, retainOnDelete: true, protect: args.protect };

    let rgName: pulumi.Output<string>;
    let rgId: pulumi.Output<string>;
    if (args.existingResourceGroup) {
      rgName = pulumi.output(args.resourceGroupName);
      rgId = pulumi.output(`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}`);
    } else {
      const rg = new resources.ResourceGroup(
        `${name}-rg`,
        { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
        keep,
      );
      rgName = rg.name;
      rgId = rg.id;
    }

    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        ...buildStorageAccountSettings(args),
        accountName: args.accountName,
        resourceGroupName: rgName,
        location: args.location,
      },
      keep,
    );

    if (args.deleteLock) {
      new authorization.ManagementLockByScope(
        `${name}-lock`,
        {
          scope: account.id,
          level: "CanNotDelete",
          lockName: args.lockName ?? "velero-dr-backups",
          notes: "Holds Velero backups for disaster recovery. Remove this lock only to retire the backups.",
        },
        { parent: this, retainOnDelete: true },
      );
    }

    const blobService = new storage.BlobServiceProperties(
      `${name}-blob-service`,
      {
        ...buildBlobServiceSettings(args),
        accountName: account.name,
        resourceGroupName: rgName,
        blobServicesName: "default",
      },
      { parent: this, retainOnDelete: true },
    );

    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        accountName: account.name,
        resourceGroupName: rgName,
        containerName: args.containerName,
        publicAccess: "None",
      },
      { ...keep, dependsOn: [blobService] },
    );

    new storage.ManagementPolicy(
      `${name}-lifecycle`,
      {
        accountName: account.name,
        resourceGroupName: rgName,
        managementPolicyName: "default",
        policy: buildLifecyclePolicy(args),
      },
      { parent: this, dependsOn: [blobService] },
    );

    if (args.immutabilityDays !== undefined) {
      new storage.BlobContainerImmutabilityPolicy(
        `${name}-immutability`,
        {
          accountName: account.name,
          resourceGroupName: rgName,
          containerName: container.name,
          immutabilityPolicyName: "default",
          immutabilityPeriodSinceCreationInDays: args.immutabilityDays,
          allowProtectedAppendWrites: false,
        },
        { parent: this, retainOnDelete: true },
      );
    }

    if (
      args.snapshotResourceGroupName === undefined ||
      args.snapshotResourceGroupName === args.resourceGroupName
    ) {
      this.snapshotResourceGroupName = rgName;
      this.snapshotResourceGroupId = rgId;
    } else {
      const snapshots = new resources.ResourceGroup(
        `${name}-snapshots-rg`,
        { resourceGroupName: args.snapshotResourceGroupName, location: args.location, tags: args.tags },
        keep,
      );
      this.snapshotResourceGroupName = snapshots.name;
      this.snapshotResourceGroupId = snapshots.id;
    }

    this.resourceGroupName = rgName;
    this.resourceGroupId = rgId;
    this.accountName = account.name;
    this.accountId = account.id;
    this.containerName = container.name;
    this.blobService = blobService;
    this.container = container;
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      accountName: this.accountName,
      containerName: this.containerName,
      snapshotResourceGroupName: this.snapshotResourceGroupName,
    });
  }
}
