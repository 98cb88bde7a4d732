import { AzureVeleroIdentity } from "../../identity/azure-velero-identity";
import type { DestinationBackend } from "../backend";
import { azureOf, azureReadAccount, AzureSourceOutputs } from ".";
import { azureIdentityBasics } from "./identity-basics";

/**
 * The destination's read side of Azure Blob storage (loaded only by a destination stack):
 * Velero's Azure AD identity on the destination, granted on the source's storage account and
 * snapshot group and the target's node resource group (the BSL/VSL from the source's outputs are
 * the config part's: azureDestinationLocations).
 */
export const azureDestination: DestinationBackend = {
  // Velero's identity lives in Azure AD and ARM only: nothing of it is in the target cluster.
  // Whatever is scoped to the node resource group waits for the cluster, which creates that group.
  access: ({ cfg, source, target, now, after }) => {
    const s = source as unknown as import("@pulumi/pulumi").Output<AzureSourceOutputs>;
    const readOf = (o: AzureSourceOutputs) => azureReadAccount(o, cfg.backup.location);
    const identity = new AzureVeleroIdentity(
      "velero-identity",
      {
        ...azureIdentityBasics({ ...cfg, azure: azureOf(cfg) }, now),
        // The account Velero reads (backup.location: the replica by default when there is one):
        // the grant is there only, so nothing of this identity reaches the other account.
        storageResourceGroupId: s.apply((o) => rgId(o.azure.subscriptionId, readOf(o).resourceGroupName)),
        storageAccountId: s.apply(
          (o) =>
            `${rgId(o.azure.subscriptionId, readOf(o).resourceGroupName)}/providers/Microsoft.Storage/storageAccounts/${readOf(o).accountName}`,
        ),
        snapshotResourceGroupId: s.apply((o) =>
          rgId(o.azure.subscriptionId, o.storage.snapshotResourceGroupName),
        ),
        nodeResourceGroupName: target.nodeResourceGroup,
      },
      after.length > 0 ? { dependsOn: after } : {},
    );
    return {
      // Velero is installed while the role assignments are created and propagate: nothing in it
      // needs them to start. What uses a permission waits for its grant.
      credentialsFile: identity.credentialsFileUngated,
      // The location is Available once Velero runs and may list the storage account's keys.
      storageAccess: identity.storageGrants,
      // The restore creates disks from snapshots in the node group: it needs every grant.
      restoreAccess: [identity],
    };
  },
};

function rgId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
}
