import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import * as authorization from "@pulumi/azure-native/authorization";
import { buildAzureCredentialsFile, rotationWindow } from "./azure-credentials";
import { buildVeleroRoles } from "./azure-role";

export interface AzureVeleroIdentityArgs {
  stack: string;
  displayName: string;
  subscriptionId: string;
  tenantId: string;
  cloudName: string;
  /** The password is replaced when this many days have passed (create-before-delete). */
  rotationDays: number;
  /** Clock for rotation; tests pass a fixed date. */
  now?: Date;
  storageResourceGroupId: pulumi.Input<string>;
  storageAccountId: pulumi.Input<string>;
  snapshotResourceGroupId: pulumi.Input<string>;
  nodeResourceGroupName: pulumi.Input<string>;
}

/**
 * Velero's Azure identity: an Azure AD application and service principal with a rotating
 * password, two custom roles holding exactly the plugin's documented actions, assigned at the
 * narrowest scopes, and the credentials file Velero reads (a Pulumi secret).
 */
export class AzureVeleroIdentity extends pulumi.ComponentResource {
  public readonly clientId: pulumi.Output<string>;
  public readonly servicePrincipalObjectId: pulumi.Output<string>;
  /**
   * Content of Velero's credentials file, once every role assignment exists: Velero started with
   * it has all its permissions from the start (the source stack). Secret.
   */
  public readonly credentialsFile: pulumi.Output<string>;
  /**
   * The same content as soon as the application's password exists, not waiting for any role
   * assignment: for a stack that makes each use of a permission wait for its grant itself (the
   * destination: the location's readiness waits for `storageGrants`, the restore for every grant),
   * so Velero can be installed while the grants are created and propagate. Secret.
   */
  public readonly credentialsFileUngated: pulumi.Output<string>;
  /** The grant on the backup storage account (listing its keys): what the backup location needs. */
  public readonly storageGrants: authorization.RoleAssignment[];
  /** The grants on the snapshot and node resource groups: what snapshots and restored disks need. */
  public readonly diskGrants: authorization.RoleAssignment[];
  public readonly passwordEndDate: string;

  constructor(name: string, args: AzureVeleroIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:identity:AzureVeleroIdentity", name, {}, opts);
    // The first thing created: it waits for what the component waits for (on a destination, the
    // guard or the checked source outputs); everything else here follows from it.
    const app = new azuread.Application(
      `${name}-app`,
      { displayName: args.displayName },
      { parent: this, dependsOn: opts?.dependsOn },
    );
    const sp = new azuread.ServicePrincipal(`${name}-sp`, { clientId: app.clientId }, { parent: this });
    const window = rotationWindow(args.now ?? new Date(), args.rotationDays);
    const password = new azuread.ApplicationPassword(
      `${name}-password`,
      {
        applicationId: app.id,
        displayName: `velero-dr ${window.key}`,
        endDate: window.endDate,
        rotateWhenChanged: { rotation: window.key },
      },
      { parent: this, additionalSecretOutputs: ["value"] },
    );

    const nodeResourceGroupId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.nodeResourceGroupName}`;
    // Each role is computed from the scopes it uses only, so the storage role (and its grant)
    // does not wait for the cluster that creates the node resource group.
    const storageSpec = pulumi.all([args.storageResourceGroupId, args.storageAccountId]).apply(
      ([storageResourceGroupId, storageAccountId]) =>
        buildVeleroRoles({
          stack: args.stack,
          storageResourceGroupId,
          storageAccountId,
          snapshotResourceGroupId: "",
          nodeResourceGroupId: "",
        }).storage,
    );
    const disksSpec = pulumi.all([args.snapshotResourceGroupId, nodeResourceGroupId]).apply(
      ([snapshotResourceGroupId, nodeRgId]) =>
        buildVeleroRoles({
          stack: args.stack,
          storageResourceGroupId: "",
          storageAccountId: "",
          snapshotResourceGroupId,
          nodeResourceGroupId: nodeRgId,
        }).disks,
    );
    const addRole = (key: "storage" | "disks", count: number): authorization.RoleAssignment[] => {
      const spec = key === "storage" ? storageSpec : disksSpec;
      const role = new authorization.RoleDefinition(
        `${name}-${key}-role`,
        {
          roleName: spec.roleName,
          description: spec.description,
          roleType: "CustomRole",
          permissions: [{ actions: spec.actions, notActions: [], dataActions: [], notDataActions: [] }],
          assignableScopes: spec.assignableScopes,
          scope: spec.assignableScopes.apply((s) => s[0]),
        },
        { parent: this },
      );
      return Array.from(
        { length: count },
        (_, i) =>
          new authorization.RoleAssignment(
            `${name}-${key}-assignment-${i}`,
            {
              principalId: sp.objectId,
              principalType: "ServicePrincipal",
              roleDefinitionId: role.id,
              scope: spec.assignmentScopes.apply((s) => s[i]),
            },
            { parent: this },
          ),
      );
    };
    this.storageGrants = addRole("storage", 1);
    // Snapshot group and node group (config validation keeps them distinct).
    this.diskGrants = addRole("disks", 2);

    this.clientId = app.clientId;
    this.servicePrincipalObjectId = sp.objectId;
    this.passwordEndDate = window.endDate;
    const credentialsFileAfter = (grants: authorization.RoleAssignment[]) =>
      pulumi.secret(
        pulumi
          .all([
            app.clientId,
            password.value,
            args.nodeResourceGroupName,
            pulumi.all(grants.map((a) => a.id)),
          ])
          .apply(([clientId, secret, rg]) =>
            buildAzureCredentialsFile({
              subscriptionId: args.subscriptionId,
              tenantId: args.tenantId,
              clientId,
              clientSecret: secret,
              resourceGroup: rg,
              cloudName: args.cloudName,
            }),
          ),
      );
    // Depending on the role assignments keeps Velero from starting before its permissions exist.
    this.credentialsFile = credentialsFileAfter([...this.storageGrants, ...this.diskGrants]);
    this.credentialsFileUngated = credentialsFileAfter([]);
    this.registerOutputs({ clientId: this.clientId, credentialsFile: this.credentialsFile });
  }
}
