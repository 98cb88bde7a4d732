import * as pulumi from "@pulumi/pulumi";
import { azureIdentityBasics } from "./identity-basics";
import * as eks from "@pulumi/aws/eks";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { AzureBackupStorage } from "../components/storage/azure-backup-storage";
import { AwsBackupStorage } from "../components/storage/aws-backup-storage";
import { AzureVeleroIdentity } from "../components/identity/azure-velero-identity";
import { AwsVeleroIdentity } from "../components/identity/aws-velero-identity";
import { buildEksKubeconfig, issuerHostPath } from "../components/identity/eks-access";
import { ClusterAccess } from "../components/cluster/cluster-access";
import { VeleroInstall, VeleroValuesArgs } from "../components/velero/velero-install";
import { VeleroSchedules } from "../components/velero/velero-schedules";
import {
  buildAwsBslConfig,
  buildAwsVslConfig,
  buildAzureBslConfig,
  buildAzureVslConfig,
} from "../components/velero/locations";
import { buildProfileSchedules } from "../components/velero/specs";
import { AppPreparation } from "../components/apps/app-preparation";
import { buildPreparation } from "../components/apps/preparation";
import { AwsSourceConfig, AzureSourceConfig, SourceStackConfig } from "../components/config/validate";
import { buildAlertRules, humanDuration } from "../components/monitoring/alert-rules";
import { VeleroPrometheusRule } from "../components/monitoring/prometheus-rule";
import { azureAlertWindow, silenceSeconds } from "../components/monitoring/cloud-alerts";
import { AzureBackupAlert } from "../components/monitoring/azure-backup-alert";
import { AwsBackupAlarm } from "../components/monitoring/aws-backup-alarm";

export const BSL_NAME = "default";
export const VSL_NAME = "default";
const AZURE_PLUGIN_IMAGE = "velero/velero-plugin-for-microsoft-azure";
const AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws";
const FIRST_BACKUP_TIMEOUT_SECONDS = 3600;
/** Pod annotation whose change rolls Velero onto a rotated credential. */
export const CREDENTIALS_REVISION_ANNOTATION = "velero-dr/credentials-revision";

export interface SourceOptions {
  /** Clock for credential rotation (tests pass a fixed date). */
  now?: Date;
}

/**
 * The source stack: backup storage, Velero's identity, Velero and its schedules on a running
 * cluster, and the alerts that fire when backups stop. Takes validated config; registers
 * resources; returns the stack outputs.
 */
export function sourceProgram(cfg: SourceStackConfig, options: SourceOptions = {}): Record<string, unknown> {
  return cfg.cloud === "aws" ? awsSource(cfg, options) : azureSource(cfg, options);
}

type BackendValues = Pick<VeleroValuesArgs, "provider" | "pluginImage" | "bsl" | "vsl"> &
  Partial<Pick<VeleroValuesArgs, "serviceAccountAnnotations" | "podAnnotations">>;

/** Helm values input: the cloud backend's part plus the cloud-neutral settings. */
function veleroValues(cfg: SourceStackConfig, backend: BackendValues): VeleroValuesArgs {
  const v = cfg.velero;
  const rule = cfg.alerting.prometheusRule;
  return {
    ...backend,
    version: v.version,
    pluginVersion: v.pluginVersion,
    imageRegistry: v.imageRegistry,
    imagePullSecrets: v.imagePullSecrets,
    priorityClassName: v.priorityClassName,
    resources: v.resources,
    nodeAgent: v.nodeAgent,
    uploaderType: v.uploaderType,
    defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
    airGapped: v.airGapped,
    logLevel: v.logLevel,
    backupSyncPeriod: v.backupSyncPeriod,
    serviceMonitor: v.serviceMonitor,
    // The rules are useless unless Prometheus scrapes Velero: the ServiceMonitor follows the rule's mode.
    monitoring: rule === "off" ? undefined : { mode: rule, labels: cfg.alerting.prometheusLabels },
  };
}

function installVelero(
  cfg: SourceStackConfig,
  cluster: ClusterAccess,
  values: pulumi.Input<VeleroValuesArgs>,
  credentialsFile: pulumi.Input<string> | undefined,
  storage: pulumi.Resource,
): VeleroInstall {
  const v = cfg.velero;
  return new VeleroInstall(
    "velero",
    {
      provider: cluster.provider,
      kubeconfig: cluster.kubeconfig,
      namespace: v.namespace,
      chart: { version: v.chartVersion, repository: v.chartRepository, path: v.chartPath },
      credentialsFile,
      createPriorityClass: v.createPriorityClass,
      helmTimeoutSeconds: v.helmTimeoutSeconds,
      bslCheck: cfg.bslCheck,
      settings: { nodeAgent: v.nodeAgent, priorityClassName: v.priorityClassName, bslName: BSL_NAME },
      values,
    },
    { dependsOn: [storage] },
  );
}

