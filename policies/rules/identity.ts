import { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, configOf, forTypes, isRecord, parsePolicy, records, S3, show, str, TOKENS } from "./common";

/**
 * Velero's identity: the least privilege its plugin needs, where it needs it, with credentials that
 * expire. Every role assignment, custom role and IAM policy of these stacks is Velero's, so the
 * rules apply to all of them.
 */

/** Built-in roles that can do anything (or grant anything): never for a backup tool. */
export const PRIVILEGED_ROLES: Record<string, string> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
};

/** velero-plugin-for-microsoft-azure v1.6.2 README, custom role (test compares with the reference file). */
export const AZURE_PLUGIN_ACTIONS = [
  "Microsoft.Compute/disks/read",
  "Microsoft.Compute/disks/write",
  "Microsoft.Compute/disks/endGetAccess/action",
  "Microsoft.Compute/disks/beginGetAccess/action",
  "Microsoft.Compute/snapshots/read",
  "Microsoft.Compute/snapshots/write",
  "Microsoft.Compute/snapshots/delete",
  "Microsoft.Storage/storageAccounts/listkeys/action",
  "Microsoft.Storage/storageAccounts/regeneratekey/action",
];

/** velero-plugin-for-aws v1.6.2 README, "Set permissions for Velero" (test compares with the reference file). */
export const AWS_PLUGIN_ACTIONS = [
  "ec2:DescribeVolumes",
  "ec2:DescribeSnapshots",
  "ec2:CreateTags",
  "ec2:CreateVolume",
  "ec2:CreateSnapshot",
  "ec2:DeleteSnapshot",
  "s3:GetObject",
  "s3:DeleteObject",
  "s3:PutObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
  "s3:ListBucket",
];

/**
 * With SSE-KMS the plugin also needs the bucket's key: GenerateDataKey to write, Decrypt to read and
 * to complete multipart uploads. Accepted only on named keys (never "*").
 */
export const AWS_KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];

const KMS_KEY = /^arn:[^:]+:kms:[^:]+:\d{12}:key\/[^*]+$/;

/**
 * The S3 replication role of a replicated bucket (`storage.replica`): Amazon S3's user guide lists
 * these for live replication (with Object Lock on the source, retention and legal hold are read
 * too). A policy that replicates (any s3:Replicate* action) is held to this list instead of the
 * plugin's; its KMS actions (Decrypt the source, Encrypt the replicas, Decrypt the replica's Bucket
 * Key) are accepted on named keys only and only through S3 (`kms:ViaService`).
 */
export const AWS_REPLICATION_ACTIONS = [
  "s3:GetReplicationConfiguration",
  "s3:ListBucket",
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectVersionAcl",
  "s3:GetObjectVersionTagging",
  "s3:GetObjectRetention",
  "s3:GetObjectLegalHold",
  "s3:ReplicateObject",
  "s3:ReplicateDelete",
  "s3:ReplicateTags",
];
export const AWS_REPLICATION_KMS_ACTIONS = ["kms:Decrypt", "kms:Encrypt"];

export const identityNoPrivilegedRoles: ResourceValidationPolicy = {
  name: "identity-no-privileged-builtin-roles",
  description:
    "Velero is never assigned Owner, Contributor or User Access Administrator. Its credentials sit in a " +
    "cluster Secret; with one of these roles, whoever reads that Secret controls the subscription.",
  remediationSteps:
    "Assign a custom role with the plugin's documented actions only (components/identity/azure-role.ts).",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: forTypes([TOKENS.roleAssignment], (props, _args, report) => {
    const id = (str(props.roleDefinitionId) ?? "").toLowerCase();
    const guid = Object.keys(PRIVILEGED_ROLES).find((g) => id.endsWith(g));
    if (guid) {
      report(`the role assignment grants the built-in ${PRIVILEGED_ROLES[guid]} role (${guid}).`);
    }
  }),
};

const BROAD_SCOPES = [
  /^\/subscriptions\/[^/]+\/?$/i,
  /^\/providers\/Microsoft\.Management\/managementGroups\//i,
  /^\/$/,
];

export const identityNoBroadScope: ResourceValidationPolicy = {
  name: "identity-no-broad-scope",
  description:
    "Velero's roles are assigned on the backup storage account and the disk resource groups only, never " +
    "on a subscription or management group: listkeys there would open every storage account.",
  remediationSteps: "Assign at the storage account id and at the snapshot and node resource group ids.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: forTypes([TOKENS.roleAssignment], (props, _args, report) => {
    const scope = str(props.scope) ?? "";
    if (scope === "") report("the role assignment has no scope.");
    else if (BROAD_SCOPES.some((re) => re.test(scope))) {
      report(`the role assignment scope "${scope}" is a whole subscription, management group or tenant.`);
    }
  }),
};

export const identityCustomRoleActions: ResourceValidationPolicy = {
  name: "identity-custom-role-actions",
  description:
    "Custom roles hold only actions from velero-plugin-for-microsoft-azure v1.6.2's documented role " +
    "(disks, snapshots, storage keys), no wildcards and no data actions.",
  remediationSteps:
    "Remove the extra actions; the plugin's README lists all it needs. Data actions (useAAD) need plugin 1.8+.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forTypes([TOKENS.roleDefinition], (props, _args, report) => {
    const allowed = new Set(AZURE_PLUGIN_ACTIONS.map((a) => a.toLowerCase()));
    for (const perm of records(props.permissions)) {
      const extra = arr(perm.actions).filter((a) => !allowed.has(String(a).toLowerCase()));
      if (extra.length > 0) report(`actions outside the plugin's documented list: ${extra.join(", ")}.`);
      if (arr(perm.dataActions).length > 0) {
        report(`dataActions must be empty for plugin 1.6.x: ${arr(perm.dataActions).join(", ")}.`);
      }
    }
  }),
};

