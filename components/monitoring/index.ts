/**
 * Public entry `velero-dr/monitoring`: alerting when backups stop (Velero's PrometheusRule in the
 * cluster; a CloudWatch alarm or an Azure metric alert on the storage) and the pure rule builders.
 * Importing it registers nothing.
 */
export { buildPrometheusRuleManifest, VeleroPrometheusRule } from "./prometheus-rule";
export type { PrometheusRuleManifestInput, VeleroPrometheusRuleArgs } from "./prometheus-rule";
export { AwsBackupAlarm } from "./aws-backup-alarm";
export type { AwsBackupAlarmArgs } from "./aws-backup-alarm";
export { AzureBackupAlert } from "./azure-backup-alert";
export type { AzureBackupAlertArgs } from "./azure-backup-alert";
export { buildAlertRules, RULE_GROUP } from "./alert-rules";
export type { AlertRulesInput, PrometheusAlertRule, PrometheusRuleSpec } from "./alert-rules";
export { buildCloudWatchAlarm, silenceSeconds } from "./cloud-alerts";
export type { CloudWatchAlarmInput } from "./cloud-alerts";
