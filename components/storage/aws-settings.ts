import { buildTlsOnlyBucketPolicy } from "../identity/aws-iam";

/**
 * Settings of the S3 backup bucket and its companion resources, as plain data (the component
 * passes them to @pulumi/aws 7.x unchanged; tests and the policy pack read the same values).
 */

export interface AwsStorageSettings {
  bucketName: string;
  partition: string;
  kmsKeyArn?: string;
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
  /** Noncurrent versions (overwritten or deleted backup objects) are removed after this many days. */
  versionRetentionDays: number;
  tags: Record<string, string>;
}

/** The settings that do not depend on the encryption key. */
export type AwsBucketSettings = Omit<AwsStorageSettings, "kmsKeyArn">;

export function buildBucketArgs(s: AwsBucketSettings) {
  return {
    bucket: s.bucketName,
    // Object Lock can only be switched on when the bucket is created.
    objectLockEnabled: s.objectLock !== undefined,
    // Never empty the bucket to delete it: backups must outlive the stack.
    forceDestroy: false,
    tags: s.tags,
  };
}

export const PUBLIC_ACCESS_BLOCK = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
} as const;

/** ACLs off: every object belongs to the bucket owner, whoever uploads it. */
export const OWNERSHIP_RULE = { objectOwnership: "BucketOwnerEnforced" } as const;

export const VERSIONING = { versioningConfiguration: { status: "Enabled" } } as const;

/** `K`: the key's ARN as known (a string), or as the stack creates it (a replica's key, an output). */
export function buildEncryptionRules<K = string>(s: { kmsKeyArn?: K }) {
  return [
    s.kmsKeyArn
      ? {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: s.kmsKeyArn },
          // One data key per bucket instead of per object: far fewer KMS calls (and cost).
          bucketKeyEnabled: true,
        }
      : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
  ];
}

export function buildObjectLockRule(s: AwsBucketSettings) {
  return s.objectLock
    ? { defaultRetention: { mode: s.objectLock.mode, days: s.objectLock.days } }
    : undefined;
}

/** With versioning on, every overwritten or deleted backup object is kept until this rule removes it. */
export function buildLifecycleRules(s: AwsBucketSettings) {
  return [
    {
      id: "expire-noncurrent-backup-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: s.versionRetentionDays },
    },
    {
      // Leftovers of interrupted uploads are invisible to Velero but billed.
      id: "abort-incomplete-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

export function buildBucketPolicy(s: AwsBucketSettings): string {
  return JSON.stringify(buildTlsOnlyBucketPolicy(s.partition, s.bucketName));
}
