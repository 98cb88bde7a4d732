import { AlertSchedule } from "../model/schedules";

/**
 * Storage-side "backups stopped" alerts, as plain data. They watch the backup storage, not the
 * cluster, so they fire even when the cluster (and the Prometheus in it) is gone.
 */

/**
 * The silence that means "backups stopped": the shortest unpaused schedule period plus the
 * margin (any schedule's backup writes to the same storage), or undefined without schedules.
 */
export function silenceSeconds(schedules: AlertSchedule[], marginSeconds: number): number | undefined {
  if (schedules.length === 0) return undefined;
  return Math.min(...schedules.map((s) => s.periodSeconds)) + marginSeconds;
}

/** Azure Monitor metric alert windows (ISO 8601) in seconds; 24 hours is the longest it accepts. */
const AZURE_WINDOWS: [number, string][] = [
  [300, "PT5M"],
  [900, "PT15M"],
  [1800, "PT30M"],
  [3600, "PT1H"],
  [6 * 3600, "PT6H"],
  [12 * 3600, "PT12H"],
  [24 * 3600, "PT24H"],
];

export interface AzureAlertWindow {
  windowSize: string;
  evaluationFrequency: string;
  /** Seconds the window really covers (may be less than asked: see clamped). */
  seconds: number;
  /** True when the margin did not fit in Azure's 24-hour maximum. */
  clamped: boolean;
}

/**
 * The smallest Azure window that covers `silence`. Azure's longest window is 24 hours: a daily
 * schedule plus its margin is clamped to 24 hours (backups then overlap the window by their own
 * write time); a schedule that runs less often than daily cannot be watched this way (undefined).
 */
export function azureAlertWindow(periodSeconds: number, silence: number): AzureAlertWindow | undefined {
  if (periodSeconds > 24 * 3600) return undefined;
  const fit = AZURE_WINDOWS.find(([s]) => s >= silence);
  const [seconds, windowSize] = fit ?? AZURE_WINDOWS[AZURE_WINDOWS.length - 1];
  const evaluationFrequency = seconds <= 3600 ? "PT5M" : seconds <= 12 * 3600 ? "PT15M" : "PT1H";
  return { windowSize, evaluationFrequency, seconds, clamped: fit === undefined };
}

/** Blob API calls that write backup data (velero-plugin-for-microsoft-azure uploads block blobs). */
export const AZURE_WRITE_APIS = ["PutBlob", "PutBlock", "PutBlockList"];

export function buildAzureMetricCriteria() {
  return {
    odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria" as const,
    allOf: [
      {
        criterionType: "StaticThresholdCriterion" as const,
        name: "no-backup-writes",
        metricNamespace: "Microsoft.Storage/storageAccounts/blobServices",
        metricName: "Transactions",
        dimensions: [{ name: "ApiName", operator: "Include", values: AZURE_WRITE_APIS }],
        timeAggregation: "Total",
        operator: "LessThan",
        threshold: 1,
      },
    ],
  };
}

/** The blob service of an account: where Transactions per ApiName are reported. */
export function blobServiceId(accountId: string): string {
  return `${accountId}/blobServices/default`;
}

/** CloudWatch evaluates at most 7 days of 1-hour periods. */
const CW_PERIOD = 3600;
const CW_MAX_PERIODS = (7 * 24 * 3600) / CW_PERIOD;

export interface CloudWatchAlarmInput {
  bucketName: string;
  /** The request-metrics configuration (S3 `FilterId` dimension). */
  filterId: string;
  silenceSeconds: number;
}

/**
 * "No PutObject into the backup prefix for N hours". S3 request metrics are only emitted for
 * periods with requests, so missing data is the signal: treatMissingData breaching. Undefined
 * when the silence exceeds CloudWatch's 7-day evaluation range.
 */
export function buildCloudWatchAlarm(i: CloudWatchAlarmInput) {
  const periods = Math.ceil(i.silenceSeconds / CW_PERIOD);
  if (periods > CW_MAX_PERIODS) return undefined;
  return {
    namespace: "AWS/S3",
    metricName: "PutRequests",
    dimensions: { BucketName: i.bucketName, FilterId: i.filterId },
    statistic: "Sum",
    period: CW_PERIOD,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
  };
}

/** Only backup writes count: Velero stores backups under `<prefix>/backups/`. */
export function backupObjectPrefix(prefix?: string): string {
  return prefix ? `${prefix}/backups/` : "backups/";
}
