import { PolicyResource, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import {
  dependsOnDirectly,
  dependsOnTransitively,
  get,
  isDestinationStack,
  isRecord,
  show,
  str,
} from "./common";
import { chainSteps } from "./destination";

/**
 * Velero's IAM role on an AWS destination. Contract with components/identity/aws-velero-restore-
 * identity.ts: an `aws:iam/role:Role` whose trust names Velero's service account
 * (`system:serviceaccount:<namespace>:velero-server`), each grant an `aws:iam/policy:Policy` and an
 * `aws:iam/rolePolicyAttachment:RolePolicyAttachment` depending directly on its policy and role.
 */

const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/** What reading backups and creating volumes from their snapshots need (velero-plugin-for-aws v1.6.2). */
const READ_ACTIONS = new Set(
  [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListBucket",
    "kms:Decrypt",
    "ec2:DescribeVolumes",
    "ec2:DescribeSnapshots",
    "ec2:CreateVolume",
    "ec2:CreateTags",
  ].map((a) => a.toLowerCase()),
);

/** restic's lock objects (`<prefix>/restic/<namespace>/locks/<id>`): written to read a repository. */
const LOCK_OBJECTS = /^arn:[^:]+:s3:::[^/*]+\/(.+\/)?restic\/\*\/locks\/\*$/;
const LOCK_ACTIONS = new Set(["s3:putobject", "s3:deleteobject"]);
const KMS_KEY = /^arn:[^:]+:kms:[^:]+:\d{12}:key\/[^*]+$/;

function list(v: unknown): string[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
}

/** The writes an Allow statement grants beyond reading (restic's lock objects are reading). */
function writesOf(doc: unknown): string[] {
  const statements = isRecord(doc) ? (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) : [];
  const allows = statements.filter(isRecord).filter((s) => s.Effect === "Allow");
  const onlyLocks = allows.every((s) => {
    const actions = list(s.Action).map((a) => a.toLowerCase());
    const resources = list(s.Resource);
    return (
      actions.every((a) => READ_ACTIONS.has(a)) ||
      (actions.every((a) => LOCK_ACTIONS.has(a)) && resources.every((r) => LOCK_OBJECTS.test(r))) ||
      (actions.every((a) => a === "kms:generatedatakey") && resources.every((r) => KMS_KEY.test(r)))
    );
  });
  const writes: string[] = [];
  for (const s of allows) {
    if (s.NotAction !== undefined) writes.push("NotAction (everything not listed)");
    for (const a of list(s.Action)) {
      const lower = a.toLowerCase();
      if (READ_ACTIONS.has(lower)) continue;
      const locks = LOCK_ACTIONS.has(lower) && list(s.Resource).every((r) => LOCK_OBJECTS.test(r));
      // GenerateDataKey encrypts what is written: reading only for a policy that writes locks only.
      const lockKey = lower === "kms:generatedatakey" && onlyLocks;
      if (!locks && !lockKey) writes.push(a);
    }
  }
  return writes;
}

function parse(v: unknown): unknown {
  if (isRecord(v)) return v;
  try {
    return JSON.parse(String(v));
  } catch {
    return undefined;
  }
}

/** An attachment names its role by name (a plain string, or the role's output). */
function sameName(values: () => unknown[]): boolean {
  try {
    const [a, b] = values();
    return typeof a === "string" && a !== "" && a === b;
  } catch (e) {
    if (e instanceof UnknownValueError) return false;
    throw e;
  }
}

function trustsVelero(role: PolicyResource): boolean {
  try {
    return /system:serviceaccount:[^"]+:velero-server/.test(
      JSON.stringify(parse(get(role.props, "assumeRolePolicy"))),
    );
  } catch (e) {
    if (e instanceof UnknownValueError) return false;
    throw e;
  }
}

export const destinationAwsVeleroReadOnly: StackValidationPolicy = {
  name: "destination-aws-velero-read-only-while-restoring",
  description:
    "On an AWS destination, Velero's IAM role can only read the backup bucket while the restore runs: every " +
    "policy attached to it that writes (s3:PutObject, s3:DeleteObject, snapshots, kms:GenerateDataKey, ...) is " +
    "attached only after every restore step (promotion), and never in a rehearsal. Reading is s3:GetObject, " +
    "s3:ListBucket, kms:Decrypt and creating volumes from EBS snapshots; restic's lock objects " +
    "(<prefix>/restic/*/locks/*) are part of reading its repository.",
  remediationSteps:
    "Grant the writes in their own policy and attachment depending on the restore chain's last step " +
    "(components/identity/aws-velero-restore-identity.ts, AwsVeleroWriteGrant); no write grant in a rehearsal.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: (args, report) => {
    if (!isDestinationStack(args.resources))
      return args.notApplicable("not a destination stack (no RestoreChain)");
    const roles = args.resources.filter((r) => r.type === ROLE && trustsVelero(r));
    if (roles.length === 0) return args.notApplicable("no IAM role of Velero's service account");
    const steps = chainSteps(args.resources);
    const restores = steps.filter((s) => s.kind === "restore");
    const rehearsal = steps.some(
      (s) => str(get(get(s.resource.props, "environment"), "VELERO_DR_MODE")) === "rehearsal",
    );
    const policies = args.resources.filter((r) => r.type === POLICY);
    const attached = (r: PolicyResource) =>
      roles.some(
        (role) =>
          dependsOnDirectly(r, role) || sameName(() => [get(r.props, "role"), get(role.props, "name")]),
      );
    for (const attachment of args.resources.filter((r) => r.type === ATTACHMENT && attached(r))) {
      for (const policy of policies.filter((p) => dependsOnDirectly(attachment, p))) {
        let writes: string[];
        try {
          writes = writesOf(parse(get(policy.props, "policy")));
        } catch (e) {
          if (e instanceof UnknownValueError) continue;
          throw e;
        }
        if (writes.length === 0) continue;
        const what = `policy "${policy.name}" (${writes.map((w) => show(w)).join(", ")})`;
        if (rehearsal) {
          report(`${what} lets Velero write the production backups in a rehearsal.`, attachment.urn);
          continue;
        }
        if (restores.length === 0) {
          report(
            `${what} is attached to Velero's role but there is no restore step to wait for.`,
            attachment.urn,
          );
        }
        for (const r of restores.filter((x) => !dependsOnTransitively(attachment, x.resource))) {
          report(
            `${what} is attached to Velero's role before restore step "${r.id}" is done: Velero could write the backups it restores from.`,
            attachment.urn,
          );
        }
      }
    }
  },
};

export const destinationAwsPolicies = [destinationAwsVeleroReadOnly];
