import { strict as assert } from "assert";
import { ConfigError } from "../../components/config/errors";
import { parseValue, validateStackConfig } from "../../stacks/config";
import { Registered, resolve, runProgram, RunResult, stackFileConfig } from "../support/harness";

/**
 * `velero-dr:storage.replica` on an AWS source (#17 item 3): a bucket in the recovery region,
 * hardened like the primary, its own KMS key there, S3 cross-region replication from the primary
 * through a least-privilege role, and replication alarms on the stack's alert topic.
 * example-source-aws: primary dash-backups-example-01 in eu-west-1 (Object Lock GOVERNANCE 30 days),
 * replica dash-backups-example-02 in eu-central-1.
 */

const PRIMARY = "dash-backups-example-01";
const REPLICA = "dash-backups-example-02";
const ACCOUNT = "123456789012";

function awsConfig(patch: { aws?: Record<string, unknown>; storage?: Record<string, unknown> } = {}) {
  const { config, secretKeys } = stackFileConfig("example-source-aws");
  const aws = { ...JSON.parse(config["velero-dr:aws"]), ...(patch.aws ?? {}) };
  const storage = { ...JSON.parse(config["velero-dr:storage"]), ...(patch.storage ?? {}) };
  const patched: Record<string, string> = {
    ...config,
    "velero-dr:aws": JSON.stringify(aws),
    "velero-dr:storage": JSON.stringify(storage),
  };
  return {
    config: patched,
    secretKeys,
  };
}

/** The region of the provider a resource was registered with. */
function regionOf(run: RunResult, r: Registered): string {
  const name = (r.provider ?? "").split("::")[3];
  return run.recorder.one("pulumi:providers:aws", name).inputs.region;
}