function createSchedules(cfg: SourceStackConfig, cluster: ClusterAccess, velero: VeleroInstall) {
  const steps = buildPreparation(cfg.profile, { fsBackup: cfg.fsBackup });
  // The workloads are prepared while Velero installs; a schedule needs both.
  const prepared =
    steps.length === 0
      ? []
      : new AppPreparation("app", { kubeconfig: cluster.kubeconfig, steps, dependsOn: [] }).ready;
  return new VeleroSchedules("schedules", {
    provider: cluster.provider,
    kubeconfig: cluster.kubeconfig,
    namespace: cfg.velero.namespace,
    storageLocation: BSL_NAME,
    profile: cfg.profile.name,
    schedules: buildProfileSchedules(cfg.schedules, cfg.profile, {
      storageLocation: BSL_NAME,
      volumeSnapshotLocation: VSL_NAME,
      defaultVolumesToFsBackup: cfg.velero.defaultVolumesToFsBackup,
    }),
    firstBackup: { enabled: cfg.firstBackup, timeoutSeconds: FIRST_BACKUP_TIMEOUT_SECONDS },
    dependsOn: [...velero.ready, ...prepared],
  });
}

/** The PrometheusRule (or nothing); its status is exported so the stack says what happened. */
function inClusterAlerts(
  cfg: SourceStackConfig,
  cluster: ClusterAccess,
  velero: VeleroInstall,
): pulumi.Input<string> {
  const mode = cfg.alerting.prometheusRule;
  if (mode === "off") return "off";
  const rule = new VeleroPrometheusRule("alerting", {
    provider: cluster.provider,
    kubeconfig: cluster.kubeconfig,
    namespace: cfg.velero.namespace,
    mode,
    labels: cfg.alerting.prometheusLabels,
    spec: buildAlertRules({
      schedules: cfg.alerting.schedules,
      marginSeconds: cfg.alerting.marginSeconds,
      namespace: cfg.velero.namespace,
    }),
    dependsOn: [velero.release],
  });
  return rule.status;
}

/** Webhook URLs, read as the secret they are (validation only counted them). */
function alertWebhooks(cfg: SourceStackConfig): pulumi.Output<string[]> | undefined {
  return cfg.alerting.webhookCount > 0
    ? new pulumi.Config().requireSecretObject<string[]>("alertWebhooks")
    : undefined;
}

function noCloudAlert(why: string): undefined {
  pulumi.log.warn(`velero-dr: no storage-side alert: ${why}; the in-cluster rules still apply`);
  return undefined;
}

