import { z } from "zod";
import { named } from "../../model/values";
import * as names from "../../model/names";
import { checkName, IAM_NAME } from "../../model/names";
import type { RawDestinationConfig, SourceOutputs } from "../../config/destination-schema";
import {
  AWS_BUCKET_ACTIONS,
  AWS_EBS_RESTORE_ACTIONS,
  AWS_READ_KMS_ACTIONS,
  AWS_READ_OBJECT_ACTIONS,
  AWS_SNAPSHOT_WRITE_ACTIONS,
  AWS_WRITE_OBJECT_ACTIONS,
  bucketArn,
} from "../../identity/aws-iam";
import type { DestinationLocations, DestinationSupport } from "../backend";
import {
  AWS_PLUGIN_IMAGE,
  type AwsSourceOutputs as ReadSourceOutputs,
  awsDestinationLocations as readLocations,
  awsReadBucket as readBucket,
  awsReplicaOf,
  awsSourceOutputKeys,
} from "./read";
import type { PreflightContext, PreflightFinding } from "../../model/preflight";
import type { TargetIssue } from "../../targets/target";
import { endpointProblem } from "../kit/endpoint";

/**
 * The destination side of the `aws` backend, as plain data and zod: its settings, what it reads of
 * an AWS source's outputs, the bucket it reads (`awsReadBucket`, the one place that resolves it),
 * the BSL/VSL values and the runbook's description of Velero's role. Its Pulumi code is
 * destination.ts, loaded on use.
 */

export { AWS_PLUGIN_IMAGE };

/** `velero-dr:aws` of a destination. */
export const awsDestinationSection = z.strictObject({
  /** The destination's region: a new EKS cluster's, and what the cross-region guard compares. */
  region: named(names.AWS_REGION),
  /** The account the stack creates in (the provider refuses any other). */
  accountId: named(names.AWS_ACCOUNT_ID),
  /**
   * The destination cluster's IAM OIDC provider, which Velero's IRSA role trusts: required with a
   * kubeconfig target; a new or existing EKS cluster's is known to the stack.
   */
  oidcProviderArn: named(names.EKS_OIDC_PROVIDER_ARN).optional(),
  /**
   * The S3 endpoint Velero reaches the bucket through instead of the region's public one (BSL
   * `s3Url`): an S3 interface VPC endpoint, a FIPS endpoint (US and Canada regions), or an S3-compatible store
   * that serves the source's bucket. Checked up front (checkAwsEndpoint).
   */
  s3Url: z.string().optional(),
  /** Path-style addressing on that endpoint (BSL `s3ForcePathStyle`); only with `s3Url`. */
  s3ForcePathStyle: z.boolean().optional(),
});

export type AwsDestinationSection = z.output<typeof awsDestinationSection>;

export { awsSourceOutputKeys };

export type AwsSourceOutputs = ReadSourceOutputs & SourceOutputs;

/** A destination's AWS settings (validation requires them with cloud aws). */
export function awsOf(cfg: object): AwsDestinationSection {
  const a = (cfg as { aws?: AwsDestinationSection }).aws;
  if (!a) throw new Error("velero-dr: an AWS destination without its velero-dr:aws settings");
  return a;
}

/**
 * `aws.s3Url` and `aws.s3ForcePathStyle`: an http(s) URL without credentials, query or trailing
 * '/' (plugin v1.6.2 joins the bucket and key to it), https on a production stack (the backups
 * must not travel unencrypted), and path style only where an endpoint is given.
 */
export function checkAwsEndpoint(aws: AwsDestinationSection | undefined, production: boolean): TargetIssue[] {
  if (!aws) return [];
  const issues: TargetIssue[] = [];
  const v = aws.s3Url;
  if (aws.s3ForcePathStyle !== undefined && v === undefined) {
    issues.push({
      path: ["aws", "s3ForcePathStyle"],
      message: `got ${String(aws.s3ForcePathStyle)} without aws.s3Url: S3's own endpoints address buckets virtual-hosted style; remove it, or set aws.s3Url to the endpoint that needs path-style requests`,
    });
  }
  if (v === undefined) return issues;
  const at = (message: string) => issues.push({ path: ["aws", "s3Url"], message });
  const problem = endpointProblem(v, {
    what: "the S3 endpoint",
    example: "https://s3-fips.us-east-1.amazonaws.com",
    credentialsAdvice:
      "remove them: Velero reaches the bucket with its IAM role's credentials, never a key in the URL",
  });
  if (problem !== undefined) at(problem);
  else if (production && new URL(v).protocol === "http:") {
    at(
      `got ${JSON.stringify(v)}; a production stack's backups must not travel unencrypted: use the endpoint's https:// URL (or production: false for a lab)`,
    );
  }
  return issues;
}

