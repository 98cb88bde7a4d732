import { REPORT_MARK } from "../shell/script";
import type { StepKind } from "../model/step";

/**
 * The recovery report: what a recovery (or a rehearsal) took, from what its steps wrote while they
 * ran — each step's start and end as the step itself took them, the backup it restored and the
 * newer ones it skipped, Velero's counts. Plain data in, plain data out: the destination stack
 * exports it, `npm run report` and the drivers render it, the drill checks it.
 */

/** A step of the chain as the report names it (from the one step model). */
export interface ReportStepModel {
  id: string;
  title: string;
  kind: StepKind;
}

export interface ReportedStep {
  id: string;
  title: string;
  kind: StepKind;
  /** `succeeded`, `failed` (it ran and exited non-zero) or `not-run` (no marks: never started). */
  status: "succeeded" | "failed" | "not-run";
  start?: string;
  end?: string;
  seconds?: number;
}

export interface ReportedBackup {
  name: string;
  started?: string;
  completed?: string;
  itemsBackedUp?: number;
  totalItems?: number;
}

export interface ReportedRestore {
  step: string;
  name: string;
  phase: string;
  started?: string;
  completed?: string;
  itemsRestored?: number;
  totalItems?: number;
  warnings: number;
  errors: number;
  /** The one error was Velero's upload of the restore log, refused by a read-only key (rehearsal). */
  refusedUpload?: boolean;
}

export interface Objectives {
  rtoMinutes?: number;
  rpoHours?: number;
}

export interface RecoveryReport {
  stack: string;
  mode: "recovery" | "rehearsal";
  /** True when every step succeeded and the last health step is green. */
  ok: boolean;
  steps: ReportedStep[];
  backup?: ReportedBackup;
  skippedBackups: { name: string; phase: string; why: string }[];
  restores: ReportedRestore[];
  /** First step's start to the end of the last health step; absent until health is green. */
  rtoSeconds?: number;
  /** Age of the restored backup's oldest data (its start) when the restore began. */
  rpoSeconds?: number;
  /**
   * From the start of the first `pulumi up` (a driver knows it) to health green: RTO with the
   * cluster, Velero and identity the stack builds before the chain's first step.
   */
  rtoWithSetupSeconds?: number;
  health: "green" | "failed" | "not-reached";
  objectives?: {
    rtoMinutes?: { target: number; met: boolean };
    rpoHours?: { target: number; met: boolean };
  };
  /** Steps that failed, and objectives missed: why `ok` is false, one line each. */
  problems: string[];
}

type Fields = Record<string, string>;

/** The report marks in a step's stderr, each as its key=value fields, in order. */
export function parseMarks(stderr: string): Fields[] {
  const out: Fields[] = [];
  for (const line of stderr.split("\n")) {
    const t = line.trim();
    if (!t.startsWith(`${REPORT_MARK} `)) continue;
    const fields: Fields = {};
    for (const token of t.slice(REPORT_MARK.length + 1).split(/\s+/)) {
      const eq = token.indexOf("=");
      if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
    }
    out.push(fields);
  }
  return out;
}

export interface ReportInput {
  stack: string;
  mode: "recovery" | "rehearsal";
  steps: ReportStepModel[];
  /** What each step wrote to stderr, by step id: only steps that ran (a failed one, if known). */
  stderr: Record<string, string | undefined>;
  /** Steps known to have failed (the engine said so), when their output is not in the state. */
  failed?: Record<string, { at?: string; message?: string }>;
  objectives?: Objectives;
  /** When the first `pulumi up` of the recovery began (known to a driver, not to the stack). */
  began?: string;
}

const num = (v: string | undefined): number | undefined =>
  v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
const time = (v: string | undefined): string | undefined =>
  v && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : undefined;
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const items = (v: string | undefined): [number | undefined, number | undefined] => {
  const [a, b] = (v ?? "").split("/");
  return [num(a), num(b)];
};

