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

export interface RotationWindow {
  /** Changes once per period; a change replaces the password (new one first, then the old one goes). */
  key: string;
  /** The password stays valid for two periods, so one missed `pulumi up` does not stop backups. */
  endDate: string;
}

const DAY_MS = 24 * 3600 * 1000;

export function rotationWindow(now: Date, rotationDays: number): RotationWindow {
  const period = rotationDays * DAY_MS;
  const index = Math.floor(now.getTime() / period);
  return {
    key: `p${rotationDays}d-${index}`,
    endDate: new Date((index + 2) * period).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}
