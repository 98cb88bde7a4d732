/**
 * The Velero Azure credentials file (env-file format, Secret key `cloud`), and password rotation.
 */

export interface AzureCredentialsInput {
  subscriptionId: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The cluster's node resource group (MC_...): where the plugin reads and creates disks. */
  resourceGroup: string;
  cloudName: string;
}

export function buildAzureCredentialsFile(c: AzureCredentialsInput): string {
  return [
    `AZURE_SUBSCRIPTION_ID=${c.subscriptionId}`,
    `AZURE_TENANT_ID=${c.tenantId}`,
    `AZURE_CLIENT_ID=${c.clientId}`,
    `AZURE_CLIENT_SECRET=${c.clientSecret}`,
    `AZURE_RESOURCE_GROUP=${c.resourceGroup}`,
    `AZURE_CLOUD_NAME=${c.cloudName}`,
    "",
  ].join("\n");
}

// Rotation windows are shared with the AWS access key; kept importable from here.
export { rotationWindow } from "./rotation";
export type { RotationWindow } from "./rotation";
