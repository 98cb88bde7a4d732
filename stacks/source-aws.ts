import * as pulumi from "@pulumi/pulumi";
import * as eks from "@pulumi/aws/eks";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import {
  alertWebhooks,
  BackendValues,
  BSL_NAME,
  CREDENTIALS_REVISION_ANNOTATION,
  createSchedules,
  inClusterAlerts,
  installVelero,
  noCloudAlert,
  SourceOptions,
  stackTags,
  veleroOutputs,
  veleroValues,
  VSL_NAME,
} from "./source-common";
import { AwsBackupStorage } from "../components/storage/aws-backup-storage";
import { AwsVeleroIdentity } from "../components/identity/aws-velero-identity";
import { buildEksKubeconfig, issuerHostPath } from "../components/identity/eks-access";
import { ClusterAccess } from "../components/cluster/cluster-access";
import { VeleroValuesArgs } from "../components/velero/velero-install";
import { buildAwsBslConfig, buildAwsVslConfig } from "../components/velero/locations";
import { AwsSourceConfig } from "../components/config/validate";
import { silenceSeconds } from "../components/monitoring/cloud-alerts";
import { AwsBackupAlarm } from "../components/monitoring/aws-backup-alarm";

const AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws";

/** The AWS source stack (loaded only for `velero-dr:cloud: aws`; see stacks/source.ts). */
export function awsSource(cfg: AwsSourceConfig, options: SourceOptions): Record<string, unknown> {
  const aws = cfg.aws;
  // One explicit provider: the region comes from the validated config, and the provider refuses
  // to touch any other account than aws.accountId (a wrong profile fails instead of deploying).
  const awsProvider = new AwsProvider("aws", { region: aws.region, allowedAccountIds: [aws.accountId] });
  const onAws = { providers: [awsProvider] };

  let kubeconfig: pulumi.Input<string>;
  let kubernetesVersion: pulumi.Input<string> = "";
  if (cfg.cluster.eksName !== undefined) {
    const name = cfg.cluster.eksName;
    const eksCluster = eks.getClusterOutput({ name }, { provider: awsProvider });
    kubeconfig = pulumi.secret(
      eksCluster.apply((c) => {
        if (aws.identity === "irsa") {
          // The trust names aws.oidcProviderArn; a provider of another cluster would make every
          // AssumeRoleWithWebIdentity fail. Checked on the kubeconfig's path, so nothing is
          // installed in the cluster when it does not match.
          const issuer = issuerHostPath(c.identities[0]?.oidcs[0]?.issuer ?? "");
          if (issuer !== aws.oidcIssuer) {
            throw new Error(
              `velero-dr:aws.oidcProviderArn: names issuer ${aws.oidcIssuer}, but EKS cluster ${name} uses ${issuer || "no OIDC issuer"}; use the cluster's provider (aws eks describe-cluster --name ${name} --query cluster.identity.oidc.issuer)`,
            );
          }
        }
        return buildEksKubeconfig({
          clusterName: name,
          region: aws.region,
          endpoint: c.endpoint,
          certificateAuthorityData: c.certificateAuthorities[0]?.data ?? "",
        });
      }),
    );
    kubernetesVersion = eksCluster.version;
  } else {
    kubeconfig = new pulumi.Config().requireSecret("kubeconfig");
  }
  const cluster = new ClusterAccess("cluster", { kubeconfig });

  const tags = stackTags(cfg);
  const backupStorage = new AwsBackupStorage(
    "backups",
    {
      bucketName: aws.bucketName,
      partition: aws.partition,
      kmsKeyArn: aws.kmsKeyArn,
      objectLock: aws.objectLock,
      versionRetentionDays: cfg.storage.versionRetentionDays,
      protect: cfg.storage.protect,
      tags,
    },
    onAws,
  );

  const identity = new AwsVeleroIdentity(
    "velero-identity",
    {
      name: aws.identityName,
      partition: aws.partition,
      bucketName: backupStorage.bucketName,
      kmsKeyArn: aws.kmsKeyArn,
      mode: aws.identity,
      oidcProviderArn: aws.oidcProviderArn,
      oidcIssuer: aws.oidcIssuer,
      namespace: cfg.velero.namespace,
      rotationDays: cfg.identity.rotationDays,
      now: options.now,
      tags,
    },
    onAws,
  );

  const backend: BackendValues = {
    provider: "aws",
    pluginImage: AWS_PLUGIN_IMAGE,
    bsl: {
      name: BSL_NAME,
      bucket: aws.bucketName,
      prefix: cfg.storage.prefix,
      accessMode: "ReadWrite",
      config: buildAwsBslConfig({ region: aws.region, kmsKeyArn: aws.kmsKeyArn }),
    },
    vsl: { name: VSL_NAME, config: buildAwsVslConfig({ region: aws.region }) },
    // A new access key rolls the Velero pod, so it runs on the new key before the old one goes.
    ...(identity.credentialsRevision
      ? { podAnnotations: { [CREDENTIALS_REVISION_ANNOTATION]: identity.credentialsRevision } }
      : {}),
  };
  const values: pulumi.Input<VeleroValuesArgs> = identity.roleArn
    ? identity.roleArn.apply((roleArn) =>
        veleroValues(cfg, {
          ...backend,
          serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": roleArn },
        }),
      )
    : veleroValues(cfg, backend);
  const velero = installVelero(cfg, cluster, values, identity.credentialsFile, backupStorage);
  const schedules = createSchedules(cfg, cluster, velero);
  const prometheusRule = inClusterAlerts(cfg, cluster, velero);

  let cloudAlarm: AwsBackupAlarm | undefined;
  const silence = silenceSeconds(cfg.alerting.schedules, cfg.alerting.marginSeconds);
  if (cfg.alerting.cloudAlert && silence !== undefined) {
    cloudAlarm = new AwsBackupAlarm(
      "backup-alert",
      {
        bucketName: backupStorage.bucketName,
        bucketNameValue: aws.bucketName,
        prefix: cfg.storage.prefix,
        silenceSeconds: silence,
        emails: cfg.alerting.emails,
        webhooks: alertWebhooks(cfg),
        webhookCount: cfg.alerting.webhookCount,
        tags,
      },
      onAws,
    );
  } else if (cfg.alerting.cloudAlert) {
    noCloudAlert("every schedule is paused");
  }

  return {
    role: "source",
    cloud: "aws",
    profile: cfg.profile.name,
    aws: { region: aws.region, accountId: aws.accountId },
    storage: {
      bucketName: backupStorage.bucketName,
      prefix: cfg.storage.prefix ?? "",
      region: aws.region,
      kmsKeyArn: aws.kmsKeyArn ?? "",
    },
    velero: veleroOutputs(cfg),
    schedules: schedules.names,
    cluster: {
      apiServer: cluster.apiServer,
      uid: cluster.uid,
      kubernetesVersion,
      eksName: cfg.cluster.eksName ?? "",
    },
    identity:
      aws.identity === "irsa"
        ? { mode: "irsa", roleArn: identity.roleArn }
        : { mode: "user", userName: aws.identityName, accessKeyId: identity.accessKeyId },
    alerting: {
      prometheusRule,
      cloudAlert: cloudAlarm?.alarmName ?? "",
      topicArn: cloudAlarm ? cloudAlarm.topicArn : "",
    },
  };
}
