import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as s3 from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { bucketArn } from "../identity/aws-iam";
import { newAwsAlertTopic } from "../monitoring/aws-backup-alarm";
import { AwsBackupStorage } from "./aws-backup-storage";
import {
  buildReplicationAlarms,
  buildReplicationRolePolicy,
  buildReplicationRule,
  buildReplicationTrustPolicy,
  REPLICATION_LAG_PERIODS,
} from "./aws-replication";

export interface AwsBackupReplicaArgs {
  /** The recovery region (not the primary's) and the replica's bucket name. */
  region: string;
  bucketName: string;
  accountId: string;
  partition: string;
  /** The primary: its bucket, region and key (none: SSE-S3), created by the same stack. */
  primary: AwsBackupStorage;
  primaryBucketName: string;
  primaryRegion: string;
  primaryKmsKeyArn?: string;
  /** The primary's settings the replica copies: Object Lock, version expiry, protect. */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
  versionRetentionDays: number;
  protect: boolean;
  /** Velero's object prefix: only it is replicated. */
  prefix?: string;
  /**
   * Where the replication alarms go: the stack's alert topic, or a new one (the "no backups" alarm
   * has none); none: no alarms.
   */
  alerts?: { topicArn: pulumi.Input<string> } | { newTopic: Parameters<typeof newAwsAlertTopic>[1] };
  /** IAM role name of the replication (default velero-dr-replication-<primary bucket>, cut to 64). */
  roleName?: string;
  tags: Record<string, string>;
}

/**
 * The backups' second home in the recovery region: a bucket built exactly like the primary
 * (AwsBackupStorage: versioning, public access block, bucket-owner-enforced ownership, TLS-only
 * policy, lifecycle, the primary's Object Lock) encrypted with a KMS key of its own in that region,
 * filled by S3 cross-region replication from the primary (the rule on the primary, a role S3 assumes
 * with exactly the permissions replication needs), and CloudWatch alarms when replication lags or
 * fails.
 *
 * Its resources in the recovery region go through a provider of that region, a child of this
 * component (same account guard as the stack's provider); the role, the rule on the primary and
 * the alarms (S3 reports replication metrics in the source's region) through the stack's.
 */
export class AwsBackupReplica extends pulumi.ComponentResource {
  public readonly storage: AwsBackupStorage;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  public readonly alarmNames: pulumi.Output<string>[] = [];

  constructor(name: string, args: AwsBackupReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:storage:AwsBackupReplica", name, {}, opts);
    const recovery = new AwsProvider(
      `${name}-provider`,
      { region: args.region, allowedAccountIds: [args.accountId] },
      { parent: this },
    );
    const inRecovery = { parent: this, provider: recovery };

    // The replica's own key: S3 re-encrypts every replicated object with it (a key serves its
    // region only). Kept on destroy like the bucket it unlocks.
    const key = new kms.Key(
      `${name}-key`,
      {
        description: `velero-dr: backups replicated into s3://${args.bucketName} (${args.region})`,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: args.tags,
      },
      { ...inRecovery, retainOnDelete: true, protect: args.protect },
    );
    new kms.Alias(
      `${name}-key-alias`,
      { name: `alias/velero-dr-${args.bucketName}`, targetKeyId: key.keyId },
      inRecovery,
    );

    const replica = new AwsBackupStorage(
      `${name}-storage`,
      {
        bucketName: args.bucketName,
        partition: args.partition,
        kmsKeyArn: key.arn,
        objectLock: args.objectLock,
        versionRetentionDays: args.versionRetentionDays,
        protect: args.protect,
        tags: args.tags,
      },
      { parent: this, providers: [recovery] },
    );

    const policyInput = {
      partition: args.partition,
      accountId: args.accountId,
      source: {
        bucket: args.primaryBucketName,
        region: args.primaryRegion,
        kmsKeyArn: args.primaryKmsKeyArn,
      },
      prefix: args.prefix,
      objectLock: args.objectLock !== undefined,
    };
    // Replication, its role and its key outlive the stack like the buckets they keep in step: a
    // destroyed stack leaves both buckets (retained) replicating as before.
    const keep = { parent: this, retainOnDelete: true };
    const role = new iam.Role(
      `${name}-role`,
      {
        name: (args.roleName ?? `velero-dr-replication-${args.primaryBucketName}`).slice(0, 64),
        path: "/velero-dr/",
        description: `S3 replication of s3://${args.primaryBucketName} into s3://${args.bucketName} (${args.region})`,
        assumeRolePolicy: JSON.stringify(buildReplicationTrustPolicy(policyInput)),
        tags: args.tags,
      },
      keep,
    );
    const rolePolicy = new iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.name,
        name: "s3-replication",
        policy: key.arn.apply((replicaKey) =>
          JSON.stringify(
            buildReplicationRolePolicy({
              ...policyInput,
              replica: { bucket: args.bucketName, region: args.region, kmsKeyArn: replicaKey },
            }),
          ),
        ),
      },
      keep,
    );

    // On the primary: both buckets versioned, the replica's encryption and the role's permissions
    // in place first (S3 checks the destination's versioning when the rule is put).
    new s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: args.primary.bucketName,
        role: role.arn,
        rules: [
          buildReplicationRule({
            replicaBucketArn: replica.bucketArn,
            replicaKmsKeyArn: key.arn,
            prefix: args.prefix,
          }),
        ],
      },
      { ...keep, dependsOn: [args.primary.versioning, replica.versioning, replica.encryption, rolePolicy] },
    );

    if (args.alerts !== undefined) {
      const topicArn =
        "topicArn" in args.alerts
          ? args.alerts.topicArn
          : newAwsAlertTopic(`${name}-alert`, args.alerts.newTopic, { parent: this }).arn;
      const alarms = buildReplicationAlarms({
        sourceBucket: args.primaryBucketName,
        replicaBucket: args.bucketName,
      });
      const lag = new cloudwatch.MetricAlarm(
        `${name}-lag`,
        {
          ...alarms.lag,
          name: `velero-dr-replication-lag-${args.bucketName}`,
          alarmDescription:
            `Backups of s3://${args.primaryBucketName} reach the replica s3://${args.bucketName} (${args.region}) ` +
            `more than ${alarms.lag.threshold / 60} minutes late for ${(REPLICATION_LAG_PERIODS * alarms.lag.period) / 60} minutes: ` +
            "a destination reading the replica would restore older backups.",
          alarmActions: [topicArn],
          okActions: [topicArn],
          tags: args.tags,
        },
        { parent: this },
      );
      const failed = new cloudwatch.MetricAlarm(
        `${name}-failed`,
        {
          ...alarms.failed,
          name: `velero-dr-replication-failed-${args.bucketName}`,
          alarmDescription:
            `Objects of s3://${args.primaryBucketName} failed to replicate into s3://${args.bucketName} (${args.region}): ` +
            "they will not arrive; check the replication role, the replica's key and bucket.",
          alarmActions: [topicArn],
          okActions: [topicArn],
          tags: args.tags,
        },
        { parent: this },
      );
      this.alarmNames = [lag.name, failed.name];
    }

    this.storage = replica;
    this.kmsKeyArn = key.arn;
    this.roleArn = role.arn;
    this.registerOutputs({
      bucketName: replica.bucketName,
      bucketArn: pulumi.output(bucketArn(args.partition, args.bucketName)),
      kmsKeyArn: this.kmsKeyArn,
      roleArn: this.roleArn,
    });
  }
}
