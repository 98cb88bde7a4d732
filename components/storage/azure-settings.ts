/**
 * Settings of the Azure backup storage, as plain data (the component passes them to
 * azure-native unchanged; tests and the policy pack read the same values).
 */

export type AzureReplication = "GRS" | "ZRS" | "GZRS" | "RAGRS" | "RAGZRS";

export interface AzureStorageSettings {
  replication: AzureReplication;
  softDeleteDays: number;
  containerSoftDeleteDays: number;
  versionRetentionDays: number;
  containerName: string;
  immutabilityDays?: number;
  /**
   * Blob change feed on the account: Azure object replication reads the source account's change
   * feed, so the primary of a replicated stack has it (the replica does not need it).
   */
  changeFeed?: boolean;
  tags: Record<string, string>;
}

export function buildStorageAccountSettings(s: AzureStorageSettings) {
  return {
    kind: "StorageV2",
    sku: { name: `Standard_${s.replication}` },
    accessTier: "Hot" as const,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    // velero-plugin-for-microsoft-azure 1.6.x authenticates to blobs with the account key it
    // lists through ARM; turning shared-key access off breaks every backup (README, "Shared keys").
    allowSharedKeyAccess: true,
    allowCrossTenantReplication: false,
    encryption: {
      keySource: "Microsoft.Storage",
      requireInfrastructureEncryption: true,
      services: { blob: { enabled: true, keyType: "Account" } },
    },
    tags: s.tags,
  };
}

export function buildBlobServiceSettings(s: AzureStorageSettings) {
  return {
    isVersioningEnabled: true,
    deleteRetentionPolicy: { enabled: true, days: s.softDeleteDays },
    containerDeleteRetentionPolicy: { enabled: true, days: s.containerSoftDeleteDays },
    ...(s.changeFeed ? { changeFeed: { enabled: true, retentionInDays: s.versionRetentionDays } } : {}),
  };
}

/** Deletes old blob versions: with versioning on, every overwritten or deleted backup file is kept until then. */
export function buildLifecyclePolicy(s: AzureStorageSettings) {
  return {
    rules: [
      {
        name: "expire-old-backup-versions",
        enabled: true,
        type: "Lifecycle",
        definition: {
          filters: { blobTypes: ["blockBlob"], prefixMatch: [`${s.containerName}/`] },
          actions: { version: { delete: { daysAfterCreationGreaterThan: s.versionRetentionDays } } },
        },
      },
    ],
  };
}
