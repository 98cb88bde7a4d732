import { strict as assert } from "assert";
import {
  FAKE,
  fakeKubeconfig,
  plainOccurrences,
  Registered,
  resolve,
  runProgram,
  RunResult,
  secretPaths,
  stackFileConfig,
} from "../support/harness";
import { crdErrors } from "../support/crd";
import { awsPluginV1_6_2IamStatements } from "../upstream/velero-plugins";
import { AWS_PLUGIN_1_6_KEYS } from "../../components/velero/locations";
import { apiServerOf } from "../../components/cluster/kubeconfig";

const STACK = "example-source-aws";
const BUCKET = "dash-backups-example-01";
const OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

/** The documented policy with this bucket substituted: what the program must grant, no more. */
const documentedPolicy = awsPluginV1_6_2IamStatements;

/** The primary's resource of that type (the replica's companions are named replica-storage-*). */
const companion = (run: RunResult, type: string) => {
  const found = run.recorder.byType(type).filter((x) => x.name.startsWith("backups-"));
  assert.equal(found.length, 1, `one ${type} of the primary`);
  const r = found[0];
  assert.equal(r.inputs.bucket, BUCKET, `${type} is on the backup bucket`);
  return r;
};

describe("source stack on AWS (example-source-aws under mocks)", () => {
  let run: RunResult;
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);
  const byType = (t: string) => run.recorder.byType(t);
  const deps = (r: Registered) => run.recorder.dependencyNames(r);

  before(async () => {
    const { config, secretKeys } = stackFileConfig(STACK);
    run = await runProgram(STACK, config, secretKeys);
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
  });

  describe("S3 bucket", () => {
    it("creates the bucket with Object Lock chosen at creation, never force-destroyed, tagged production", () => {
      const b = one("aws:s3/bucket:Bucket", "backups-bucket");
      assert.equal(b.inputs.bucket, BUCKET);
      assert.equal(b.inputs.objectLockEnabled, true);
      assert.equal(b.inputs.forceDestroy, false);
      assert.equal(b.inputs.tags["velero-dr-production"], "true");
    });

    it("turns on versioning, SSE-S3, the public access block and bucket-owner-enforced ownership", () => {
      assert.deepEqual(
        companion(run, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
        {
          status: "Enabled",
        },
      );
      assert.deepEqual(
        companion(
          run,
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ).inputs.rules,
        [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      );
      const pab = companion(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
      for (const f of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
        assert.equal(pab[f], true, f);
      }
      assert.deepEqual(companion(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule, {
        objectOwnership: "BucketOwnerEnforced",
      });
    });

    it("sets the Object Lock default retention (>= the 30-day TTL) after versioning", () => {
      const lock = companion(run, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
      assert.deepEqual(lock.inputs.rule, { defaultRetention: { mode: "GOVERNANCE", days: 30 } });
      assert.ok(deps(lock).includes("backups-versioning"));
    });

    it("expires noncurrent versions after storage.versionRetentionDays", () => {
      const rules = companion(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
        .rules;
      const noncurrent = rules.find((r: any) => r.noncurrentVersionExpiration);
      assert.deepEqual(noncurrent.noncurrentVersionExpiration, { noncurrentDays: 90 });
      assert.equal(noncurrent.status, "Enabled");
    });

    it("denies every request without TLS, on the bucket and its objects", () => {
      const policy = JSON.parse(companion(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
      assert.deepEqual(policy.Statement, [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
    });

    it("survives pulumi destroy: the bucket is protected, it and every companion retained", () => {
      assert.ok(one("aws:s3/bucket:Bucket", "backups-bucket").protect);
      for (const r of run.recorder.resources.filter(
        (x) => x.type.startsWith("aws:s3/") && x.type !== "aws:s3/bucketMetric:BucketMetric",
      )) {
        assert.ok(r.retainOnDelete, `${r.type} retainOnDelete`);
      }
    });

    it("uses the stack's AWS provider, pinned to the configured region and account, outside the replica's region", () => {
      const p = one("pulumi:providers:aws", "aws").inputs;
      assert.equal(p.region, "eu-west-1");
      assert.deepEqual(JSON.parse(p.allowedAccountIds), ["123456789012"]);
      // The replica's resources in eu-central-1 have a provider of their own (source-aws-replica.test.ts).
      const inRecovery = (r: Registered) => /pulumi:providers:aws::replica-provider::/.test(r.provider ?? "");
      const here = run.recorder.resources.filter((x) => x.type.startsWith("aws:") && !inRecovery(x));
      assert.ok(here.some((r) => r.name === "backups-bucket"));
      for (const r of here) {
        assert.match(r.provider ?? "", /pulumi:providers:aws::aws::/, `${r.type} ${r.name}`);
      }
    });
  });

  describe("IRSA identity", () => {
    it("grants exactly the documented actions on this bucket's ARNs", () => {
      const doc = JSON.parse(one("aws:iam/policy:Policy").inputs.policy);
      const granted = doc.Statement.map((s: any) => ({ Action: [...s.Action].sort(), Resource: s.Resource }));
      const documented = documentedPolicy(BUCKET).map((s) => ({
        Action: [...s.Action].sort(),
        Resource: s.Resource,
      }));
      assert.deepEqual(granted, documented);
      assert.ok(doc.Statement.every((s: any) => s.Effect === "Allow"));
    });

    it("trusts only velero:velero-server through the cluster's OIDC provider", () => {
      const role = one("aws:iam/role:Role", "velero-identity-role");
      const trust = JSON.parse(role.inputs.assumeRolePolicy);
      assert.equal(trust.Statement.length, 1);
      const s = trust.Statement[0];
      assert.equal(s.Action, "sts:AssumeRoleWithWebIdentity");
      assert.deepEqual(s.Principal, { Federated: `arn:aws:iam::123456789012:oidc-provider/${OIDC}` });
      assert.deepEqual(s.Condition, {
        StringEquals: {
          [`${OIDC}:sub`]: "system:serviceaccount:velero:velero-server",
          [`${OIDC}:aud`]: "sts.amazonaws.com",
        },
      });
      const attachment = one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs;
      assert.equal(attachment.role, role.inputs.name);
      assert.match(attachment.policyArn, /:policy\/velero-dr\/velero-dr-example-source-aws$/);
    });

    it("creates no IAM user, access key or credentials Secret", () => {
      assert.equal(byType("aws:iam/user:User").length, 0);
      assert.equal(byType("aws:iam/accessKey:AccessKey").length, 0);
      assert.equal(byType("kubernetes:core/v1:Secret").length, 0);
    });
  });

  describe("Velero release", () => {
    const values = () => one("kubernetes:helm.sh/v3:Release").inputs.values;

    it("runs Velero v1.10.3 with velero/velero-plugin-for-aws:v1.6.2", () => {
      assert.equal(values().image.tag, "v1.10.3");
      assert.equal(values().initContainers[0].image, "velero/velero-plugin-for-aws:v1.6.2");
      assert.equal(values().configuration.provider, "aws");
    });

    it("uses IRSA: no credentials Secret, the service account annotated with the role", () => {
      assert.deepEqual(values().credentials, { useSecret: false });
      assert.deepEqual(values().serviceAccount, {
        server: {
          annotations: {
            "eks.amazonaws.com/role-arn":
              "arn:aws:iam::123456789012:role/velero-dr/velero-dr-example-source-aws",
          },
        },
      });
      assert.ok(deps(one("kubernetes:helm.sh/v3:Release")).includes("velero-ns"));
    });

    it("configures BSL and VSL with only keys plugin 1.6.2 accepts (no checksumAlgorithm)", () => {
      const c = values().configuration;
      assert.equal(c.backupStorageLocation.bucket, BUCKET);
      assert.deepEqual(c.backupStorageLocation.config, { region: "eu-west-1" });
      assert.deepEqual(c.volumeSnapshotLocation.config, { region: "eu-west-1" });
      for (const k of Object.keys(c.backupStorageLocation.config)) {
        assert.ok((AWS_PLUGIN_1_6_KEYS.bsl as readonly string[]).includes(k), k);
      }
      assert.ok(!(AWS_PLUGIN_1_6_KEYS.bsl as readonly string[]).includes("checksumAlgorithm"));
    });

    it("lets the chart render a ServiceMonitor for Prometheus (autodetect), labelled for it", () => {
      assert.deepEqual(values().metrics.serviceMonitor, {
        enabled: true,
        autodetect: true,
        additionalLabels: { release: "kube-prometheus-stack" },
      });
    });

    it("checks the BSL after install and creates the schedule after that", () => {
      const check = one("command:local:Command", "bsl-available");
      assert.equal(check.inputs.triggers.length, 1, "no Secret to watch with IRSA");
      const schedule = one("kubernetes:velero.io/v1:Schedule");
      assert.ok(deps(schedule).includes("velero-bsl-available"));
      assert.deepEqual(crdErrors("v1.10.3", "Schedule", schedule.inputs), []);
    });
  });

  describe("cluster access", () => {
    it("builds an exec kubeconfig for the EKS cluster (aws eks get-token), as a secret", () => {
      const provider = one("pulumi:providers:kubernetes");
      assert.ok(secretPaths(provider.raw).some((p) => p.startsWith("kubeconfig")));
      const kubeconfig = JSON.parse(provider.inputs.kubeconfig);
      assert.equal(apiServerOf(provider.inputs.kubeconfig), FAKE.eksEndpoint);
      const exec = kubeconfig.users[0].user.exec;
      assert.equal(exec.command, "aws");
      assert.deepEqual(exec.args, [
        "eks",
        "get-token",
        "--cluster-name",
        "dash-enterprise",
        "--region",
        "eu-west-1",
        "--output",
        "json",
      ]);
      assert.deepEqual(
        run.recorder.invokes.map((i) => [i.token, i.inputs.name]),
        [["aws:eks/getCluster:getCluster", "dash-enterprise"]],
      );
    });
  });

  describe("alerting", () => {
    it("watches PutRequests on the backups/ prefix of this bucket, missing data breaching", () => {
      const metric = one("aws:s3/bucketMetric:BucketMetric").inputs;
      assert.equal(metric.bucket, BUCKET);
      assert.deepEqual(metric.filter, { prefix: "backups/" });
      const alarm = one("aws:cloudwatch/metricAlarm:MetricAlarm", "backup-alert-no-backups").inputs;
      assert.equal(alarm.namespace, "AWS/S3");
      assert.equal(alarm.metricName, "PutRequests");
      assert.deepEqual(alarm.dimensions, { BucketName: BUCKET, FilterId: metric.name });
      assert.equal(alarm.treatMissingData, "breaching");
      assert.equal(alarm.comparisonOperator, "LessThanThreshold");
      // Daily schedule (24h) + 120 min margin = 26 hourly periods, all of them quiet.
      assert.equal(alarm.period * alarm.evaluationPeriods, 26 * 3600);
      assert.equal(alarm.datapointsToAlarm, alarm.evaluationPeriods);
      const topic = one("aws:sns/topic:Topic");
      assert.deepEqual(alarm.alarmActions, [`arn:aws:sns:eu-west-1:123456789012:${topic.inputs.name}`]);
      const sub = one("aws:sns/topicSubscription:TopicSubscription").inputs;
      assert.equal(sub.protocol, "email");
      assert.equal(sub.endpoint, "platform-oncall@example.com");
    });

    it("applies the PrometheusRule only where the CRD is served (auto), with the kubeconfig secret", () => {
      const cmd = one("command:local:Command", "alerting-apply");
      const manifest = JSON.parse(cmd.inputs.environment.PROMETHEUS_RULE_MANIFEST);
      assert.equal(manifest.kind, "PrometheusRule");
      assert.equal(manifest.metadata.namespace, "velero");
      assert.equal(manifest.metadata.labels.release, "kube-prometheus-stack");
      assert.ok(secretPaths(cmd.raw).some((p) => p.startsWith("environment")));
      assert.equal(byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").length, 0);
    });
  });

  describe("components and outputs", () => {
    it("parents every resource to a velero-dr component", () => {
      assert.deepEqual(run.recorder.unparented(), []);
      assert.deepEqual(run.recorder.componentTypes(), [
        "velero-dr:cluster:ClusterAccess",
        "velero-dr:identity:AwsVeleroIdentity",
        "velero-dr:monitoring:AwsBackupAlarm",
        "velero-dr:monitoring:VeleroPrometheusRule",
        "velero-dr:storage:AwsBackupReplica",
        "velero-dr:storage:AwsBackupStorage",
        "velero-dr:storage:AwsBackupStorage",
        "velero-dr:velero:VeleroInstall",
        "velero-dr:velero:VeleroSchedules",
      ]);
    });

    it("exports where the backups are and who reads them, no secret", async () => {
      const { value } = await resolve(run.outputs as Record<string, unknown>);
      const o = value as Record<string, any>;
      assert.equal(o.cloud, "aws");
      assert.deepEqual(o.storage, {
        bucketName: BUCKET,
        prefix: "",
        region: "eu-west-1",
        kmsKeyArn: "",
        // The replica a destination reads when eu-west-1 is gone, with its own key there.
        replica: {
          bucketName: "dash-backups-example-02",
          region: "eu-central-1",
          kmsKeyArn: o.storage.replica.kmsKeyArn,
        },
      });
      assert.match(o.storage.replica.kmsKeyArn, /^arn:aws:kms:.*:key\//);
      assert.deepEqual(o.alerting.replicationAlarms, [
        "velero-dr-replication-lag-dash-backups-example-02",
        "velero-dr-replication-failed-dash-backups-example-02",
      ]);
      assert.deepEqual(o.identity, {
        mode: "irsa",
        roleArn: "arn:aws:iam::123456789012:role/velero-dr/velero-dr-example-source-aws",
      });
      assert.equal(o.cluster.eksName, "dash-enterprise");
      assert.equal(o.cluster.kubernetesVersion, FAKE.eksVersion);
      assert.equal(o.alerting.cloudAlert, `velero-dr-no-backups-${BUCKET}`);
    });
  });
});

describe("source stack on AWS: variants", () => {
  const base = () => stackFileConfig(STACK).config;
  const setAws = (c: Record<string, string>, patch: Record<string, unknown>) => {
    c["velero-dr:aws"] = JSON.stringify({ ...JSON.parse(c["velero-dr:aws"]), ...patch });
  };

  it("IAM user + SSE-KMS: the key joins the policy, the access key reaches Velero only as a secret", async () => {
    const cfg = base();
    const key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    const aws = JSON.parse(cfg["velero-dr:aws"]);
    delete aws.oidcProviderArn;
    cfg["velero-dr:aws"] = JSON.stringify({ ...aws, identity: "user", kmsKeyArn: key });
    cfg["velero-dr:alertWebhooks"] = JSON.stringify([
      "https://events.example.com/velero?token=hook-secret-7",
    ]);
    const run = await runProgram("aws-user", cfg, ["velero-dr:alertWebhooks"]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(run.asyncErrors, []);

    const doc = JSON.parse(run.recorder.one("aws:iam/policy:Policy").inputs.policy);
    const kms = doc.Statement.find((s: any) => s.Sid === "VeleroBackupKey");
    assert.deepEqual(kms, {
      Sid: "VeleroBackupKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [key],
    });
    assert.deepEqual(
      run.recorder.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "backups-encryption",
      ).inputs.rules,
      [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key },
          bucketKeyEnabled: true,
        },
      ],
    );
    const v = run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values;
    assert.deepEqual(v.configuration.backupStorageLocation.config, { region: "eu-west-1", kmsKeyId: key });
    assert.deepEqual(v.credentials, { useSecret: true, existingSecret: "cloud-credentials" });
    assert.equal(v.serviceAccount, undefined);
    assert.match(v.podAnnotations["velero-dr/credentials-revision"], /^p90d-\d+$/);

    const user = run.recorder.one("aws:iam/user:User");
    assert.equal(
      run.recorder.one("aws:iam/userPolicyAttachment:UserPolicyAttachment").inputs.user,
      user.inputs.name,
    );
    const accessKey = run.recorder.one("aws:iam/accessKey:AccessKey");
    const secret = run.recorder.one("kubernetes:core/v1:Secret");
    const file: string = secret.inputs.stringData.cloud;
    assert.match(file, /^\[default\]\naws_access_key_id=AKIA[A-Z0-9]+\naws_secret_access_key=/);
    assert.ok(file.includes(FAKE.awsSecretKey));
    assert.ok(run.recorder.dependencyNames(secret).includes(accessKey.name));
    assert.ok(secretPaths(secret.raw).some((p) => p.startsWith("stringData")));
    for (const r of run.recorder.resources) {
      assert.deepEqual(plainOccurrences(r.raw, FAKE.awsSecretKey), [], `${r.type} ${r.name}`);
      assert.deepEqual(plainOccurrences(r.raw, "hook-secret-7"), [], `${r.type} ${r.name}`);
    }
    const hook = run.recorder
      .byType("aws:sns/topicSubscription:TopicSubscription")
      .find((s) => s.inputs.protocol === "https");
    assert.equal(hook?.inputs.endpoint, "https://events.example.com/velero?token=hook-secret-7");
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    assert.ok(!JSON.stringify(value).includes(FAKE.awsSecretKey));
  });

  it("a kubeconfig secret instead of eksName; alerting off creates no alert resource", async () => {
    const cfg = base();
    cfg["velero-dr:cluster"] = JSON.stringify({});
    cfg["velero-dr:kubeconfig"] = fakeKubeconfig("https://10.9.8.7:6443");
    cfg["velero-dr:alerting"] = JSON.stringify({ enabled: false });
    const run = await runProgram("aws-kcfg", cfg, ["velero-dr:kubeconfig"]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(run.recorder.invokes, []);
    for (const t of [
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "aws:sns/topic:Topic",
      "aws:s3/bucketMetric:BucketMetric",
    ]) {
      assert.equal(run.recorder.byType(t).length, 0, t);
    }
    assert.equal(
      run.recorder.byType("command:local:Command").filter((c) => c.name === "alerting-apply").length,
      0,
    );
    const v = run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values;
    assert.deepEqual(v.metrics.serviceMonitor, { enabled: false, autodetect: true });
  });

  it("refuses an OIDC provider that is not the EKS cluster's (nothing reaches the cluster)", async () => {
    const cfg = base();
    setAws(cfg, {
      oidcProviderArn:
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    });
    const run = await runProgram("aws-wrong-oidc", cfg);
    const errors = [run.error, ...run.asyncErrors].filter(Boolean).map((e) => (e as Error).message);
    assert.ok(
      errors.some((m) =>
        /velero-dr:aws\.oidcProviderArn: names issuer .*FFFF.*but EKS cluster dash-enterprise uses oidc\.eks/.test(
          m,
        ),
      ),
      errors.join("\n"),
    );
    assert.equal(run.recorder.byType("kubernetes:helm.sh/v3:Release").length, 0);
  });

  it("runs during preview as well", async () => {
    const { config, secretKeys } = stackFileConfig(STACK);
    const run = await runProgram("aws-preview", config, secretKeys, { preview: true });
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.recorder.resources.length > 25);
  });
});