export function buildRecoveryReport(input: ReportInput): RecoveryReport {
  const steps: ReportedStep[] = [];
  const restores: ReportedRestore[] = [];
  const skipped: RecoveryReport["skippedBackups"] = [];
  let backup: ReportedBackup | undefined;
  for (const s of input.steps) {
    const marks = parseMarks(input.stderr[s.id] ?? "");
    const start = time(marks.find((m) => m.step === s.id && m.start !== undefined)?.start);
    const endMark = [...marks].reverse().find((m) => m.step === s.id && m.end !== undefined);
    const end = time(endMark?.end);
    const failed = input.failed?.[s.id];
    const status: ReportedStep["status"] =
      endMark && endMark.rc === "0" && !failed
        ? "succeeded"
        : start || failed || endMark
          ? "failed"
          : "not-run";
    const endAt = end ?? (failed ? time(failed.at) : undefined);
    steps.push({
      id: s.id,
      title: s.title,
      kind: s.kind,
      status,
      ...(start ? { start } : {}),
      ...(endAt ? { end: endAt } : {}),
      ...(start && endAt ? { seconds: seconds(start, endAt) } : {}),
    });
    for (const m of marks) {
      if (m.backup !== undefined && m.restore === undefined) {
        const [backedUp, total] = items(m.items);
        backup = {
          name: m.backup,
          ...(time(m.started) ? { started: time(m.started) } : {}),
          ...(time(m.completed) ? { completed: time(m.completed) } : {}),
          ...(backedUp !== undefined ? { itemsBackedUp: backedUp } : {}),
          ...(total !== undefined ? { totalItems: total } : {}),
        };
      } else if (m.skipped !== undefined) {
        skipped.push({
          name: m.skipped,
          phase: m.phase ?? "unknown",
          why: `it is ${m.phase ?? "not finished"}; only Completed backups are restored`,
        });
      } else if (m.restore !== undefined) {
        const [restored, total] = items(m.items);
        restores.push({
          step: s.id,
          name: m.restore,
          phase: m.phase ?? "unknown",
          ...(time(m.started) ? { started: time(m.started) } : {}),
          ...(time(m.completed) ? { completed: time(m.completed) } : {}),
          ...(restored !== undefined ? { itemsRestored: restored } : {}),
          ...(total !== undefined ? { totalItems: total } : {}),
          warnings: num(m.warnings) ?? 0,
          errors: num(m.errors) ?? 0,
          ...(m.refusedUpload === "true" ? { refusedUpload: true } : {}),
        });
      }
    }
  }

  const problems: string[] = [];
  for (const s of steps.filter((x) => x.status === "failed")) {
    const why = input.failed?.[s.id]?.message;
    problems.push(`step ${s.id} failed${why ? `: ${why.split("\n")[0]}` : ""}`);
  }
  const health = steps.filter((s) => s.kind === "health");
  const healthState: RecoveryReport["health"] =
    health.length > 0 && health.every((s) => s.status === "succeeded")
      ? "green"
      : health.some((s) => s.status === "failed")
        ? "failed"
        : "not-reached";
  const first = steps.find((s) => s.start)?.start;
  const lastHealthEnd = health
    .map((s) => s.end)
    .filter((e): e is string => !!e)
    .sort()
    .pop();
  const rtoSeconds =
    healthState === "green" && first && lastHealthEnd ? seconds(first, lastHealthEnd) : undefined;
  const began = time(input.began);
  const rtoWithSetupSeconds =
    rtoSeconds !== undefined && began && lastHealthEnd ? seconds(began, lastHealthEnd) : undefined;
  // The restore began when its first Restore started (Velero's own time), else when its step started.
  const restoreBegan =
    restores
      .map((r) => r.started)
      .filter((x): x is string => !!x)
      .sort()[0] ?? steps.find((s) => s.kind === "restore" && s.start)?.start;
  const dataFrom = backup?.started ?? backup?.completed;
  const rpoSeconds = restoreBegan && dataFrom ? seconds(dataFrom, restoreBegan) : undefined;

  const o = input.objectives ?? {};
  const objectives: RecoveryReport["objectives"] = {};
  const judge = (
    key: "rtoMinutes" | "rpoHours",
    actual: number | undefined,
    unitSeconds: number,
    show: (s: number) => string,
    unit: string,
    unmeasured: string,
  ) => {
    const target = o[key];
    if (target === undefined) return;
    const met = actual !== undefined && actual <= target * unitSeconds;
    objectives[key] = { target, met };
    const what = key === "rtoMinutes" ? "RTO" : "RPO";
    if (!met)
      problems.push(
        actual === undefined
          ? `${what} objective ${target} ${unit}: not measured (${unmeasured})`
          : `${what} ${show(actual)} exceeds the objective of ${target} ${unit}`,
      );
  };
  judge("rtoMinutes", rtoSeconds, 60, minutes, "min", "health not green");
  judge("rpoHours", rpoSeconds, 3600, hours, "h", "no backup restored");
  if (healthState !== "green" && !problems.some((p) => p.startsWith("step "))) {
    problems.push(`health ${healthState === "failed" ? "failed" : "was not reached"}`);
  }
  return {
    stack: input.stack,
    mode: input.mode,
    ok: problems.length === 0,
    steps,
    ...(backup ? { backup } : {}),
    skippedBackups: skipped,
    restores,
    ...(rtoSeconds !== undefined ? { rtoSeconds } : {}),
    ...(rpoSeconds !== undefined ? { rpoSeconds } : {}),
    ...(rtoWithSetupSeconds !== undefined ? { rtoWithSetupSeconds } : {}),
    health: healthState,
    ...(Object.keys(objectives).length > 0 ? { objectives } : {}),
    problems,
  };
}

export const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;
export const hours = (s: number) => `${(s / 3600).toFixed(2)} h`;