describe("source stack on AWS with storage.replica (S3 cross-region replication, under mocks)", () => {
  let run: RunResult;
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);

  before(async () => {
    const { config, secretKeys } = awsConfig();
    run = await runProgram("example-source-aws", config, secretKeys);
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
  });

  it("creates the replica bucket in the recovery region through a provider of its own, same account guard", () => {
    const bucket = one("aws:s3/bucket:Bucket", "replica-storage-bucket");
    assert.equal(bucket.inputs.bucket, REPLICA);
    assert.equal(regionOf(run, bucket), "eu-central-1");
    assert.equal(regionOf(run, one("aws:s3/bucket:Bucket", "backups-bucket")), "eu-west-1");
    const p = one("pulumi:providers:aws", "replica-provider");
    assert.deepEqual(JSON.parse(p.inputs.allowedAccountIds), [ACCOUNT]);
    assert.match(p.parent ?? "", /velero-dr:storage:AwsBackupReplica::replica$/);
  });

  it("hardens the replica exactly like the primary: same companions and settings, its own bucket name", () => {
    const companions = (prefix: string) =>
      run.recorder.resources
        .filter((r) => r.type.startsWith("aws:s3/") && r.name.startsWith(prefix))
        .map((r) => [r.type, r.name.slice(prefix.length)])
        .sort();
    const primary = companions("backups-").filter(([t]) => t !== "aws:s3/bucketMetric:BucketMetric");
    assert.deepEqual(companions("replica-storage-"), primary);
    const same = (type: string, suffix: string, strip: (i: Record<string, any>) => unknown) =>
      assert.deepEqual(
        strip(one(type, `replica-storage-${suffix}`).inputs),
        strip(one(type, `backups-${suffix}`).inputs),
        type,
      );
    const withoutBucket = ({ bucket: _b, ...rest }: Record<string, any>) => rest;
    same("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access", withoutBucket);
    same("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ownership", withoutBucket);
    same("aws:s3/bucketVersioning:BucketVersioning", "versioning", withoutBucket);
    same("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "object-lock", withoutBucket);
    same("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lifecycle", withoutBucket);
    const replicaBucket = one("aws:s3/bucket:Bucket", "replica-storage-bucket");
    assert.equal(replicaBucket.inputs.objectLockEnabled, true);
    assert.equal(replicaBucket.inputs.forceDestroy, false);
    assert.ok(replicaBucket.protect);
    const policy = JSON.parse(
      one("aws:s3/bucketPolicy:BucketPolicy", "replica-storage-tls-only").inputs.policy,
    );
    assert.deepEqual(policy.Statement[0].Resource, [`arn:aws:s3:::${REPLICA}`, `arn:aws:s3:::${REPLICA}/*`]);
    assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
  });

  it("encrypts the replica with a rotated KMS key created in the recovery region", () => {
    const key = one("aws:kms/key:Key", "replica-key");
    assert.equal(regionOf(run, key), "eu-central-1");
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.ok(key.retainOnDelete && key.protect);
    const enc = one(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "replica-storage-encryption",
    );
    assert.equal(regionOf(run, enc), "eu-central-1");
    assert.deepEqual(enc.inputs.rules, [
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: `arn:aws:kms:region-of-provider:${ACCOUNT}:key/replica-key-key-id`,
        },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("replicates from the versioned primary with one V2 rule: KMS objects, delete markers, RTC and metrics", () => {
    const cfg = one("aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    assert.equal(regionOf(run, cfg), "eu-west-1");
    assert.equal(cfg.inputs.bucket, PRIMARY);
    assert.equal(cfg.inputs.role, `arn:aws:iam::${ACCOUNT}:role/velero-dr/velero-dr-replication-${PRIMARY}`);
    assert.deepEqual(cfg.inputs.rules, [
      {
        id: "velero-dr-backups-to-replica",
        status: "Enabled",
        priority: 1,
        filter: {},
        deleteMarkerReplication: { status: "Enabled" },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
        destination: {
          bucket: `arn:aws:s3:::${REPLICA}`,
          storageClass: "STANDARD",
          encryptionConfiguration: {
            replicaKmsKeyId: `arn:aws:kms:region-of-provider:${ACCOUNT}:key/replica-key-key-id`,
          },
          replicationTime: { status: "Enabled", time: { minutes: 15 } },
          metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
        },
      },
    ]);
    // Versioning on both sides (CRR requires it), the replica's key and the role's grant first.
    assert.deepEqual(
      one("aws:s3/bucketVersioning:BucketVersioning", "backups-versioning").inputs.versioningConfiguration,
      { status: "Enabled" },
    );
    const deps = run.recorder.dependencyNames(cfg);
    for (const d of [
      "backups-versioning",
      "replica-storage-versioning",
      "replica-storage-encryption",
      "replica-role-policy",
    ]) {
      assert.ok(deps.includes(d), d);
    }
    assert.ok(cfg.retainOnDelete);
  });

  it("lets only S3 assume the replication role, for this account's primary bucket", () => {
    const role = one("aws:iam/role:Role", "replica-role");
    assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
      {
        Sid: "S3Replication",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:s3:::${PRIMARY}` },
        },
      },
    ]);
  });

  it("grants the replication role exactly the actions S3 documents, on exactly those ARNs", () => {
    const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "replica-role-policy").inputs.policy);
    const replicaKey = `arn:aws:kms:region-of-provider:${ACCOUNT}:key/replica-key-key-id`;
    assert.deepEqual(policy.Statement, [
      {
        Sid: "SourceBucket",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: [`arn:aws:s3:::${PRIMARY}`],
      },
      {
        Sid: "SourceObjectVersions",
        Effect: "Allow",
        // Object Lock on the primary: retention and legal hold are read to be copied.
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ],
        Resource: [`arn:aws:s3:::${PRIMARY}/*`],
      },
      {
        Sid: "ReplicaObjects",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: [`arn:aws:s3:::${REPLICA}/*`],
      },
      {
        Sid: "EncryptReplicas",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt"],
        Resource: [replicaKey],
        Condition: {
          StringEquals: {
            "kms:ViaService": "s3.eu-central-1.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${REPLICA}`,
          },
        },
      },
    ]);
    assert.ok(policy.Statement.every((s: { Effect: string }) => s.Effect === "Allow"));
  });

  it("alarms on replication lag and failures of this rule, in the primary's region, on the stack's topic", () => {
    const topic = one("aws:sns/topic:Topic");
    const topicArn = `arn:aws:sns:eu-west-1:${ACCOUNT}:${topic.inputs.name}`;
    const dimensions = {
      SourceBucket: PRIMARY,
      DestinationBucket: REPLICA,
      RuleId: "velero-dr-backups-to-replica",
    };
    const lag = one("aws:cloudwatch/metricAlarm:MetricAlarm", "replica-lag");
    assert.equal(regionOf(run, lag), "eu-west-1");
    assert.equal(lag.inputs.namespace, "AWS/S3");
    assert.equal(lag.inputs.metricName, "ReplicationLatency");
    assert.deepEqual(lag.inputs.dimensions, dimensions);
    assert.equal(lag.inputs.comparisonOperator, "GreaterThanThreshold");
    assert.equal(lag.inputs.threshold, 900);
    assert.equal(lag.inputs.treatMissingData, "notBreaching");
    assert.deepEqual(lag.inputs.alarmActions, [topicArn]);
    const failed = one("aws:cloudwatch/metricAlarm:MetricAlarm", "replica-failed");
    assert.equal(failed.inputs.metricName, "OperationsFailedReplication");
    assert.deepEqual(failed.inputs.dimensions, dimensions);
    assert.deepEqual(failed.inputs.alarmActions, [topicArn]);
  });

  it("exports the replica's bucket, region and key for destinations", async () => {
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    const o = value as Record<string, any>;
    assert.deepEqual(o.storage.replica, {
      bucketName: REPLICA,
      region: "eu-central-1",
      kmsKeyArn: `arn:aws:kms:region-of-provider:${ACCOUNT}:key/replica-key-key-id`,
    });
  });
});

describe("source stack on AWS with storage.replica: variants", () => {
  it("SSE-KMS primary and a prefix: the source key decrypts through S3 in eu-west-1 only, the prefix only replicates", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    const { config, secretKeys } = awsConfig({
      aws: { kmsKeyArn: key, objectLock: undefined },
      storage: { prefix: "dash", replica: { region: "eu-central-1" } },
    });
    const run = await runProgram("aws-kms-replica", config, secretKeys);
    assert.equal(run.error, undefined, run.error?.message);
    const policy = JSON.parse(run.recorder.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const decrypt = policy.Statement.find((s: { Sid: string }) => s.Sid === "DecryptSourceObjects");
    assert.deepEqual(decrypt, {
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [key],
      Condition: {
        StringEquals: {
          "kms:ViaService": "s3.eu-west-1.amazonaws.com",
          "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${PRIMARY}`,
        },
      },
    });
    const versions = policy.Statement.find((s: { Sid: string }) => s.Sid === "SourceObjectVersions");
    // No Object Lock: no retention or legal hold to read.
    assert.deepEqual(versions.Action, [
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionTagging",
    ]);
    assert.deepEqual(versions.Resource, [`arn:aws:s3:::${PRIMARY}/dash/*`]);
    const rule = run.recorder.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs.rules[0];
    assert.deepEqual(rule.filter, { prefix: "dash/" });
    // No Object Lock on the primary: none on the replica either. The derived replica name is its own.
    const bucket = run.recorder.one("aws:s3/bucket:Bucket", "replica-storage-bucket").inputs;
    assert.equal(bucket.objectLockEnabled, false);
    assert.notEqual(bucket.bucket, PRIMARY);
    assert.match(bucket.bucket, /^velero-dr-aws-kms-replica-replica-[0-9a-f]{10}$/);
  });

  it("every schedule paused (no 'no backups' alarm): the replication alarms get a topic of their own", async () => {
    const { config, secretKeys } = awsConfig();
    const schedules = JSON.parse(config["velero-dr:schedules"]).map((s: object) => ({ ...s, paused: true }));
    const run = await runProgram(
      "aws-paused-replica",
      { ...config, "velero-dr:schedules": JSON.stringify(schedules) },
      secretKeys,
    );
    assert.equal(run.error, undefined, run.error?.message);
    const topic = run.recorder.one("aws:sns/topic:Topic", "replica-alert-topic");
    assert.match(topic.parent ?? "", /AwsBackupReplica::replica$/);
    const lag = run.recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "replica-lag");
    assert.deepEqual(lag.inputs.alarmActions, [`arn:aws:sns:eu-west-1:${ACCOUNT}:${topic.inputs.name}`]);
    assert.equal(run.recorder.one("aws:sns/topicSubscription:TopicSubscription").inputs.protocol, "email");
  });

  it("alerting.cloudAlert false: no replication alarm", async () => {
    const { config, secretKeys } = awsConfig();
    const alerting = { ...JSON.parse(config["velero-dr:alerting"]), cloudAlert: false };
    const run = await runProgram(
      "aws-no-alarm-replica",
      { ...config, "velero-dr:alerting": JSON.stringify(alerting) },
      secretKeys,
    );
    assert.equal(run.error, undefined, run.error?.message);
    assert.equal(run.recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").length, 0);
    assert.equal(run.recorder.byType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").length, 1);
  });
});

describe("storage.replica on AWS: refusals before anything is registered", () => {
  const problemsOf = (patch: Parameters<typeof awsConfig>[0]) => {
    const { config, secretKeys } = awsConfig(patch);
    const values = Object.fromEntries(
      Object.entries(config)
        .filter(([k]) => k.startsWith("velero-dr:"))
        .map(([k, v]) => [k.replace(/^velero-dr:/, ""), parseValue(v)]),
    );
    try {
      validateStackConfig({
        values,
        secretKeys: secretKeys.map((k) => k.replace(/^velero-dr:/, "")),
        stack: "example-source-aws",
      });
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it("refuses the primary's own region", () => {
    const problems = problemsOf({ storage: { replica: { region: "eu-west-1" } } });
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^velero-dr:storage\.replica\.region: got "eu-west-1", the primary's own region \(velero-dr:aws\.region\); .*set the recovery region, e\.g\. eu-central-1$/,
    );
  });

  it("refuses a region of another partition", () => {
    const problems = problemsOf({ storage: { replica: { region: "cn-north-1" } } });
    assert.match(
      problems.join("\n"),
      /velero-dr:storage\.replica\.region: got "cn-north-1" \(partition aws-cn\).*S3 replicates within one partition/,
    );
  });

  it("refuses the primary's bucket as the replica", () => {
    const problems = problemsOf({ storage: { replica: { region: "eu-central-1", bucketName: PRIMARY } } });
    assert.match(
      problems.join("\n"),
      /velero-dr:storage\.replica\.bucketName: got "dash-backups-example-01", the primary's bucket/,
    );
  });

  it("refuses Azure's replica keys on an AWS stack, naming the key", () => {
    const problems = problemsOf({ storage: { replica: { location: "northeurope" } } });
    assert.ok(
      problems.some((p) => /velero-dr:storage\.replica\.location: unknown key/.test(p)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /velero-dr:storage\.replica\.region: is required/.test(p)),
      problems.join("\n"),
    );
  });

  it("refuses a replica bucket name S3 does not accept", () => {
    const problems = problemsOf({
      storage: { replica: { region: "eu-central-1", bucketName: "Dash_Replica" } },
    });
    assert.ok(
      problems.some((p) => /^velero-dr:storage\.replica\.bucketName: got "Dash_Replica"/.test(p)),
      problems.join("\n"),
    );
  });
});
