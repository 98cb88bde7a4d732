import { createHash } from "crypto";
import { z } from "zod";
import { int, named } from "../../model/values";
import * as names from "../../model/names";
import { checkName, IAM_NAME } from "../../model/names";
import type { SourceCommon } from "../../config/validate";
import type { TargetIssue } from "../../targets/target";
import { DEFAULT_VERSIONS } from "../../velero/versions";
import type { ResolveContext, StorageBackend } from "../backend";
import { AWS_PLUGIN_IMAGE, awsDestinationSupport, partitionOfRegion } from "./destination-config";

/**
 * Amazon S3 (`velero-dr:cloud: aws`): the backups in an S3 bucket, EBS snapshots, Velero as an
 * IAM role (IRSA) or user. The config part (this file and destination-config.ts) is plain zod;
 * the Pulumi code is in source.ts and destination.ts, loaded on use.
 */

/** `velero-dr:aws`. */
export const awsSection = z.strictObject({
  /** Region of the bucket, the EBS snapshots and the cluster. */
  region: named(names.AWS_REGION),
  /** Account that owns the bucket and Velero's IAM role or user. */
  accountId: named(names.AWS_ACCOUNT_ID),
  /**
   * How Velero authenticates: `irsa` (an IAM role the service account assumes through the
   * cluster's OIDC provider; no long-lived secret) or `user` (an IAM user and a rotated access key).
   */
  identity: z.enum(["irsa", "user"]).default("irsa"),
  /** The cluster's IAM OIDC provider (required with identity irsa). */
  oidcProviderArn: named(names.EKS_OIDC_PROVIDER_ARN).optional(),
  /** Bucket name (globally unique); default velero-dr-<stack>-<hash of account and stack>. */
  bucketName: named(names.S3_BUCKET).optional(),
  /** SSE-KMS with this key instead of SSE-S3 (AES256); the key must be in aws.region. */
  kmsKeyArn: named(names.KMS_KEY_ARN).optional(),
  /**
   * S3 Object Lock (WORM) default retention. It can only be turned on when the bucket is
   * created, so adding it later means a new bucket.
   */
  objectLock: z
    .strictObject({
      mode: z.enum(["GOVERNANCE", "COMPLIANCE"]),
      days: int(1, 36500, "days"),
    })
    .optional(),
});

export type AwsSection = z.output<typeof awsSection>;

/** `velero-dr:storage.replica` on an AWS source: a bucket in the recovery region filled by S3 replication. */
export function awsReplicaSchema() {
  return z.strictObject({
    /** The recovery region (not aws.region). */
    region: named(names.AWS_REGION),
    /** The replica bucket (globally unique); default derived from account and stack. */
    bucketName: named(names.S3_BUCKET).optional(),
  });
}

/** The resolved replica of an AWS source (every name set). */
export interface AwsReplicaConfig {
  region: string;
  bucketName: string;
}

/** The AWS source's `storage.*` keys of its own (the S3 settings live under velero-dr:aws). */
export const awsStorageKeys = {
  /**
   * A second bucket in the recovery region, hardened like the primary, filled by S3 cross-region
   * replication: the backups a destination reads when the primary's region is gone.
   */
  replica: awsReplicaSchema().optional(),
};

/** The AWS section, resolved. */
export interface AwsConfig {
  region: string;
  accountId: string;
  /** arn partition: aws, aws-cn or aws-us-gov. */
  partition: string;
  identity: "irsa" | "user";
  oidcProviderArn?: string;
  /** Issuer host and path (`oidc.eks.<region>.amazonaws.com/id/<id>`), the prefix of the trust conditions. */
  oidcIssuer?: string;
  bucketName: string;
  kmsKeyArn?: string;
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
  /** IAM role or user name. */
  identityName: string;
}

/** The validated, fully-defaulted configuration of an AWS source stack: plain data. */
export interface AwsSourceConfig extends SourceCommon {
  cloud: "aws";
  aws: AwsConfig;
  /** The cloud-neutral storage keys (prefix, protect, versionRetentionDays) and the replica. */
  storage: SourceCommon["storage"] & { replica?: AwsReplicaConfig };
}

