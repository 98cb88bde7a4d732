import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as s3 from "@pulumi/aws/s3";
import * as sns from "@pulumi/aws/sns";
import { backupObjectPrefix, buildCloudWatchAlarm } from "./cloud-alerts";
import { humanDuration } from "../model/durations";

export interface AwsBackupAlarmArgs {
  bucketName: pulumi.Input<string>;
  /** Known name of the bucket (the alarm's metric dimension). */
  bucketNameValue: string;
  prefix?: string;
  silenceSeconds: number;
  emails: string[];
  /** Webhook URLs (secret), when configured; `webhookCount` of them (one subscription each). */
  webhooks?: pulumi.Input<string[]>;
  webhookCount: number;
  tags: Record<string, string>;
}

export const REQUEST_METRICS_FILTER = "velero-dr-backups";

/**
 * "No backup written for a while" on the AWS side: S3 request metrics on the backup prefix, a
 * CloudWatch alarm on PutRequests (missing data counts as breaching: S3 reports nothing for an
 * hour without requests) and the SNS topic it notifies.
 */
export class AwsBackupAlarm extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  public readonly alarmName?: pulumi.Output<string>;

  constructor(name: string, args: AwsBackupAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:monitoring:AwsBackupAlarm", name, {}, opts);
    // Request metrics are off by default (and billed as CloudWatch metrics): one filter, backups only.
    const metrics = new s3.BucketMetric(
      `${name}-request-metrics`,
      {
        bucket: args.bucketName,
        name: REQUEST_METRICS_FILTER,
        filter: { prefix: backupObjectPrefix(args.prefix) },
      },
      { parent: this },
    );
    const topic = newAwsAlertTopic(name, args, { parent: this });
    const alarm = buildCloudWatchAlarm({
      bucketName: args.bucketNameValue,
      filterId: REQUEST_METRICS_FILTER,
      silenceSeconds: args.silenceSeconds,
    });
    if (alarm) {
      const created = new cloudwatch.MetricAlarm(
        `${name}-no-backups`,
        {
          ...alarm,
          name: `velero-dr-no-backups-${args.bucketNameValue}`,
          alarmDescription:
            `No backup object written to s3://${args.bucketNameValue}/${backupObjectPrefix(args.prefix)} for ` +
            `${humanDuration(alarm.period * alarm.evaluationPeriods)}: Velero's schedules stopped, or the cluster is gone.`,
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          tags: args.tags,
        },
        { parent: this, dependsOn: [metrics] },
      );
      this.alarmName = created.name;
    } else {
      pulumi.log.warn(
        `velero-dr: no CloudWatch alarm: the longest silence CloudWatch can watch is 7 days, and the schedules allow ${humanDuration(args.silenceSeconds)}; the in-cluster rules still apply`,
        this,
      );
    }
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}

/**
 * The SNS topic of the storage-side alarms (e-mails, secret webhook endpoints): one per backup
 * bucket, notified by the "no backups" alarm and the replica's replication alarms.
 */
export function newAwsAlertTopic(
  name: string,
  args: Pick<AwsBackupAlarmArgs, "bucketNameValue" | "emails" | "webhooks" | "webhookCount" | "tags">,
  opts: pulumi.CustomResourceOptions,
): sns.Topic {
  // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and
  // the notifications carry no secret.
  const topic = new sns.Topic(
    `${name}-topic`,
    { name: `velero-dr-${args.bucketNameValue}`.slice(0, 256), tags: args.tags },
    opts,
  );
  args.emails.forEach(
    (endpoint, i) =>
      new sns.TopicSubscription(
        `${name}-email-${i}`,
        { topic: topic.arn, protocol: "email", endpoint },
        opts,
      ),
  );
  for (let i = 0; i < args.webhookCount; i++) {
    new sns.TopicSubscription(
      `${name}-webhook-${i}`,
      {
        topic: topic.arn,
        protocol: "https",
        endpoint: pulumi.secret(
          pulumi.output(args.webhooks as pulumi.Input<string[]>).apply((urls) => urls[i]),
        ),
      },
      opts,
    );
  }
  return topic;
}
