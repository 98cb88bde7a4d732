// GENERATED from components/config/cron.ts by `npm run gen:policy-pack` (tools/policy-pack-sources.ts):
// edit the source, not this copy. The pack must not import outside policies/ (policy publish).
import { CronExpression, CronExpressionParser, CronFieldCollection } from "cron-parser";
import { durationSeconds, isGoDuration } from "../model/durations";

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

/** How many runs past the first the longest gap is looked for at most (for frequent schedules). */
const MAX_STEPS = 20000;
const DAY_MS = 24 * 3600 * 1000;
/** Days the calendar walk looks ahead for the next run before it leaves the case to cron-parser. */
const MAX_SEARCH_DAYS = 400;

/**
 * The longest gap between two runs of a schedule, in seconds, over the next year.
 * Alerting and policy use it: "no successful backup within one period plus a margin".
 *
 * The runs are those cron-parser yields from `from` (UTC), one after the other, until one lies
 * more than 366 days after `from` or 20,000 gaps were seen. They are enumerated here from the
 * parsed fields, day by day, with cron-parser's own day rule (day of month OR day of week when
 * both are restricted): the same runs as its iterator, which steps through dates with luxon at
 * ~20 ms per daily schedule and up to 0.45 s for frequent ones. Expressions the walk does not
 * model (`L`, `#`, no run within 400 days) are left to the iterator
 * (`cronMaxIntervalSecondsByIteration`, which the tests compare this with).
 */
export function cronMaxIntervalSeconds(expression: string, from = new Date(Date.UTC(2030, 0, 1))): number {
  return cronIntervalsSeconds(expression, from).max;
}

/** The shortest and the longest time between two runs within a year, in seconds (as above). */
export function cronIntervalsSeconds(
  expression: string,
  from = new Date(Date.UTC(2030, 0, 1)),
): { min: number; max: number } {
  const expr = expression.trim();
  if (expr in DESCRIPTORS) return { min: DESCRIPTORS[expr], max: DESCRIPTORS[expr] };
  if (expr.startsWith("@every ")) {
    const every = durationSeconds(expr.slice("@every ".length).trim());
    return { min: every, max: every };
  }
  const parsed = CronExpressionParser.parse(expr, { currentDate: from, tz: "UTC" });
  return gapsByCalendar(parsed.fields, from) ?? gapsByIteration(parsed, from);
}

/** The same figure from cron-parser's iterator alone (the reference; slow: one luxon step per run). */
export function cronMaxIntervalSecondsByIteration(
  expression: string,
  from = new Date(Date.UTC(2030, 0, 1)),
): number {
  const expr = expression.trim();
  if (expr in DESCRIPTORS) return DESCRIPTORS[expr];
  if (expr.startsWith("@every ")) {
    return durationSeconds(expr.slice("@every ".length).trim());
  }
  return gapsByIteration(CronExpressionParser.parse(expr, { currentDate: from, tz: "UTC" }), from).max;
}

/** The shortest gap from cron-parser's iterator alone (the reference for the tests). */
export function cronMinIntervalSecondsByIteration(
  expression: string,
  from = new Date(Date.UTC(2030, 0, 1)),
): number {
  return gapsByIteration(
    CronExpressionParser.parse(expression.trim(), { currentDate: from, tz: "UTC" }),
    from,
  ).min;
}

function gapsByIteration(it: CronExpression, from: Date): { min: number; max: number } {
  let prev = it.next().getTime();
  let max = 0;
  let min = Infinity;
  const end = from.getTime() + 366 * DAY_MS;
  for (let i = 0; i < MAX_STEPS; i++) {
    const next = it.next().getTime();
    max = Math.max(max, next - prev);
    min = Math.min(min, next - prev);
    prev = next;
    if (next > end) break;
  }
  return { min: Math.round(min / 1000), max: Math.round(max / 1000) };
}

/** The runs' gaps from the parsed fields, or undefined for what the walk does not model. */
function gapsByCalendar(f: CronFieldCollection, from: Date): { min: number; max: number } | undefined {
  if (f.dayOfMonth.hasLastChar || f.dayOfWeek.hasLastChar || f.dayOfWeek.nthDay > 0) return undefined;
  const sorted = (v: readonly number[]) => [...v].sort((a, b) => a - b);
  // Milliseconds after midnight (UTC) of every run on a matching day, ascending.
  const times: number[] = [];
  for (const h of sorted(f.hour.values as number[])) {
    for (const m of sorted(f.minute.values as number[])) {
      for (const s of sorted(f.second.values as number[])) times.push(((h * 60 + m) * 60 + s) * 1000);
    }
  }
  if (times.length === 0) return undefined;
  const months = f.month.values as number[];
  const doms = f.dayOfMonth.values as number[];
  const dows = f.dayOfWeek.values as number[];
  const domRestricted = !f.dayOfMonth.isWildcard;
  const dowRestricted = !f.dayOfWeek.isWildcard;
  // cron-parser's #matchDayOfMonth, for dates in UTC.
  const dayMatches = (day: Date): boolean => {
    if (!months.includes(day.getUTCMonth() + 1)) return false;
    const dom = doms.includes(day.getUTCDate());
    const dow = dows.includes(day.getUTCDay());
    if (domRestricted && dowRestricted) return dom || dow;
    if (!dowRestricted) return dom;
    return !domRestricted && dow;
  };

  const start = from.getTime();
  let dayStart = Math.floor(start / DAY_MS) * DAY_MS;
  let matches = dayMatches(new Date(dayStart));
  // The first run strictly after `from`, as cron-parser's first next().
  let index = times.findIndex((t) => dayStart + t > start);
  if (index < 0) index = times.length;
  const next = (): number | undefined => {
    for (let searched = 0; !matches || index >= times.length; searched++) {
      if (searched > MAX_SEARCH_DAYS) return undefined;
      dayStart += DAY_MS;
      matches = dayMatches(new Date(dayStart));
      index = 0;
    }
    return dayStart + times[index++];
  };

  let prev = next();
  if (prev === undefined) return undefined;
  let max = 0;
  let min = Infinity;
  const end = start + 366 * DAY_MS;
  for (let i = 0; i < MAX_STEPS; i++) {
    const run = next();
    if (run === undefined) return undefined;
    max = Math.max(max, run - prev);
    min = Math.min(min, run - prev);
    prev = run;
    if (run > end) break;
  }
  return { min: Math.round(min / 1000), max: Math.round(max / 1000) };
}
