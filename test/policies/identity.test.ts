import { strict as assert } from "assert";
import {
  AWS_PLUGIN_ACTIONS,
  AZURE_PLUGIN_ACTIONS,
  identityAwsIamLeastPrivilege,
  identityCredentialExpiry,
  identityCustomRoleActions,
  identityNoBroadScope,
  identityNoPrivilegedRoles,
} from "../../policies/rules/identity";
import { AZURE_DISK_ACTIONS, AZURE_STORAGE_ACTIONS } from "../../components/identity/azure-role";
import { buildReplicationRolePolicy } from "../../components/storage/aws-replication";
import { accountProps, iamPolicyDocument, RG_ID, roleAssignmentProps, T } from "./fixtures";
import { checkResource } from "./support";
import {
  AZURE_PLUGIN_V1_6_2_CUSTOM_ROLE_ACTIONS,
  awsPluginV1_6_2IamPolicy,
  awsPluginV1_6_2IamStatements,
} from "../upstream/velero-plugins";

const OWNER = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

describe("policies: identity", () => {
  describe("embedded action lists", () => {
    it("match the Azure plugin's documented custom role, and the program's two roles together", () => {
      assert.deepEqual([...AZURE_PLUGIN_ACTIONS].sort(), [...AZURE_PLUGIN_V1_6_2_CUSTOM_ROLE_ACTIONS].sort());
      assert.deepEqual(
        [...AZURE_PLUGIN_ACTIONS].sort(),
        [...AZURE_DISK_ACTIONS, ...AZURE_STORAGE_ACTIONS].sort(),
      );
    });

    it("match the AWS plugin's documented IAM policy", () => {
      const documented = awsPluginV1_6_2IamStatements("velero-backups").flatMap((s) => s.Action);
      assert.deepEqual([...AWS_PLUGIN_ACTIONS].sort(), documented.sort());
    });

    it("accept the documented AWS policy itself (with a real bucket name)", async () => {
      const text = awsPluginV1_6_2IamPolicy("velero-backups");
      const o = await checkResource(identityAwsIamLeastPrivilege, {
        type: T.iamPolicy,
        props: { policy: text },
      });
      assert.deepEqual(o.violations, []);
    });
  });

  describe("identity-no-privileged-builtin-roles", () => {
    it("passes a custom role assignment", async () => {
      const o = await checkResource(identityNoPrivilegedRoles, {
        type: T.roleAssignment,
        props: roleAssignmentProps(),
      });
      assert.deepEqual(o.violations, []);
    });

    it("reports Owner, Contributor and User Access Administrator, in any case", async () => {
      const owner = { ...roleAssignmentProps(), roleDefinitionId: `${RG_ID}${OWNER}` };
      assert.deepEqual(
        (await checkResource(identityNoPrivilegedRoles, { type: T.roleAssignment, props: owner })).violations,
        ["the role assignment grants the built-in Owner role (8e3af657-a8ff-443c-a75c-2fe8c4bcb635)."],
      );
      const contributor = {
        ...roleAssignmentProps(),
        roleDefinitionId: "B24988AC-6180-42A0-AB88-20F7382DD24C",
      };
      const o = await checkResource(identityNoPrivilegedRoles, {
        type: T.roleAssignment,
        props: contributor,
      });
      assert.deepEqual(o.violations, [
        "the role assignment grants the built-in Contributor role (b24988ac-6180-42a0-ab88-20f7382dd24c).",
      ]);
      const uaa = {
        ...roleAssignmentProps(),
        roleDefinitionId: `${OWNER.slice(0, -36)}18d7d88d-d35e-4fb5-a5c3-7773c20a72d9`,
      };
      assert.equal(
        (await checkResource(identityNoPrivilegedRoles, { type: T.roleAssignment, props: uaa })).violations
          .length,
        1,
      );
    });

    it("is not applicable to other resources", async () => {
      assert.ok(
        (await checkResource(identityNoPrivilegedRoles, { type: T.account, props: accountProps() }))
          .notApplicable,
      );
    });
  });

  describe("identity-no-broad-scope", () => {
    it("passes storage account and resource group scopes", async () => {
      for (const scope of [roleAssignmentProps().scope, RG_ID]) {
        const o = await checkResource(identityNoBroadScope, {
          type: T.roleAssignment,
          props: { ...roleAssignmentProps(), scope },
        });
        assert.deepEqual(o.violations, [], scope);
      }
    });

    it("reports subscription, management group and missing scopes", async () => {
      const sub = { ...roleAssignmentProps(), scope: "/subscriptions/00000000-0000-0000-0000-000000000000" };
      assert.deepEqual(
        (await checkResource(identityNoBroadScope, { type: T.roleAssignment, props: sub })).violations,
        [
          'the role assignment scope "/subscriptions/00000000-0000-0000-0000-000000000000" is a whole subscription, management group or tenant.',
        ],
      );
      const mg = { ...roleAssignmentProps(), scope: "/providers/Microsoft.Management/managementGroups/root" };
      assert.equal(
        (await checkResource(identityNoBroadScope, { type: T.roleAssignment, props: mg })).violations.length,
        1,
      );
      const none = { ...roleAssignmentProps(), scope: "" };
      assert.deepEqual(
        (await checkResource(identityNoBroadScope, { type: T.roleAssignment, props: none })).violations,
        ["the role assignment has no scope."],
      );
    });

    it("is not applicable to role definitions", async () => {
      assert.ok(
        (await checkResource(identityNoBroadScope, { type: T.roleDefinition, props: {} })).notApplicable,
      );
    });
  });

  describe("identity-custom-role-actions", () => {
    const role = (actions: string[], dataActions: string[] = []) => ({
      type: T.roleDefinition,
      props: {
        roleName: "velero",
        permissions: [{ actions, notActions: [], dataActions, notDataActions: [] }],
      },
    });

    it("passes the documented actions (split over roles, any case)", async () => {
      assert.deepEqual(
        (await checkResource(identityCustomRoleActions, role([...AZURE_STORAGE_ACTIONS]))).violations,
        [],
      );
      const lower = AZURE_DISK_ACTIONS.map((a) => a.toLowerCase());
      assert.deepEqual((await checkResource(identityCustomRoleActions, role(lower))).violations, []);
    });

    it("reports extra actions, wildcards and data actions", async () => {
      const o = await checkResource(
        identityCustomRoleActions,
        role(
          ["Microsoft.Compute/disks/read", "Microsoft.Storage/*", "Microsoft.Compute/virtualMachines/delete"],
          ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        ),
      );
      assert.deepEqual(o.violations, [
        "actions outside the plugin's documented list: Microsoft.Storage/*, Microsoft.Compute/virtualMachines/delete.",
        "dataActions must be empty for plugin 1.6.x: Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read.",
      ]);
    });

    it("is not applicable to role assignments", async () => {
      assert.ok(
        (
          await checkResource(identityCustomRoleActions, {
            type: T.roleAssignment,
            props: roleAssignmentProps(),
          })
        ).notApplicable,
      );
    });
  });

  describe("identity-aws-iam-least-privilege", () => {
    it("passes the plugin's policy scoped to the bucket (JSON text or object)", async () => {
      for (const policy of [JSON.stringify(iamPolicyDocument()), iamPolicyDocument()]) {
        assert.deepEqual(
          (await checkResource(identityAwsIamLeastPrivilege, { type: T.iamPolicy, props: { policy } }))
            .violations,
          [],
        );
      }
    });

    it("holds an S3 replication role's policy (storage.replica) to S3's replication actions, KMS through S3 only", async () => {
      const doc = buildReplicationRolePolicy({
        partition: "aws",
        accountId: "123456789012",
        source: {
          bucket: "velero-backups",
          region: "eu-west-1",
          kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        },
        replica: {
          bucket: "velero-backups-replica",
          region: "eu-central-1",
          kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/66666666-7777-8888-9999-000000000000",
        },
        objectLock: true,
      });
      const check = async (policy: unknown) =>
        (
          await checkResource(identityAwsIamLeastPrivilege, {
            type: "aws:iam/rolePolicy:RolePolicy",
            props: { policy: JSON.stringify(policy) },
          })
        ).violations;
      assert.deepEqual(await check(doc), []);
      // Velero's write actions slipped into the replication role.
      const writes = structuredClone(doc);
      writes.Statement[2].Action = [...(writes.Statement[2].Action as string[]), "s3:PutObject"];
      assert.deepEqual(await check(writes), [
        "statement ReplicaObjects: actions outside S3's documented replication list: s3:PutObject.",
      ]);
      // KMS usable outside S3.
      const anyService = structuredClone(doc);
      delete anyService.Statement[3].Condition;
      assert.deepEqual(await check(anyService), [
        "statement DecryptSourceObjects: KMS actions for replication without a kms:ViaService condition (S3 only).",
      ]);
      // Replication on every bucket.
      const broad = structuredClone(doc);
      broad.Statement[2].Resource = ["arn:aws:s3:::*"];
      assert.match(
        (await check(broad)).join("\n"),
        /statement ReplicaObjects: S3 actions on "arn:aws:s3:::\*"/,
      );
    });

    it("reports extra actions, wildcard S3 resources, NotAction and unparseable documents", async () => {
      const doc = iamPolicyDocument();
      doc.Statement[1].Resource = ["*"];
      doc.Statement.push({
        Sid: "Extra",
        Effect: "Allow",
        Action: ["s3:*", "iam:PassRole"],
        Resource: "arn:aws:s3:::velero-*",
      });
      doc.Statement.push({ Effect: "Allow", NotAction: "iam:*", Resource: "*" });
      doc.Statement.push({ Effect: "Deny", Action: "*", Resource: "*" });
      const o = await checkResource(identityAwsIamLeastPrivilege, {
        type: T.iamPolicy,
        props: { policy: JSON.stringify(doc) },
      });
      assert.deepEqual(o.violations, [
        'statement 1: S3 actions on "*"; name the backup bucket.',
        "statement Extra: actions outside the plugin's documented list: s3:*, iam:PassRole.",
        'statement Extra: S3 actions on "arn:aws:s3:::velero-*"; name the backup bucket.',
        "statement 4: Allow with NotAction/NotResource grants everything not listed.",
      ]);
      const bad = await checkResource(identityAwsIamLeastPrivilege, {
        type: T.iamPolicy,
        props: { policy: "{not json" },
      });
      assert.deepEqual(bad.violations, ["the policy document is not valid JSON."]);
    });

    it("is not applicable to Azure resources", async () => {
      assert.ok(
        (await checkResource(identityAwsIamLeastPrivilege, { type: T.roleDefinition, props: {} }))
          .notApplicable,
      );
    });
  });

  describe("identity-credential-expiry", () => {
    const inDays = (d: number) => new Date(Date.now() + d * 86400000).toISOString();

    it("passes a password with endDate and rotation, or with rotation alone", async () => {
      for (const props of [
        { applicationId: "app", endDate: inDays(180), rotateWhenChanged: { rotation: "p90d-1" } },
        { applicationId: "app", rotateWhenChanged: { rotation: "p90d-1" } },
        { applicationId: "app", endDateRelative: "2160h" },
      ]) {
        assert.deepEqual(
          (await checkResource(identityCredentialExpiry, { type: T.appPassword, props })).violations,
          [],
        );
      }
    });

    it("reports a password that never expires, and an endDate beyond maxValidityDays", async () => {
      const never = await checkResource(identityCredentialExpiry, {
        type: T.appPassword,
        props: { applicationId: "app" },
      });
      assert.deepEqual(never.violations, [
        "the password has neither endDate (or endDateRelative) nor rotateWhenChanged: it never expires.",
      ]);
      const far = { applicationId: "app", endDate: "2999-01-01T00:00:00Z" };
      const o = await checkResource(identityCredentialExpiry, { type: T.appPassword, props: far });
      assert.match(
        o.violations[0],
        /^endDate 2999-01-01T00:00:00Z is \d+ days away; at most 730 days are accepted\.$/,
      );
      const strict = { applicationId: "app", endDate: inDays(180) };
      const s = await checkResource(
        identityCredentialExpiry,
        { type: T.appPassword, props: strict },
        { maxValidityDays: 90 },
      );
      assert.equal(s.violations.length, 1);
    });

    it("is not applicable to other resources", async () => {
      assert.ok(
        (await checkResource(identityCredentialExpiry, { type: T.roleAssignment, props: {} })).notApplicable,
      );
    });
  });
});
