import { CronExpressionParser } from "cron-parser";
import { durationSeconds, isGoDuration } from "./durations";

/**
 * Cron expressions as Velero 1.10.3 accepts them.
 *
 * Velero parses `Schedule.spec.schedule` with robfig/cron v1.1.0 `ParseStandard`
 * (pkg/controller/schedule_controller.go): five fields (minute hour day-of-month month
 * day-of-week) or a descriptor (`@daily`, `@every 6h`, ...), no seconds field, no `L`/`W`/`#`,
 * day-of-week 0-6, no `TZ=` prefix (times are the Velero pod's, i.e. UTC). A schedule Velero
 * rejects goes to phase FailedValidation and never runs, which nobody notices until a restore
 * is needed, so the same rules are enforced here before anything is deployed.
 */

const DESCRIPTORS: Record<string, number> = {
  "@yearly": 365 * 24 * 3600,
  "@annually": 365 * 24 * 3600,
  "@monthly": 31 * 24 * 3600,
  "@weekly": 7 * 24 * 3600,
  "@daily": 24 * 3600,
  "@midnight": 24 * 3600,
  "@hourly": 3600,
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const FIELD_CHARS = /^[0-9A-Za-z*,\-/?]+$/;

export interface CronCheck {
  ok: boolean;
  /** Why it is rejected, phrased for a config error message. */
  reason?: string;
}

export function checkVeleroCron(expression: string): CronCheck {
  const expr = expression.trim();
  if (expr === "") return { ok: false, reason: "it is empty" };
  if (expr.startsWith("@")) {
    if (expr in DESCRIPTORS) return { ok: true };
    if (expr.startsWith("@every ")) {
      const d = expr.slice("@every ".length).trim();
      return isGoDuration(d)
        ? { ok: true }
        : { ok: false, reason: `"@every" needs a Go duration, got "${d}"` };
    }
    return { ok: false, reason: `unknown descriptor "${expr.split(/\s/)[0]}"` };
  }
  if (/^TZ=|^CRON_TZ=/.test(expr)) {
    return { ok: false, reason: "Velero 1.10 does not support a TZ= prefix (schedules run in UTC)" };
  }
  const fields = expr.split(/\s+/);
  if (fields.length !== 5) {
    return {
      ok: false,
      reason: `it has ${fields.length} fields; Velero needs exactly 5 (minute hour day month weekday)`,
    };
  }
  for (const [i, f] of fields.entries()) {
    const names = i === 3 ? MONTHS : i === 4 ? WEEKDAYS : [];
    const words = f.match(/[A-Za-z]+/g) ?? [];
    if (!FIELD_CHARS.test(f) || words.some((w) => !names.includes(w.toUpperCase()))) {
      return {
        ok: false,
        reason: `field "${f}" uses characters Velero's cron parser does not accept (L, W and # are not supported)`,
      };
    }
  }
  if (/\b7\b/.test(fields[4].replace(/[A-Za-z]+/g, ""))) {
    return { ok: false, reason: "day-of-week 7 is not accepted by Velero; use 0 for Sunday" };
  }
  try {
    CronExpressionParser.parse(expr, { strict: false, tz: "UTC" });
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  return { ok: true };
}

/**
 * The longest gap between two runs of a schedule, in seconds, over the next year.
 * Alerting and policy use it: "no successful backup within one period plus a margin".
 */
export function cronMaxIntervalSeconds(expression: string, from = new Date(Date.UTC(2030, 0, 1))): number {
  const expr = expression.trim();
  if (expr in DESCRIPTORS) return DESCRIPTORS[expr];
  if (expr.startsWith("@every ")) {
    return durationSeconds(expr.slice("@every ".length).trim());
  }
  const it = CronExpressionParser.parse(expr, { currentDate: from, tz: "UTC" });
  let prev = it.next().getTime();
  let max = 0;
  const end = from.getTime() + 366 * 24 * 3600 * 1000;
  for (let i = 0; i < 20000; i++) {
    const next = it.next().getTime();
    max = Math.max(max, next - prev);
    prev = next;
    if (next > end) break;
  }
  return Math.round(max / 1000);
}
