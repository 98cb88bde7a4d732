/** The identity settings an Azure source and destination share. */
export function azureIdentityBasics(
  cfg: {
    stack: string;
    identity: { displayName?: string; rotationDays: number };
    azure: { subscriptionId: string; tenantId: string; cloudName: string };
  },
  now?: Date,
) {
  return {
    stack: cfg.stack,
    displayName: cfg.identity.displayName ?? `velero-dr-${cfg.stack}`,
    subscriptionId: cfg.azure.subscriptionId,
    tenantId: cfg.azure.tenantId,
    cloudName: cfg.azure.cloudName,
    rotationDays: cfg.identity.rotationDays,
    now,
  };
}