/** arn partition of a region: aws, aws-cn or aws-us-gov. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The bucket a destination reads the backups from, and what it needs to read it. */
export interface AwsReadBucket {
  location: "primary" | "replica";
  bucket: string;
  /** The bucket's region (the BSL's `region`). */
  region: string;
  kmsKeyArn?: string;
  prefix: string;
}

/**
 * Where an AWS destination reads (`backup.location`): the replica by default when the source has
 * one (read.ts decides, for the BSL as for everything else), else the source's bucket. Everything
 * that needs the bucket (the BSL, Velero's read grant, the promoted write grant, the runbook) asks
 * here, so the bucket read is resolved in one place.
 */
export function awsReadBucket(outputs: unknown, choice: "primary" | "replica" | undefined): AwsReadBucket {
  const s = outputs as AwsSourceOutputs;
  const r = readBucket(outputs, choice);
  return {
    location: r.location,
    bucket: r.bucketName,
    region: r.region,
    kmsKeyArn: r.kmsKeyArn || undefined,
    prefix: s.storage.prefix,
  };
}

/** The destination's `backup.location` (undefined: the default). */
export function backupLocationOf(cfg: object | undefined): "primary" | "replica" | undefined {
  return (cfg as { backup?: { location?: "primary" | "replica" } } | undefined)?.backup?.location;
}

/** The service account annotation naming the IAM role a pod assumes (EKS IRSA). */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/** Velero's IAM role's ARN on a destination (what AwsVeleroRestoreIdentity creates: path /velero-dr/). */
export function destinationRoleArn(cfg: object): string {
  const aws = awsOf(cfg);
  const c = cfg as { stack: string; identity: { displayName?: string } };
  return `arn:${partitionOfRegion(aws.region)}:iam::${aws.accountId}:role/velero-dr/${destinationRoleName(c)}`;
}

/** Velero's IAM role name on a destination: `identity.displayName`, else velero-dr-<stack>. */
export function destinationRoleName(cfg: { stack: string; identity: { displayName?: string } }): string {
  return cfg.identity.displayName ?? `velero-dr-${cfg.stack}`.slice(0, 64);
}

/** The BSL/VSL of an AWS destination (read.ts), and the IRSA annotation naming Velero's role. */
export function awsDestinationLocations(outputs: unknown, cfg?: object): DestinationLocations {
  return {
    ...readLocations(outputs, cfg),
    ...(cfg ? { serviceAccountAnnotations: { [IRSA_ANNOTATION]: destinationRoleArn(cfg) } } : {}),
  };
}

const list = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(", ");

/** Velero's IRSA role on the destination, as the runbook shows it (what AwsVeleroRestoreIdentity creates). */
const describeAwsAccess: DestinationSupport["describeAccess"] = ({ cfg, source }) => {
  const s = source as unknown as AwsSourceOutputs;
  const aws = awsOf(cfg);
  const partition = partitionOfRegion(aws.region);
  const read = awsReadBucket(s, backupLocationOf(cfg));
  const arn = bucketArn(partition, read.bucket);
  const role = destinationRoleName(cfg);
  const promoted = cfg.restore.promoteToPrimary && cfg.mode !== "rehearsal";
  const rows: [string, string][] = [
    [
      "IAM role",
      `\`${role}\` (path \`/velero-dr/\`) in account \`${aws.accountId}\`, assumed only by \`system:serviceaccount:${cfg.velero.namespace}:velero-server\` through the cluster's OIDC provider${aws.oidcProviderArn ? ` \`${aws.oidcProviderArn}\`` : ""}`,
    ],
    [
      "Read (while restoring)",
      `${list(AWS_READ_OBJECT_ACTIONS)} on \`${arn}/*\`, ${list(AWS_BUCKET_ACTIONS)} on \`${arn}\`${read.kmsKeyArn ? `, ${list(AWS_READ_KMS_ACTIONS)} on \`${read.kmsKeyArn}\`${read.kmsKeyArn.startsWith("<") ? " (where the source encrypts with SSE-KMS)" : ""}` : ""}: nothing that writes`,
    ],
    [
      "Volumes from EBS snapshots",
      `${list(AWS_EBS_RESTORE_ACTIONS)}, only in \`${s.aws.region}\` (the snapshots' region; \`aws:RequestedRegion\`)`,
    ],
    [
      "Writes",
      promoted
        ? `only once every restore step succeeded (promotion): ${list(AWS_WRITE_OBJECT_ACTIONS)} on \`${arn}/*\`, ${list(AWS_SNAPSHOT_WRITE_ACTIONS)} in \`${aws.region}\``
        : "none: this destination is not promoted",
    ],
    [
      "Credentials file",
      "none: the service account's annotation `eks.amazonaws.com/role-arn` names the role",
    ],
  ];
  // Granted unless the source's outputs show no restic (from a stack reference they are not known yet).
  const uploader = String(s.velero.uploaderType ?? "");
  if (uploader === "restic" || uploader.startsWith("<")) {
    rows.push([
      "restic repository locks",
      `\`s3:PutObject\`, \`s3:DeleteObject\` on \`${arn}/${read.prefix ? `${read.prefix}/` : ""}restic/*/locks/*\` only: restic locks its repository to read it`,
    ]);
  }
  return {
    summary:
      "Velero's own IAM role on the destination (not the source's), assumed through IRSA: no secret. While the restore runs it can only read the bucket; write access is added after the restore, to the bucket it then writes:",
    rows,
  };
};

