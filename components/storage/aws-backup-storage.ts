import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import {
  AwsStorageSettings,
  buildBucketArgs,
  buildBucketPolicy,
  buildEncryptionRules,
  buildLifecycleRules,
  buildObjectLockRule,
  OWNERSHIP_RULE,
  PUBLIC_ACCESS_BLOCK,
  VERSIONING,
} from "./aws-settings";

export interface AwsBackupStorageArgs extends Omit<AwsStorageSettings, "kmsKeyArn"> {
  /** SSE-KMS with this key (the bucket's region's); none: SSE-S3. A replica's key is created with it. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Refuse `pulumi destroy` until the bucket is explicitly unprotected. */
  protect: boolean;
}

/**
 * Hardened S3 storage for Velero backups: versioning, default encryption (SSE-S3 or SSE-KMS),
 * public access blocked, bucket-owner-enforced ownership, optional Object Lock, lifecycle expiry
 * of noncurrent versions, and a bucket policy refusing plain HTTP.
 *
 * Every resource is `retainOnDelete`: deleting a companion would undo its protection (deleting a
 * BucketVersioning suspends versioning, deleting the public access block opens the bucket), so
 * destroying the stack leaves the bucket exactly as hardened as it was.
 */
export class AwsBackupStorage extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** The bucket's versioning: what S3 replication waits for, on both sides. */
  public readonly versioning: pulumi.Resource;
  /** The default encryption (a replica's key must be in place before replication writes). */
  public readonly encryption: pulumi.Resource;

  constructor(name: string, args: AwsBackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:storage:AwsBackupStorage", name, {}, opts);
    const keep = { parent: this, retainOnDelete: true };
    const bucket = new s3.Bucket(`${name}-bucket`, buildBucketArgs(args), { ...keep, protect: args.protect });
    const on = { bucket: bucket.id };

    new s3.BucketOwnershipControls(`${name}-ownership`, { ...on, rule: OWNERSHIP_RULE }, keep);
    const publicAccess = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { ...on, ...PUBLIC_ACCESS_BLOCK },
      keep,
    );
    const versioning = new s3.BucketVersioning(`${name}-versioning`, { ...on, ...VERSIONING }, keep);
    const encryption = new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { ...on, rules: buildEncryptionRules(args) },
      keep,
    );
    const lockRule = buildObjectLockRule(args);
    if (lockRule) {
      // A default retention needs versioning in place first.
      new s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        { ...on, rule: lockRule },
        { ...keep, protect: args.protect, dependsOn: [versioning] },
      );
    }
    new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { ...on, rules: buildLifecycleRules(args) },
      { ...keep, dependsOn: [versioning] },
    );
    // After the public access block: the policy is not public, but S3 checks it against the block.
    new s3.BucketPolicy(
      `${name}-tls-only`,
      { ...on, policy: buildBucketPolicy(args) },
      { ...keep, dependsOn: [publicAccess] },
    );

    this.versioning = versioning;
    this.encryption = encryption;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
