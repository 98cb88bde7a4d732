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
  /** Content of Velero's credentials file. Secret. */
  public readonly credentialsFile: pulumi.Output<string>;
  public readonly passwordEndDate: string;

  constructor(name: string, args: AzureVeleroIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:identity:AzureVeleroIdentity", name, {}, opts);
    const app = new azuread.Application(`${name}-app`, { displayName: args.displayName }, { parent: this });
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
    const assignments: authorization.RoleAssignment[] = [];
    const addRole = (key: "storage" | "disks", count: number) => {
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
      for (let i = 0; i < count; i++) {
        assignments.push(
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
      }
    };
    addRole("storage", 1);
    // Snapshot group and node group (config validation keeps them distinct).
    addRole("disks", 2);

    this.clientId = app.clientId;
    this.servicePrincipalObjectId = sp.objectId;
    this.passwordEndDate = window.endDate;
    // Depending on the role assignments keeps Velero from starting before its permissions exist.
    const granted = pulumi.all(assignments.map((a) => a.id));
    this.credentialsFile = pulumi.secret(
      pulumi
        .all([app.clientId, password.value, args.nodeResourceGroupName, granted])
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
    this.registerOutputs({ clientId: this.clientId, credentialsFile: this.credentialsFile });
  }
}
