import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { AppPreparation, buildPreparation, withDefaults } from "velero-dr/apps";
import { cronMaxIntervalSeconds, resolveSchedules } from "velero-dr/config";
import { AwsVeleroIdentity } from "velero-dr/identity";
import { AwsBackupAlarm, buildAlertRules, silenceSeconds, VeleroPrometheusRule } from "velero-dr/monitoring";
import { apps } from "velero-dr/profiles";
import { AwsBackupStorage } from "velero-dr/storage";
import {
  buildAwsBslConfig,
  buildAwsVslConfig,
  buildProfileSchedules,
  DEFAULT_VERSIONS,
  VeleroInstall,
  VeleroSchedules,
} from "velero-dr/velero";

/**
 * A source stack of one's own, built from the velero-dr components rather than by its program: an
 * S3 bucket hardened for backups, Velero's IAM user (its access key rotated), Velero on the
 * cluster, the application's schedules and preparation, and the alerts when backups stop. The
 * application is a built-in one (velero-dr/profiles); a profile of one's own works the same way.
 */
const config = new pulumi.Config();
const region = config.require("region");
const accountId = config.require("accountId");
const bucketName = config.require("bucketName");
const kubeconfig = config.requireSecret("kubeconfig");

const namespace = "velero";
const location = "default";
const tags = { "managed-by": pulumi.getProject(), stack: pulumi.getStack() };
const { profile } = withDefaults(apps.codedx);

// The providers are this program's; the components take them as resource options.
const onAws = {
  providers: [new aws.Provider("aws", { region: region as aws.Region, allowedAccountIds: [accountId] })],
};
const cluster = new k8s.Provider("cluster", { kubeconfig, enableServerSideApply: true });

const storage = new AwsBackupStorage(
  "backups",
  { bucketName, partition: "aws", versionRetentionDays: 30, protect: true, tags },
  onAws,
);
const identity = new AwsVeleroIdentity(
  "velero-identity",
  {
    name: `velero-${bucketName}`,
    partition: "aws",
    bucketName: storage.bucketName,
    mode: "user",
    namespace,
    rotationDays: 90,
    tags,
  },
  onAws,
);

const velero = new VeleroInstall(
  "velero",
  {
    kubeconfig,
    namespace,
    chart: { version: DEFAULT_VERSIONS.chart, repository: DEFAULT_VERSIONS.chartRepository },
    credentialsFile: identity.credentialsFile,
    createPriorityClass: true,
    helmTimeoutSeconds: 900,
    bslCheck: { enabled: true, timeoutSeconds: 300 },
    settings: { nodeAgent: false, priorityClassName: "velero-critical", bslName: location },
    values: {
      provider: "aws",
      version: DEFAULT_VERSIONS.velero,
      pluginImage: "velero/velero-plugin-for-aws",
      pluginVersion: DEFAULT_VERSIONS.awsPlugin,
      imagePullSecrets: [],
      bsl: {
        name: location,
        bucket: bucketName,
        accessMode: "ReadWrite",
        config: buildAwsBslConfig({ region }),
      },
      vsl: { name: location, config: buildAwsVslConfig({ region }) },
      // A new access key rolls the Velero pod onto it before the old key is deleted.
      podAnnotations: { "velero-dr/credentials-revision": identity.credentialsRevision ?? "" },
      priorityClassName: "velero-critical",
      resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      nodeAgent: false,
      uploaderType: "kopia",
      defaultVolumesToFsBackup: false,
      airGapped: false,
      logLevel: "info",
      backupSyncPeriod: "1m",
      serviceMonitor: false,
      monitoring: { mode: "auto", labels: {} },
    },
  },
  { provider: cluster, dependsOn: [storage] },
);

// The profile's schedules (none configured here), its preparation, and the Schedules after both.
const schedules = resolveSchedules(undefined, profile);
const prepared = new AppPreparation("app", {
  kubeconfig,
  steps: buildPreparation(profile, { fsBackup: "off" }),
});
const created = new VeleroSchedules(
  "schedules",
  {
    kubeconfig,
    namespace,
    storageLocation: location,
    profile: profile.name,
    schedules: buildProfileSchedules(schedules, profile, {
      storageLocation: location,
      volumeSnapshotLocation: location,
      defaultVolumesToFsBackup: false,
    }),
    firstBackup: { enabled: false, timeoutSeconds: 0 },
  },
  { provider: cluster, dependsOn: [...velero.ready, ...prepared.ready] },
);

// Alerts when backups stop: in the cluster (a PrometheusRule where the operator is installed) and
// on the bucket (a CloudWatch alarm on its writes).
const gaps = schedules
  .filter((s) => !s.paused)
  .map((s) => ({ name: s.name, periodSeconds: cronMaxIntervalSeconds(s.cron) }));
const marginSeconds = 3600;
const rule = new VeleroPrometheusRule(
  "alerting",
  {
    kubeconfig,
    namespace,
    mode: "auto",
    labels: {},
    spec: buildAlertRules({ schedules: gaps, marginSeconds, namespace }),
  },
  { provider: cluster, dependsOn: [velero.release] },
);
const silence = silenceSeconds(gaps, marginSeconds);
const alarm =
  silence === undefined
    ? undefined
    : new AwsBackupAlarm(
        "backup-alert",
        {
          bucketName: storage.bucketName,
          bucketNameValue: bucketName,
          silenceSeconds: silence,
          emails: [],
          webhookCount: 0,
          tags,
        },
        onAws,
      );

export const bucket = storage.bucketName;
export const scheduleNames = created.names;
export const prometheusRule = rule.status;
export const cloudAlarm = alarm?.alarmName ?? "";