function azureSource(cfg: AzureSourceConfig, options: SourceOptions): Record<string, unknown> {
  const cluster = new ClusterAccess("cluster", {
    aks: cfg.cluster.aksName
      ? { name: cfg.cluster.aksName, resourceGroupName: cfg.cluster.aksResourceGroup as string }
      : undefined,
    kubeconfig: cfg.kubeconfig !== undefined ? new pulumi.Config().requireSecret("kubeconfig") : undefined,
    nodeResourceGroup: cfg.cluster.nodeResourceGroup,
  });

  const tags = stackTags(cfg);
  const backupStorage = new AzureBackupStorage("backups", {
    location: cfg.azure.location,
    subscriptionId: cfg.azure.subscriptionId,
    resourceGroupName: cfg.storage.resourceGroupName,
    existingResourceGroup: cfg.storage.existingResourceGroup,
    accountName: cfg.storage.accountName,
    containerName: cfg.storage.containerName,
    replication: cfg.storage.replication,
    softDeleteDays: cfg.storage.softDeleteDays,
    containerSoftDeleteDays: cfg.storage.containerSoftDeleteDays,
    versionRetentionDays: cfg.storage.versionRetentionDays,
    immutabilityDays: cfg.storage.immutabilityDays,
    snapshotResourceGroupName: cfg.storage.snapshotResourceGroupName,
    protect: cfg.storage.protect,
    deleteLock: cfg.storage.deleteLock,
    tags,
  });

  const identity = new AzureVeleroIdentity("velero-identity", {
    ...azureIdentityBasics(cfg, options.now),
    storageResourceGroupId: backupStorage.resourceGroupId,
    storageAccountId: backupStorage.accountId,
    snapshotResourceGroupId: backupStorage.snapshotResourceGroupId,
    nodeResourceGroupName: cluster.nodeResourceGroup,
  });

  const values = veleroValues(cfg, {
    provider: "azure",
    pluginImage: AZURE_PLUGIN_IMAGE,
    bsl: {
      name: BSL_NAME,
      bucket: cfg.storage.containerName,
      prefix: cfg.storage.prefix,
      accessMode: "ReadWrite",
      config: buildAzureBslConfig({
        resourceGroup: cfg.storage.resourceGroupName,
        storageAccount: cfg.storage.accountName,
        subscriptionId: cfg.azure.subscriptionId,
      }),
    },
    vsl: {
      name: VSL_NAME,
      config: buildAzureVslConfig({
        resourceGroup: cfg.storage.snapshotResourceGroupName,
        subscriptionId: cfg.azure.subscriptionId,
        incremental: true,
      }),
    },
  });
  const velero = installVelero(cfg, cluster, values, identity.credentialsFile, backupStorage);
  const schedules = createSchedules(cfg, cluster, velero);
  const prometheusRule = inClusterAlerts(cfg, cluster, velero);

  let cloudAlert: AzureBackupAlert | undefined;
  const silence = silenceSeconds(cfg.alerting.schedules, cfg.alerting.marginSeconds);
  if (cfg.alerting.cloudAlert && silence !== undefined) {
    const period = Math.min(...cfg.alerting.schedules.map((s) => s.periodSeconds));
    const window = azureAlertWindow(period, silence);
    if (!window) {
      noCloudAlert(
        `Azure Monitor looks back 24 hours at most, and the most frequent schedule runs every ${humanDuration(period)}`,
      );
    } else {
      cloudAlert = new AzureBackupAlert("backup-alert", {
        resourceGroupName: backupStorage.resourceGroupName,
        storageAccountId: backupStorage.accountId,
        accountName: cfg.storage.accountName,
        window,
        emails: cfg.alerting.emails,
        webhooks: alertWebhooks(cfg),
        tags,
      });
    }
  }

  // Everything a destination stack needs to find and read these backups.
  return {
    role: "source",
    cloud: "azure",
    profile: cfg.profile.name,
    azure: {
      subscriptionId: cfg.azure.subscriptionId,
      tenantId: cfg.azure.tenantId,
      location: cfg.azure.location,
      cloudName: cfg.azure.cloudName,
    },
    storage: {
      resourceGroupName: backupStorage.resourceGroupName,
      accountName: backupStorage.accountName,
      containerName: backupStorage.containerName,
      prefix: cfg.storage.prefix ?? "",
      snapshotResourceGroupName: backupStorage.snapshotResourceGroupName,
    },
    velero: veleroOutputs(cfg),
    schedules: schedules.names,
    cluster: {
      apiServer: cluster.apiServer,
      uid: cluster.uid,
      nodeResourceGroup: cluster.nodeResourceGroup,
      kubernetesVersion: cluster.kubernetesVersion,
      aksName: cfg.cluster.aksName ?? "",
      aksResourceGroup: cfg.cluster.aksResourceGroup ?? "",
    },
    identity: { clientId: identity.clientId, passwordEndDate: identity.passwordEndDate },
    alerting: {
      prometheusRule,
      cloudAlert: cloudAlert ? cloudAlert.alertName : "",
      actionGroupId: cloudAlert ? cloudAlert.actionGroupId : "",
    },
  };
}

function awsSource(cfg: AwsSourceConfig, options: SourceOptions): Record<string, unknown> {
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

/** The policy pack reads velero-dr-production to require immutable storage on production stacks. */
function stackTags(cfg: SourceStackConfig): Record<string, string> {
  return {
    "managed-by": "velero-dr",
    "velero-dr-stack": cfg.stack,
    "velero-dr-production": String(cfg.production),
    ...cfg.tags,
  };
}

function veleroOutputs(cfg: SourceStackConfig) {
  const v = cfg.velero;
  return {
    namespace: v.namespace,
    version: v.version,
    chartVersion: v.chartVersion,
    pluginVersion: v.pluginVersion,
    bslName: BSL_NAME,
    vslName: VSL_NAME,
    uploaderType: v.nodeAgent ? v.uploaderType : "",
  };
}
