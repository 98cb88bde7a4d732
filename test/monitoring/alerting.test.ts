import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AlertSchedule } from "../../components/config/validate";
import { cronMaxIntervalSeconds } from "../../components/config/cron";
import {
  buildAlertRules,
  PrometheusAlertRule,
  VELERO_1_10_METRICS,
} from "../../components/monitoring/alert-rules";
import {
  azureAlertWindow,
  backupObjectPrefix,
  buildCloudWatchAlarm,
  silenceSeconds,
} from "../../components/monitoring/cloud-alerts";
import {
  prometheusRuleDeleteScript,
  prometheusRuleScript,
} from "../../components/monitoring/prometheus-rule";
import { plainOccurrences, runProgram, RunResult, stackFileConfig } from "../support/harness";
import { shellcheck } from "../support/bash";

/**
 * A small PromQL reader, enough to hold the rules to the shape Prometheus accepts and to the
 * metric names Velero 1.10.3 exports: balanced brackets, known functions, metric selectors with
 * `label="value"` matchers, range selectors with a duration, and a numeric comparison.
 */
const FUNCTIONS = new Set(["time", "absent", "increase"]);
const TOKEN =
  /\s*(?:(?<num>\d+(?:\.\d+)?)(?![a-z])|(?<dur>\[\d+[smhdw]\])|(?<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)|(?<matchers>\{[^}]*\})|(?<op>[()><=!+\-*/]+))/y;

interface Parsed {
  metrics: string[];
  functions: string[];
  comparisons: { op: string; value: number }[];
}

function parsePromQl(expr: string): Parsed {
  const out: Parsed = { metrics: [], functions: [], comparisons: [] };
  let depth = 0;
  let pos = 0;
  let lastOp: string | undefined;
  while (pos < expr.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(expr);
    if (!m || m[0].length === 0) throw new Error(`unexpected text at ${pos}: ${expr.slice(pos)}`);
    pos = TOKEN.lastIndex;
    const g = m.groups as Record<string, string | undefined>;
    if (g.ident) {
      const next = expr.slice(pos).trimStart();
      if (next.startsWith("(")) {
        if (!FUNCTIONS.has(g.ident)) throw new Error(`unknown function ${g.ident}`);
        out.functions.push(g.ident);
      } else {
        out.metrics.push(g.ident);
      }
    } else if (g.matchers) {
      const body = g.matchers.slice(1, -1);
      for (const part of body.split(",")) {
        if (!/^\s*[a-z_]+\s*(=|!=|=~|!~)\s*"[^"]*"\s*$/.test(part)) throw new Error(`bad matcher ${part}`);
      }
    } else if (g.op) {
      for (const c of g.op) {
        if (c === "(") depth++;
        if (c === ")") depth--;
        if (depth < 0) throw new Error("unbalanced )");
      }
      const cmp = g.op.replace(/[()]/g, "");
      if (cmp) lastOp = cmp;
    } else if (g.num) {
      if (lastOp && /^(>|<|>=|<=|==|!=)$/.test(lastOp))
        out.comparisons.push({ op: lastOp, value: Number(g.num) });
    }
  }
  if (depth !== 0) throw new Error("unbalanced (");
  return out;
}

const DAILY: AlertSchedule = { name: "dash-daily", periodSeconds: cronMaxIntervalSeconds("0 0 * * *") };
const HOURLY: AlertSchedule = { name: "dash-hourly", periodSeconds: cronMaxIntervalSeconds("0 * * * *") };
const WEEKDAYS: AlertSchedule = { name: "weekdays", periodSeconds: cronMaxIntervalSeconds("30 2 * * 1-5") };
const MARGIN = 2 * 3600;