/** Default bucket name: S3 names are global, so it carries a hash of account and stack. */
export function defaultBucketName(accountId: string, stack: string): string {
  const digest = createHash("sha256").update(`${accountId}/${stack}`).digest("hex").slice(0, 10);
  const base = `velero-dr-${stack.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`.slice(0, 63 - 11);
  return `${base.replace(/-+$/, "")}-${digest}`;
}

/**
 * The replica's bucket name (default: one of its own, derived like the primary's), and what cannot
 * work: the primary's region (the replica would die with it), another partition (S3 replicates
 * within one), the primary's bucket.
 */
function resolveAwsReplica(
  r: { region: string; bucketName?: string },
  primary: { region: string; accountId: string; bucketName: string },
  ctx: ResolveContext,
): AwsReplicaConfig {
  const key = "velero-dr:storage.replica";
  if (r.region === primary.region) {
    ctx.problems.push(
      `${key}.region: got ${JSON.stringify(r.region)}, the primary's own region (velero-dr:aws.region); a replica there is lost with the region it should survive: set the recovery region, e.g. ${AWS_RECOVERY_HINTS[primary.region] ?? "another region of the same partition"}`,
    );
  } else if (partitionOfRegion(r.region) !== partitionOfRegion(primary.region)) {
    ctx.problems.push(
      `${key}.region: got ${JSON.stringify(r.region)} (partition ${partitionOfRegion(r.region)}), but the primary's region ${primary.region} is in partition ${partitionOfRegion(primary.region)}; S3 replicates within one partition: set a region of ${partitionOfRegion(primary.region)}`,
    );
  }
  const bucketName = r.bucketName ?? defaultBucketName(primary.accountId, `${ctx.stack}-replica`);
  if (bucketName === primary.bucketName) {
    ctx.problems.push(
      `${key}.bucketName: got ${JSON.stringify(bucketName)}, the primary's bucket (velero-dr:aws.bucketName); the replica is a second bucket: set another name or leave the key out for a derived one`,
    );
  }
  return { region: r.region, bucketName };
}

/** A nearby recovery region, for messages only. */
const AWS_RECOVERY_HINTS: Record<string, string> = {
  "eu-west-1": "eu-central-1",
  "eu-central-1": "eu-west-1",
  "eu-west-2": "eu-west-1",
  "us-east-1": "us-west-2",
  "us-east-2": "us-west-2",
  "us-west-2": "us-east-1",
  "ap-southeast-1": "ap-southeast-2",
  "ap-northeast-1": "ap-northeast-3",
};

function checkAws(aws: AwsSection | undefined): TargetIssue[] {
  if (!aws) return [];
  const issues: TargetIssue[] = [];
  const issue = (path: (string | number)[], message: string) => issues.push({ path, message });
  if (aws.identity === "irsa" && aws.oidcProviderArn === undefined) {
    issue(
      ["aws", "oidcProviderArn"],
      "is required with aws.identity irsa: the cluster's IAM OIDC provider ARN (`aws iam list-open-id-connect-providers`); or set aws.identity: user",
    );
  }
  if (aws.identity === "user" && aws.oidcProviderArn !== undefined) {
    issue(
      ["aws", "oidcProviderArn"],
      "applies to aws.identity irsa only; remove it or set aws.identity: irsa",
    );
  }
  const oidcAccount = aws.oidcProviderArn?.split(":")[4];
  if (oidcAccount !== undefined && oidcAccount !== aws.accountId) {
    issue(
      ["aws", "oidcProviderArn"],
      `got an OIDC provider of account ${oidcAccount}, but aws.accountId is ${aws.accountId}; the role's trust must name a provider of the same account`,
    );
  }
  const keyRegion = aws.kmsKeyArn?.split(":")[3];
  if (keyRegion !== undefined && keyRegion !== aws.region) {
    issue(
      ["aws", "kmsKeyArn"],
      `got a key in ${keyRegion}; S3 default encryption needs a key in the bucket's region ${aws.region}`,
    );
  }
  return issues;
}