export const identityAwsIamLeastPrivilege: ResourceValidationPolicy = {
  name: "identity-aws-iam-least-privilege",
  description:
    "IAM policies allow only velero-plugin-for-aws v1.6.2's documented actions, and S3 actions only on the " +
    'backup bucket (never "*"): a wildcard would let Velero\'s credentials read every bucket of the account. ' +
    "With SSE-KMS, kms:Decrypt and kms:GenerateDataKey are accepted on named key ARNs only. An S3 " +
    "replication role's policy (storage.replica) is held to S3's documented replication actions instead, " +
    "its KMS actions on named keys through S3 only.",
  remediationSteps:
    "Use the plugin's policy with the bucket ARN: objects on arn:aws:s3:::<bucket>/*, ListBucket on " +
    "arn:aws:s3:::<bucket>.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: forTypes(S3.iamPolicies, (props, _args, report) => {
    const doc = parsePolicy(props.policy);
    if (!doc) return report("the policy document is not valid JSON.");
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    const replication = statements
      .filter(isRecord)
      .some((s) => list(s.Action).some((a) => a.toLowerCase().startsWith("s3:replicate")));
    const allowed = new Set(
      (replication ? AWS_REPLICATION_ACTIONS : AWS_PLUGIN_ACTIONS).map((a) => a.toLowerCase()),
    );
    const kms = new Set(
      (replication ? AWS_REPLICATION_KMS_ACTIONS : AWS_KMS_ACTIONS).map((a) => a.toLowerCase()),
    );
    const documented = replication ? "S3's documented replication list" : "the plugin's documented list";
    statements.filter(isRecord).forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      const at = `statement ${str(s.Sid) ?? i}`;
      if (s.NotAction !== undefined || s.NotResource !== undefined) {
        report(`${at}: Allow with NotAction/NotResource grants everything not listed.`);
      }
      const actions = list(s.Action);
      const keysOnly = list(s.Resource).length > 0 && list(s.Resource).every((r) => KMS_KEY.test(r));
      const extra = actions.filter(
        (a) => !allowed.has(a.toLowerCase()) && !(keysOnly && kms.has(a.toLowerCase())),
      );
      if (extra.length > 0) report(`${at}: actions outside ${documented}: ${extra.join(", ")}.`);
      if (replication && actions.some((a) => kms.has(a.toLowerCase())) && !viaService(s)) {
        report(`${at}: KMS actions for replication without a kms:ViaService condition (S3 only).`);
      }
      const broad = list(s.Resource).filter(isBroadS3Resource);
      if (actions.some((a) => a.toLowerCase().startsWith("s3:")) && broad.length > 0) {
        report(`${at}: S3 actions on ${broad.map((r) => `"${r}"`).join(", ")}; name the backup bucket.`);
      }
    });
  }),
};

/** A statement limited to calls made through S3 (`kms:ViaService` s3.<region>.amazonaws.com). */
function viaService(s: Record<string, unknown>): boolean {
  const conditions = isRecord(s.Condition) ? Object.values(s.Condition).filter(isRecord) : [];
  return conditions.some((c) =>
    list(c["kms:ViaService"]).some((v) => /^s3\.[a-z0-9-]+\.amazonaws\.com$/.test(v)),
  );
}

function list(v: unknown): string[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
}

/** "*", or an S3 ARN whose bucket part has a wildcard (arn:aws:s3:::*, arn:aws:s3:::velero-*). */
function isBroadS3Resource(resource: string): boolean {
  if (resource === "*") return true;
  const m = /^arn:[^:]+:s3:::([^/]*)/.exec(resource);
  return m !== null && m[1].includes("*");
}

interface ExpiryConfig {
  maxValidityDays: number;
}

const DAY_MS = 24 * 3600 * 1000;

export const identityCredentialExpiry: ResourceValidationPolicy = {
  name: "identity-credential-expiry",
  description:
    "Velero's Azure AD password expires (endDate, at most maxValidityDays away) or is rotated " +
    "(rotateWhenChanged): a leaked secret that never expires is a permanent key to the backups.",
  remediationSteps:
    "Set endDate and rotateWhenChanged (components/identity: rotation every velero-dr:identity.rotationDays).",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      maxValidityDays: {
        type: "integer",
        minimum: 1,
        default: 730,
        description: "latest accepted endDate, in days from now (Azure recommends at most 2 years)",
      },
    },
  },
  validateResource: forTypes([TOKENS.appPassword, TOKENS.spPassword], (props, args, report) => {
    const { maxValidityDays } = configOf<ExpiryConfig>(args, { maxValidityDays: 730 });
    const endDate = str(props.endDate);
    const rotates = isRecord(props.rotateWhenChanged) && Object.keys(props.rotateWhenChanged).length > 0;
    if (!endDate && !str(props.endDateRelative) && !rotates) {
      return report(
        "the password has neither endDate (or endDateRelative) nor rotateWhenChanged: it never expires.",
      );
    }
    if (endDate) {
      const end = Date.parse(endDate);
      if (Number.isNaN(end)) return report(`endDate ${show(endDate)} is not a date.`);
      const days = Math.ceil((end - Date.now()) / DAY_MS);
      if (days > maxValidityDays) {
        report(`endDate ${endDate} is ${days} days away; at most ${maxValidityDays} days are accepted.`);
      }
    }
  }),
};

export const identityPolicies = [
  identityNoPrivilegedRoles,
  identityNoBroadScope,
  identityCustomRoleActions,
  identityAwsIamLeastPrivilege,
  identityCredentialExpiry,
];