/**
 * Before anything is created: the AWS CLI is on PATH (an EKS kubeconfig runs `aws eks get-token`,
 * so every step needs it) and its identity is in `aws.accountId` (the stack's provider, which uses
 * the same credentials, refuses any other account only once it runs).
 */
export function awsDestinationFindings(accountId: string, ctx: PreflightContext): PreflightFinding[] {
  if (!ctx.has("aws")) {
    return [
      {
        level: "error",
        message:
          "the AWS CLI (aws) is not on PATH: the EKS cluster's kubeconfig authenticates with `aws eks get-token`, so the restore steps and the Kubernetes provider need it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)",
      },
    ];
  }
  const r = ctx.run("aws", ["sts", "get-caller-identity", "--output", "json"]);
  let account: string | undefined;
  try {
    account = (JSON.parse(r.stdout) as { Account?: string }).Account;
  } catch {
    account = undefined;
  }
  if (r.status !== 0 || account === undefined) {
    const detail = r.stderr.trim().split("\n").pop() || r.error || `exit status ${String(r.status)}`;
    return [
      {
        level: "error",
        message: `the AWS CLI has no usable credentials (aws sts get-caller-identity: ${detail}): log in (aws sso login, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) as an identity of account ${accountId} that may create the EKS cluster and IAM roles`,
      },
    ];
  }
  return account === accountId
    ? []
    : [
        {
          level: "error",
          message: `the AWS CLI's credentials are of account ${account}, but velero-dr:aws.accountId is ${accountId}: log in to ${accountId} (AWS_PROFILE) or correct aws.accountId`,
        },
      ];
}

/** The `aws` backend's destination side (its `DestinationSupport`). */
export const awsDestinationSupport: DestinationSupport = {
  sourceOutputKeys: awsSourceOutputKeys,
  replica: awsReplicaOf,
  section: awsDestinationSection,
  sectionRequired: true,
  check: (c: RawDestinationConfig) => {
    const name = c.identity.displayName;
    return [
      ...(name !== undefined && !checkName(IAM_NAME, name)
        ? [
            {
              path: ["identity", "displayName"],
              message: `got ${JSON.stringify(name)}; expected ${IAM_NAME.expected} (it names Velero's IAM role)`,
            },
          ]
        : []),
      ...checkAwsEndpoint((c as unknown as { aws?: AwsDestinationSection }).aws, c.production),
    ];
  },
  preflight: (cfg, ctx) => awsDestinationFindings(awsOf(cfg).accountId, ctx),
  // An EBS snapshot restores only in its region: the source's (its cluster, bucket and snapshots
  // are in aws.region), the destination's where its cluster is.
  regions: {
    key: "aws.region",
    source: (o) => (o as AwsSourceOutputs).aws.region,
    destination: (c) => awsOf(c).region,
    sourceOutputPath: "aws.region",
  },
  // The AWS provider is a resource: the backend's Pulumi code creates it (destination.ts, context).
  targetContext: () => ({}),
  describeContext: (cfg) => ({ aws: { region: awsOf(cfg).region, accountId: awsOf(cfg).accountId } }),
  // The role can only read the bucket until promotion: Velero's upload of the restore log is refused.
  readOnlyRestore: true,
  locations: awsDestinationLocations,
  describeAccess: describeAwsAccess,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  load: () => (require("./destination") as typeof import("./destination")).awsDestination,
};
