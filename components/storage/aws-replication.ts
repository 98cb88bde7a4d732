import { bucketArn, PolicyDocument, PolicyStatement } from "../identity/aws-iam";

/**
 * S3 cross-region replication of the backup bucket into its replica, as plain data (the component
 * passes it to @pulumi/aws 7.x unchanged; tests and the README read the same values).
 *
 * The role's actions are the ones Amazon S3's user guide lists for live replication of objects
 * encrypted with KMS keys ("Replicating encrypted objects", "Setting up permissions for live
 * replication"): read the replication configuration and list the source bucket, read the source's
 * object versions for replication (with their ACL and tags, and their retention and legal hold
 * when Object Lock is on), replicate objects, deletes and tags into the replica, decrypt with the
 * source's key and encrypt with the replica's, each KMS grant only through S3 in that key's region
 * and only for that bucket.
 */

/** The rule's id: the `RuleId` dimension of its CloudWatch metrics. */
export const REPLICATION_RULE_ID = "velero-dr-backups-to-replica";

/** S3 Replication Time Control's threshold (the only one S3 offers): 15 minutes. */
export const RTC_MINUTES = 15;

export const REPLICATION_SOURCE_BUCKET_ACTIONS = ["s3:GetReplicationConfiguration", "s3:ListBucket"] as const;
export const REPLICATION_SOURCE_OBJECT_ACTIONS = [
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectVersionAcl",
  "s3:GetObjectVersionTagging",
] as const;
/** With Object Lock on the source, S3 reads each version's retention and legal hold to copy them. */
export const REPLICATION_OBJECT_LOCK_ACTIONS = ["s3:GetObjectRetention", "s3:GetObjectLegalHold"] as const;
export const REPLICATION_REPLICA_ACTIONS = [
  "s3:ReplicateObject",
  "s3:ReplicateDelete",
  "s3:ReplicateTags",
] as const;

export interface ReplicationInput {
  partition: string;
  accountId: string;
  source: { bucket: string; region: string; kmsKeyArn?: string };
  replica: { bucket: string; region: string; kmsKeyArn: string };
  /** Velero's object prefix in the bucket (`storage.prefix`): only that is replicated. */
  prefix?: string;
  objectLock: boolean;
}

/** The object keys replicated: Velero's prefix (all of the bucket without one). */
export function replicatedKeys(prefix?: string): string {
  return prefix ? `${prefix}/` : "";
}

/** Who may assume the role: S3, for this account's source bucket only (confused-deputy guard). */
export function buildReplicationTrustPolicy(i: Pick<ReplicationInput, "partition" | "accountId" | "source">) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "S3Replication",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: {
            "aws:SourceAccount": i.accountId,
            "aws:SourceArn": bucketArn(i.partition, i.source.bucket),
          },
        },
      },
    ],
  } satisfies PolicyDocument;
}

/**
 * The replication role's permissions. Both buckets use S3 Bucket Keys with KMS (the primary with
 * `aws.kmsKeyArn`, the replica always): S3 then uses the bucket's ARN as the KMS encryption context,
 * which the conditions name. With a Bucket Key on the replica, S3's guide also asks for
 * `kms:Decrypt` on the replica's key (S3 checks the Bucket Key it generates).
 */