export const aws: StorageBackend<AwsSourceConfig> = {
  name: "aws",
  label: "AWS",
  section: awsSection,
  sectionKeys: "region, accountId, ...",
  storageKeys: awsStorageKeys,
  storageHint: "(S3 settings live under velero-dr:aws: bucketName, kmsKeyArn, objectLock)",
  pluginImage: AWS_PLUGIN_IMAGE,
  defaultPluginVersion: DEFAULT_VERSIONS.awsPlugin,
  volumeSnapshots: true,
  fileSystemBackup: true,
  targets: { source: ["eks", "kubeconfig"], destination: ["createEks", "eks", "kubeconfig"] },
  clusterHint: "on AWS set cluster.eksName, cluster.createEks (destinations) or a kubeconfig secret",
  // IRSA trusts the cluster's OIDC provider: a kubeconfig does not say which it is.
  checkTarget: (role, target, c) =>
    role === "destination" &&
    target === "kubeconfig" &&
    (c as unknown as { aws?: { oidcProviderArn?: string } }).aws?.oidcProviderArn === undefined
      ? [
          {
            path: ["aws", "oidcProviderArn"],
            message:
              "is required with a kubeconfig on AWS: the destination cluster's IAM OIDC provider, which Velero's IRSA role trusts (`aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer`, registered with `eksctl utils associate-iam-oidc-provider`)",
          },
        ]
      : [],
  refusedKeys: {
    destination: {
      "identity.rotationDays": {
        why: "Velero's destination role is assumed through IRSA: there is no long-lived secret to rotate",
      },
    },
  },
  checkSource: (c) => checkAws((c as unknown as { aws?: AwsSection }).aws),
  resolveSource: (raw, common, ctx) => {
    const aws = (raw as unknown as { aws: AwsSection }).aws;
    const lock = aws.objectLock;
    if (lock !== undefined && lock.days * 86400 < ctx.longestTtlSeconds) {
      ctx.problems.push(
        `velero-dr:aws.objectLock.days: got ${lock.days}; backups live up to ${Math.ceil(ctx.longestTtlSeconds / 86400)} days (longest schedule TTL), so the Object Lock retention must be at least that many days or the oldest backups lose their protection`,
      );
    }
    const identityName = raw.identity.displayName ?? `velero-dr-${ctx.stack}`.slice(0, 64);
    if (!checkName(IAM_NAME, identityName)) {
      ctx.problems.push(
        `velero-dr:identity.displayName: got ${JSON.stringify(identityName)}; expected ${IAM_NAME.expected} (it names Velero's IAM role or user)`,
      );
    }
    const bucketName = aws.bucketName ?? defaultBucketName(aws.accountId, ctx.stack);
    // `storage.replica` is a key Azure reads too: checked by this schema already, read with it here.
    const rawReplica = (raw.storage as { replica?: unknown }).replica;
    const replica =
      rawReplica === undefined
        ? undefined
        : resolveAwsReplica(
            awsReplicaSchema().parse(rawReplica),
            { region: aws.region, accountId: aws.accountId, bucketName },
            ctx,
          );
    return {
      ...common,
      cloud: "aws",
      storage: { ...common.storage, ...(replica ? { replica } : {}) },
      aws: {
        region: aws.region,
        accountId: aws.accountId,
        partition: partitionOfRegion(aws.region),
        identity: aws.identity,
        oidcProviderArn: aws.oidcProviderArn,
        oidcIssuer: aws.oidcProviderArn?.split(":oidc-provider/")[1],
        bucketName,
        kmsKeyArn: aws.kmsKeyArn,
        objectLock: lock,
        identityName,
      },
    };
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  source: () => (require("./source") as typeof import("./source")).awsSource,
  destination: awsDestinationSupport,
};
