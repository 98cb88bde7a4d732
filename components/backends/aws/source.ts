import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { AwsBackupStorage } from "../../storage/aws-backup-storage";
import { AwsVeleroIdentity } from "../../identity/aws-velero-identity";
import { VeleroValuesArgs } from "../../velero/velero-install";
import { buildAwsBslConfig, buildAwsVslConfig } from "../../velero/locations";
import { silenceSeconds } from "../../monitoring/cloud-alerts";
import { AwsBackupAlarm } from "../../monitoring/aws-backup-alarm";
import { AwsBackupReplica } from "../../storage/aws-backup-replica";
import type { BackendValues, SourceBackend } from "../backend";
import {
  alertWebhooks,
  BSL_NAME,
  CREDENTIALS_REVISION_ANNOTATION,
  noCloudAlert,
  stackTags,
  VSL_NAME,
} from "../kit/source-kit";
import { aws as backend, AwsSourceConfig } from ".";

/**
 * The AWS source stack's part (loaded only for `velero-dr:cloud: aws`): one explicit AWS
 * provider, the S3 bucket, Velero's IAM role or user, the S3 BSL and EBS VSL, the CloudWatch
 * alarm, and the outputs.
 */
export const awsSource: SourceBackend<AwsSourceConfig> = {
  begin: (cfg, options) => {
    const aws = cfg.aws;
    // One explicit provider: the region comes from the validated config, and the provider refuses
    // to touch any other account than aws.accountId (a wrong profile fails instead of deploying).
    const awsProvider = new AwsProvider("aws", { region: aws.region, allowedAccountIds: [aws.accountId] });
    const onAws = { providers: [awsProvider] };
    return {
      targetContext: {
        aws: {
          provider: awsProvider,
          region: aws.region,
          oidcIssuer: aws.identity === "irsa" ? aws.oidcIssuer : undefined,
        },
      },
      build: (cluster, withCommon) => {
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

        const values: BackendValues = {
          provider: "aws",
          pluginImage: backend.pluginImage,
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

        // The replica in the recovery region: the primary's settings, its own bucket, key and region.
        let replica: AwsBackupReplica | undefined;
        const r = cfg.storage.replica;
        if (r) {
          // The alarms notify the "no backups" alarm's topic, or a topic of their own when that
          // alarm is not there (every schedule paused).
          const alerts = !cfg.alerting.cloudAlert
            ? undefined
            : cloudAlarm
              ? { topicArn: cloudAlarm.topicArn }
              : {
                  newTopic: {
                    bucketNameValue: aws.bucketName,
                    emails: cfg.alerting.emails,
                    webhooks: alertWebhooks(cfg),
                    webhookCount: cfg.alerting.webhookCount,
                    tags,
                  },
                };
          replica = new AwsBackupReplica(
            "replica",
            {
              region: r.region,
              bucketName: r.bucketName,
              accountId: aws.accountId,
              partition: aws.partition,
              primary: backupStorage,
              primaryBucketName: aws.bucketName,
              primaryRegion: aws.region,
              primaryKmsKeyArn: aws.kmsKeyArn,
              objectLock: aws.objectLock,
              versionRetentionDays: cfg.storage.versionRetentionDays,
              protect: cfg.storage.protect,
              prefix: cfg.storage.prefix,
              alerts,
              tags,
            },
            onAws,
          );
        }

        return {
          storage: backupStorage,
          values: identity.roleArn
            ? identity.roleArn.apply(
                (roleArn): VeleroValuesArgs =>
                  withCommon({
                    ...values,
                    serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": roleArn },
                  }),
              )
            : withCommon(values),
          credentialsFile: identity.credentialsFile,
          outputs: {
            aws: { region: aws.region, accountId: aws.accountId },
            storage: {
              bucketName: backupStorage.bucketName,
              prefix: cfg.storage.prefix ?? "",
              region: aws.region,
              kmsKeyArn: aws.kmsKeyArn ?? "",
              // Where a destination reads the backups when this region is gone.
              ...(replica && r
                ? {
                    replica: {
                      bucketName: replica.storage.bucketName,
                      region: r.region,
                      kmsKeyArn: replica.kmsKeyArn,
                    },
                  }
                : {}),
            },
            cluster: {
              apiServer: cluster.apiServer,
              uid: cluster.uid,
              kubernetesVersion: pulumi.output(cluster.kubernetesVersion).apply((v) => v ?? ""),
              eksName: cfg.cluster.eksName ?? "",
            },
            identity:
              aws.identity === "irsa"
                ? { mode: "irsa", roleArn: identity.roleArn }
                : { mode: "user", userName: aws.identityName, accessKeyId: identity.accessKeyId },
            alerting: {
              cloudAlert: cloudAlarm?.alarmName ?? "",
              topicArn: cloudAlarm ? cloudAlarm.topicArn : "",
              ...(replica ? { replicationAlarms: replica.alarmNames } : {}),
            },
          },
        };
      },
    };
  },
};