export function buildReplicationRolePolicy(i: ReplicationInput): PolicyDocument {
  const source = bucketArn(i.partition, i.source.bucket);
  const replica = bucketArn(i.partition, i.replica.bucket);
  const keys = replicatedKeys(i.prefix);
  const statements: PolicyStatement[] = [
    {
      Sid: "SourceBucket",
      Effect: "Allow",
      Action: [...REPLICATION_SOURCE_BUCKET_ACTIONS],
      Resource: [source],
    },
    {
      Sid: "SourceObjectVersions",
      Effect: "Allow",
      Action: [
        ...REPLICATION_SOURCE_OBJECT_ACTIONS,
        ...(i.objectLock ? REPLICATION_OBJECT_LOCK_ACTIONS : []),
      ],
      Resource: [`${source}/${keys}*`],
    },
    {
      Sid: "ReplicaObjects",
      Effect: "Allow",
      Action: [...REPLICATION_REPLICA_ACTIONS],
      Resource: [`${replica}/${keys}*`],
    },
  ];
  if (i.source.kmsKeyArn) {
    statements.push({
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [i.source.kmsKeyArn],
      Condition: {
        StringEquals: {
          "kms:ViaService": `s3.${i.source.region}.amazonaws.com`,
          "kms:EncryptionContext:aws:s3:arn": source,
        },
      },
    });
  }
  statements.push({
    Sid: "EncryptReplicas",
    Effect: "Allow",
    Action: ["kms:Encrypt", "kms:Decrypt"],
    Resource: [i.replica.kmsKeyArn],
    Condition: {
      StringEquals: {
        "kms:ViaService": `s3.${i.replica.region}.amazonaws.com`,
        "kms:EncryptionContext:aws:s3:arn": replica,
      },
    },
  });
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The one replication rule (S3's V2 schema: filter, priority, delete marker replication).
 *
 * Delete markers replicate: Velero's garbage collection deletes an expired backup's objects, which
 * in a versioned bucket writes delete markers. Replicated, the replica shows what the primary shows
 * (a destination's Velero syncs no backup the source already expired) and its lifecycle removes the
 * now noncurrent versions after `storage.versionRetentionDays`, as the primary's does; not
 * replicated, every backup ever written would stay current in the replica, listed and billed
 * forever. What a delete cannot reach either way: S3 never replicates a delete of a given version
 * (the V2 schema), so a version removed from the primary, by mistake or by an attacker, stays in
 * the replica, under Object Lock where the primary has it.
 *
 * Objects encrypted with KMS replicate only when asked (`sseKmsEncryptedObjects`), re-encrypted
 * with the replica's key. Replication Time Control (15 minutes, with its metrics) gives the
 * `ReplicationLatency` and `OperationsPendingReplication` metrics the alarms watch.
 */
export function buildReplicationRule<K>(i: { replicaBucketArn: K; replicaKmsKeyArn: K; prefix?: string }) {
  const keys = replicatedKeys(i.prefix);
  return {
    id: REPLICATION_RULE_ID,
    status: "Enabled",
    priority: 1,
    filter: keys ? { prefix: keys } : {},
    deleteMarkerReplication: { status: "Enabled" },
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    destination: {
      bucket: i.replicaBucketArn,
      storageClass: "STANDARD",
      encryptionConfiguration: { replicaKmsKeyId: i.replicaKmsKeyArn },
      replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
      metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
    },
  };
}

/** How long replication may stay behind before the lag alarm fires (5-minute periods). */
export const REPLICATION_LAG_PERIODS = 6;

/**
 * The CloudWatch alarms on the rule's replication metrics (namespace AWS/S3, reported in the
 * source bucket's region, dimensions SourceBucket, DestinationBucket, RuleId):
 * - `lag`: `ReplicationLatency` (seconds the replica is behind) above RTC's 15 minutes in every
 *   5-minute period for half an hour: a destination reading the replica would restore older backups.
 * - `failed`: any `OperationsFailedReplication` in a 5-minute period: objects that will not arrive
 *   at all (a key or permission problem), which latency alone may not show.
 * No data (no backup written, nothing to replicate) is not a problem.
 */
export function buildReplicationAlarms(i: { sourceBucket: string; replicaBucket: string }) {
  const dimensions = {
    SourceBucket: i.sourceBucket,
    DestinationBucket: i.replicaBucket,
    RuleId: REPLICATION_RULE_ID,
  };
  return {
    lag: {
      namespace: "AWS/S3",
      metricName: "ReplicationLatency",
      dimensions,
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: REPLICATION_LAG_PERIODS,
      datapointsToAlarm: REPLICATION_LAG_PERIODS,
      comparisonOperator: "GreaterThanThreshold",
      threshold: RTC_MINUTES * 60,
      treatMissingData: "notBreaching",
    },
    failed: {
      namespace: "AWS/S3",
      metricName: "OperationsFailedReplication",
      dimensions,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    },
  };
}
