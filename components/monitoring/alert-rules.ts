import { humanDuration } from "../model/durations";
import { AlertSchedule } from "../model/schedules";

/**
 * Prometheus alert rules for Velero 1.10.3, as plain data (a PrometheusRule `spec`).
 *
 * Only metrics Velero 1.10.3 exports are used (pkg/metrics/metrics.go at v1.10.3):
 * `velero_backup_last_status` arrives in 1.11, so "the last backup failed" is read from the
 * failure counters, and "backups stopped" from the last-success timestamp. Every series carries
 * the `schedule` label; a schedule that never succeeded has no timestamp series at all, which
 * `absent()` catches per schedule.
 */

/** The Velero 1.10.3 metrics the rules may reference (a test keeps the rules to this list). */
export const VELERO_1_10_METRICS = [
  "velero_backup_last_successful_timestamp",
  "velero_backup_attempt_total",
  "velero_backup_failure_total",
  "velero_backup_partial_failure_total",
  "velero_backup_validation_failure_total",
] as const;

export const RULE_GROUP = "velero-dr-backups";

export interface PrometheusAlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRuleSpec {
  groups: { name: string; rules: PrometheusAlertRule[] }[];
}

export interface AlertRulesInput {
  schedules: AlertSchedule[];
  marginSeconds: number;
  /** Velero's namespace, for the messages (metrics are matched by schedule name). */
  namespace: string;
}

export function buildAlertRules(i: AlertRulesInput): PrometheusRuleSpec {
  const rules: PrometheusAlertRule[] = [];
  for (const s of i.schedules) {
    const overdue = s.periodSeconds + i.marginSeconds;
    const sel = `{schedule="${s.name}"}`;
    const labels = { schedule: s.name, velero_namespace: i.namespace };
    const every = humanDuration(s.periodSeconds);
    rules.push(
      {
        alert: "VeleroBackupOverdue",
        expr: `time() - velero_backup_last_successful_timestamp${sel} > ${overdue}`,
        for: "5m",
        labels: { ...labels, severity: "critical" },
        annotations: {
          summary: `No successful Velero backup of schedule ${s.name} for more than ${humanDuration(overdue)}`,
          description:
            `Schedule ${s.name} runs at least every ${every}; its last successful backup is older than ` +
            `that plus a ${humanDuration(i.marginSeconds)} margin. Check \`velero backup get\` in namespace ${i.namespace}.`,
        },
      },
      {
        // No series at all: the schedule never completed a backup since Velero started counting.
        alert: "VeleroBackupNeverSucceeded",
        expr: `absent(velero_backup_last_successful_timestamp${sel})`,
        for: `${overdue}s`,
        labels: { ...labels, severity: "critical" },
        annotations: {
          summary: `Schedule ${s.name} has no successful Velero backup for ${humanDuration(overdue)}`,
          description:
            `Velero reports no successful backup of schedule ${s.name} at all (the schedule runs every ${every}). ` +
            "A new schedule alerts once its first period and the margin have passed without a success.",
        },
      },
      {
        alert: "VeleroBackupFailed",
        expr: `increase(velero_backup_failure_total${sel}[${s.periodSeconds}s]) > 0`,
        labels: { ...labels, severity: "critical" },
        annotations: {
          summary: `A Velero backup of schedule ${s.name} failed in the last ${every}`,
          description: `Read \`velero backup describe\` and \`velero backup logs\` of the failed backup (namespace ${i.namespace}).`,
        },
      },
      {
        alert: "VeleroBackupPartiallyFailed",
        expr: `increase(velero_backup_partial_failure_total${sel}[${s.periodSeconds}s]) > 0`,
        labels: { ...labels, severity: "warning" },
        annotations: {
          summary: `A Velero backup of schedule ${s.name} partially failed in the last ${every}`,
          description: `Some items or volumes were not backed up; read \`velero backup describe --details\` (namespace ${i.namespace}).`,
        },
      },
      {
        alert: "VeleroBackupValidationFailed",
        expr: `increase(velero_backup_validation_failure_total${sel}[${s.periodSeconds}s]) > 0`,
        labels: { ...labels, severity: "critical" },
        annotations: {
          summary: `Velero refused a backup of schedule ${s.name} (failed validation) in the last ${every}`,
          description: `The backup spec or its storage location is invalid — or the location is ReadOnly, as a destination's is until it is promoted (\`velero backup-location get\`); read \`velero backup describe\` (namespace ${i.namespace}).`,
        },
      },
    );
  }
  rules.push({
    // Velero zeroes its per-schedule counters at start, so the attempt counter exists whenever
    // Velero runs and is scraped; no series means no Velero, or no scraping, so no other rule works.
    alert: "VeleroMetricsAbsent",
    expr: "absent(velero_backup_attempt_total)",
    for: "15m",
    labels: { velero_namespace: i.namespace, severity: "critical" },
    annotations: {
      summary: "Velero's metrics are missing",
      description: `Velero (namespace ${i.namespace}) is not running or not scraped: no backup alert can fire while this one does.`,
    },
  });
  return { groups: [{ name: RULE_GROUP, rules }] };
}