describe("alerting", () => {
  describe("in-cluster rules (PrometheusRule spec)", () => {
    const spec = buildAlertRules({
      schedules: [DAILY, HOURLY, WEEKDAYS],
      marginSeconds: MARGIN,
      namespace: "velero",
    });
    const rules = spec.groups.flatMap((g) => g.rules);
    const of = (alert: string, schedule?: string) =>
      rules.find((r) => r.alert === alert && r.labels.schedule === schedule) as PrometheusAlertRule;

    it("the PromQL reader rejects what Prometheus would (it can fail)", () => {
      assert.throws(() => parsePromQl("absent(velero_backup_last_status"), /unbalanced/);
      assert.throws(() => parsePromQl("rate_of(velero_backup_attempt_total)"), /unknown function/);
      assert.throws(() => parsePromQl("velero_backup_attempt_total{schedule=dash}"), /bad matcher/);
    });

    it("every expression parses and references only Velero 1.10.3 metrics", () => {
      for (const r of rules) {
        const p = parsePromQl(r.expr);
        assert.ok(p.metrics.length > 0, r.expr);
        for (const m of p.metrics) {
          assert.ok((VELERO_1_10_METRICS as readonly string[]).includes(m), `${m} in ${r.expr}`);
        }
        assert.ok(!r.expr.includes("velero_backup_last_status"), "last_status exists only from 1.11");
      }
    });

    it("fires when a schedule's last success is older than its cron period plus the margin", () => {
      assert.equal(DAILY.periodSeconds, 86400);
      assert.equal(HOURLY.periodSeconds, 3600);
      assert.equal(WEEKDAYS.periodSeconds, 3 * 86400, "Friday 02:30 to Monday 02:30");
      for (const s of [DAILY, HOURLY, WEEKDAYS]) {
        const r = of("VeleroBackupOverdue", s.name);
        assert.equal(
          r.expr,
          `time() - velero_backup_last_successful_timestamp{schedule="${s.name}"} > ${s.periodSeconds + MARGIN}`,
        );
        assert.deepEqual(parsePromQl(r.expr).comparisons, [{ op: ">", value: s.periodSeconds + MARGIN }]);
        assert.equal(r.labels.severity, "critical");
      }
    });

    it("covers a schedule that never succeeded (no series) with absent() for its period plus margin", () => {
      const r = of("VeleroBackupNeverSucceeded", "dash-daily");
      assert.equal(r.expr, 'absent(velero_backup_last_successful_timestamp{schedule="dash-daily"})');
      assert.equal(r.for, `${86400 + MARGIN}s`);
    });

    it("fires on failures, partial failures and validation failures within the schedule's period", () => {
      assert.equal(
        of("VeleroBackupFailed", "dash-daily").expr,
        'increase(velero_backup_failure_total{schedule="dash-daily"}[86400s]) > 0',
      );
      assert.equal(
        of("VeleroBackupPartiallyFailed", "dash-hourly").expr,
        'increase(velero_backup_partial_failure_total{schedule="dash-hourly"}[3600s]) > 0',
      );
      assert.equal(of("VeleroBackupPartiallyFailed", "dash-hourly").labels.severity, "warning");
      assert.ok(of("VeleroBackupValidationFailed", "weekdays"));
    });

    it("fires when Velero's metrics are absent altogether", () => {
      const r = of("VeleroMetricsAbsent");
      assert.equal(r.expr, "absent(velero_backup_attempt_total)");
      assert.equal(r.for, "15m");
    });
  });

  describe("storage-side alert windows", () => {
    it("waits for the most frequent schedule's period plus the margin", () => {
      assert.equal(silenceSeconds([DAILY, HOURLY], MARGIN), 3600 + MARGIN);
      assert.equal(silenceSeconds([], MARGIN), undefined);
    });

    it("Azure: the smallest window that covers it, clamped to Azure's 24 hours for a daily schedule", () => {
      assert.deepEqual(azureAlertWindow(3600, 3600 + MARGIN), {
        windowSize: "PT6H",
        evaluationFrequency: "PT15M",
        seconds: 6 * 3600,
        clamped: false,
      });
      assert.deepEqual(azureAlertWindow(86400, 86400 + MARGIN), {
        windowSize: "PT24H",
        evaluationFrequency: "PT1H",
        seconds: 86400,
        clamped: true,
      });
      assert.equal(azureAlertWindow(7 * 86400, 7 * 86400 + MARGIN), undefined, "weekly cannot be watched");
    });

    it("AWS: hourly periods that all must be quiet, up to CloudWatch's 7 days", () => {
      const alarm = buildCloudWatchAlarm({ bucketName: "b", filterId: "f", silenceSeconds: 86400 + MARGIN });
      assert.equal(alarm?.evaluationPeriods, 26);
      assert.equal(alarm?.period, 3600);
      assert.equal(alarm?.treatMissingData, "breaching");
      assert.equal(
        buildCloudWatchAlarm({ bucketName: "b", filterId: "f", silenceSeconds: 7 * 86400 + 1 }),
        undefined,
      );
      assert.equal(backupObjectPrefix("cluster-a"), "cluster-a/backups/");
    });
  });

  describe("Azure example: storage alert and action group", () => {
    let run: RunResult;
    before(async () => {
      const { config, secretKeys } = stackFileConfig("example-source-azure");
      config["velero-dr:alertWebhooks"] = JSON.stringify(["https://hooks.example.com/T000/secret-hook-42"]);
      run = await runProgram("example-source-azure", config, [...secretKeys, "velero-dr:alertWebhooks"]);
      if (run.error) throw run.error;
    });

    it("targets the backup account's blob service: no write transaction within the window", () => {
      const alert = run.recorder.one("azure-native:monitor:MetricAlert", "no-backups").inputs;
      const account = run.recorder.one("azure-native:storage:StorageAccount", "backups-account");
      assert.deepEqual(alert.scopes, [
        `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${account.inputs.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/dashbackupsexample01/blobServices/default`,
      ]);
      const c = alert.criteria.allOf[0];
      assert.equal(c.metricName, "Transactions");
      assert.equal(c.metricNamespace, "Microsoft.Storage/storageAccounts/blobServices");
      assert.deepEqual(c.dimensions, [
        { name: "ApiName", operator: "Include", values: ["PutBlob", "PutBlock", "PutBlockList"] },
      ]);
      assert.equal(c.operator, "LessThan");
      assert.equal(c.threshold, 1);
      assert.equal(alert.windowSize, "PT24H");
      assert.equal(alert.resourceGroupName, account.inputs.resourceGroupName);
    });

    it("notifies the configured e-mail and the webhook, the webhook URL only as a secret", () => {
      const group = run.recorder.one("azure-native:monitor:ActionGroup");
      assert.deepEqual(
        group.inputs.emailReceivers.map((r: any) => r.emailAddress),
        ["platform-oncall@example.com"],
      );
      assert.equal(
        group.inputs.webhookReceivers[0].serviceUri,
        "https://hooks.example.com/T000/secret-hook-42",
      );
      for (const r of run.recorder.resources) {
        assert.deepEqual(plainOccurrences(r.raw, "secret-hook-42"), [], `${r.type} ${r.name}`);
      }
      const alert = run.recorder.one("azure-native:monitor:MetricAlert", "no-backups");
      assert.equal(
        alert.inputs.actions[0].actionGroupId,
        `${"/subscriptions/00000000-0000-0000-0000-000000000000"}/resourceGroups/velero-dr-example-source-azure-backups/providers/Microsoft.Insights/actionGroups/${group.inputs.actionGroupName}`,
      );
    });
  });

  describe("the auto PrometheusRule script (bash, shellcheck, fake kubectl)", () => {
    const manifest = JSON.stringify({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule" });

    it("passes shellcheck", () => {
      assert.equal(shellcheck(prometheusRuleScript()), "");
      assert.equal(shellcheck(prometheusRuleDeleteScript()), "");
    });

    function run(served: string, script = prometheusRuleScript(), discoveryFails = false) {
      const dir = mkdtempSync(path.join(tmpdir(), "vdr-promrule-"));
      try {
        const log = path.join(dir, "calls");
        // A fake kubectl: discovery answers from $SERVED, apply/delete record stdin and arguments.
        writeFileSync(
          path.join(dir, "kubectl"),
          [
            "#!/usr/bin/env bash",
            // Global flags the script prelude may add (e.g. --cache-dir) are not the subcommand.
            'args=(); for a in "$@"; do case "$a" in --cache-dir=*|--kubeconfig=*) ;; *) args+=("$a") ;; esac; done',
            'set -- "${args[@]}"',
            `echo "$*" >> "${log}"`,
            'case "$1" in',
            `  api-resources) ${discoveryFails ? "echo 'connection refused' >&2; exit 1" : 'printf "%s" "$SERVED"'} ;;`,
            `  apply) cat >> "${log}" ;;`,
            "esac",
            "",
          ].join("\n"),
        );
        chmodSync(path.join(dir, "kubectl"), 0o755);
        const r = spawnSync("bash", ["-c", script], {
          env: {
            PATH: `${dir}:${process.env.PATH}`,
            SERVED: served,
            VELERO_DR_KUBECONFIG: "apiVersion: v1\nkind: Config\n",
            VELERO_NAMESPACE: "velero",
            PROMETHEUS_RULE_NAME: "velero-dr-backups",
            PROMETHEUS_RULE_MANIFEST: manifest,
          },
          encoding: "utf8",
        });
        let calls = "";
        try {
          calls = readFileSync(log, "utf8");
        } catch {
          calls = "";
        }
        return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr, calls };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it("applies the rule when the cluster serves PrometheusRule", () => {
      const r = run("servicemonitors.monitoring.coreos.com\nprometheusrules.monitoring.coreos.com\n");
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "applied");
      assert.match(r.calls, /^apply -f -$/m);
      assert.ok(r.calls.includes(manifest), "the manifest goes through stdin, not the command line");
    });

    it("skips (and succeeds) without the CRD, saying what to do", () => {
      const r = run("servicemonitors.monitoring.coreos.com\n");
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "skipped");
      assert.match(r.stderr, /no Prometheus operator/);
      assert.ok(!r.calls.includes("apply"));
    });

    it("fails when the cluster cannot be asked (not mistaken for a missing CRD)", () => {
      const r = run("", prometheusRuleScript(), true);
      assert.notEqual(r.status, 0);
    });

    it("deletes the rule on delete, tolerating its absence", () => {
      const r = run("prometheusrules.monitoring.coreos.com\n", prometheusRuleDeleteScript());
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "deleted");
      assert.match(r.calls, /^delete prometheusrule velero-dr-backups -n velero --ignore-not-found$/m);
    });
  });
});
