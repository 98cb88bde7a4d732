/**
 * Least-privilege Azure permissions for Velero with velero-plugin-for-microsoft-azure v1.6.2.
 *
 * The plugin's documented custom role (velero-plugin-for-microsoft-azure v1.6.2 README, "Set
 * permissions for Velero" → "Specify Role"; test/upstream/velero-plugins.ts) is split in two so each action is granted only where it is needed: the storage-key actions on
 * the backup storage account alone, the disk and snapshot actions on the snapshot group and the
 * cluster's node group alone. Assigned as one role at all three scopes, `listkeys` would also
 * cover any storage account in the node group (Azure Files volumes live there).
 */
export const AZURE_STORAGE_ACTIONS = [
  "Microsoft.Storage/storageAccounts/listkeys/action",
  "Microsoft.Storage/storageAccounts/regeneratekey/action",
] as const;

export const AZURE_DISK_ACTIONS = [
  "Microsoft.Compute/disks/read",
  "Microsoft.Compute/disks/write",
  "Microsoft.Compute/disks/endGetAccess/action",
  "Microsoft.Compute/disks/beginGetAccess/action",
  "Microsoft.Compute/snapshots/read",
  "Microsoft.Compute/snapshots/write",
  "Microsoft.Compute/snapshots/delete",
] as const;

export interface RoleSpec {
  /** Role name, unique in the tenant. */
  roleName: string;
  description: string;
  actions: string[];
  /** Where the role may be assigned (resource groups: Azure does not accept resources here). */
  assignableScopes: string[];
  /** Where it is assigned. */
  assignmentScopes: string[];
}

export interface VeleroRoleInput {
  stack: string;
  storageResourceGroupId: string;
  storageAccountId: string;
  snapshotResourceGroupId: string;
  nodeResourceGroupId: string;
}

export function buildVeleroRoles(i: VeleroRoleInput): { storage: RoleSpec; disks: RoleSpec } {
  const diskScopes = [i.snapshotResourceGroupId, i.nodeResourceGroupId];
  return {
    storage: {
      roleName: `velero-dr-${i.stack}-storage`,
      description: "Velero: read the backup storage account key (velero-plugin-for-microsoft-azure v1.6.x)",
      actions: [...AZURE_STORAGE_ACTIONS],
      assignableScopes: [i.storageResourceGroupId],
      assignmentScopes: [i.storageAccountId],
    },
    disks: {
      roleName: `velero-dr-${i.stack}-disks`,
      description: "Velero: snapshot the cluster's disks and create disks from snapshots",
      actions: [...AZURE_DISK_ACTIONS],
      assignableScopes: diskScopes,
      assignmentScopes: diskScopes,
    },
  };
}

export function resourceGroupId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
}
