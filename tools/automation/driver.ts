/**
 * The recovery drivers' core (`npm run rehearse`, `npm run dr`): `pulumi up` of a destination stack
 * until the chain is through, each gate handled (by the operator, or by a command given for it),
 * then the recovery report; a rehearsal is destroyed afterwards. The engine is behind EngineOps,
 * so the flow is tested with a scripted engine and run for real by the drill.
 */
import * as fs from "fs";
import * as path from "path";
import { REDACTED } from "../../components/config/stack-file";
import { DestinationStackConfig, RawConfigInput } from "../../components/config/validate";
import { buildRestoreChain } from "../../components/restore/chain";
import { destinationChainInput } from "../../components/restore/destination-chain";
import { buildRecoveryReport, RecoveryReport } from "../../components/restore/recovery-report";
import { renderReportMarkdown } from "../../components/restore/report-render";
import type { Step } from "../../components/restore/step";
import { parseValue, validateStackConfig } from "../../stacks/config";
import { Progress, StepOutcome } from "./progress";

/** What the drivers need from the Pulumi engine (tools/automation/engine.ts: the Automation API). */
export interface EngineOps {
  /** The stack's configuration, secrets left out (never read in plain text). */
  config(): Promise<RawConfigInput>;
  preview(progress: Progress): Promise<{ changes: Record<string, number> }>;
  /** `pulumi up`; rejects nothing: a failed update is `ok: false` with the engine's message. */
  up(progress: Progress, signal: AbortSignal): Promise<{ ok: boolean; message?: string }>;
  destroy(progress: Progress): Promise<{ ok: boolean; message?: string }>;
  /** `pulumi config set --path velero-dr:<key> true`. */
  setTrue(key: string): Promise<void>;
  /** Each chain step's stderr as the state holds it (a step that failed is not in the state). */
  stepOutputs(): Promise<Record<string, string>>;
}

export interface DriverIO {
  /** One line for the operator (progress, gates, the outcome). */
  say(line: string): void;
  /** Asks the operator; resolves with the answer (interactive `npm run dr` only). */
  ask?(question: string): Promise<string>;
  now(): Date;
}

export interface DriveOptions {
  stack: string;
  engine: EngineOps;
  io: DriverIO;
  /** Where the report goes: <outDir>/<stack>.md and .json. */
  outDir: string;
  /** Rehearsal: commands that do what a gate asks, by the gate's config key (`--gate key=command`). */
  gateCommands?: Record<string, (step: Step) => Promise<boolean>>;
  /** Rehearsal: keep the stack (and its cluster) instead of destroying it. */
  keep?: boolean;
  /** A real recovery: do not ask before `pulumi up` (the preview is still shown). */
  yes?: boolean;
  /** Aborted on Ctrl-C: the running update is cancelled (and a rehearsal destroyed). */
  signal?: AbortSignal;
  /** How many gates one run may pass (a gate that keeps failing must not loop). */
  maxGates?: number;
}

export interface DriveResult {
  exitCode: number;
  report?: RecoveryReport;
  files?: { markdown: string; json: string };
  destroyed?: boolean;
}

/** The config key (without the `velero-dr:` namespace) that, set to true, lets a gate pass. */
export function gateKey(step: Step): string {
  return (step.gate?.continueKey ?? "").replace(/^velero-dr:/, "");
}

/** Wrong use of a driver (arguments, a stack of the wrong kind): exit code 2. */
export class UsageError extends Error {}

/** The destination stack's config and its chain's steps, or why this stack cannot be driven. */
export function loadChain(raw: RawConfigInput): { cfg: DestinationStackConfig; steps: Step[] } {
  const cfg = validateStackConfig(raw);
  if (cfg.role !== "destination")
    throw new UsageError(`${raw.stack} is a ${cfg.role} stack; only a destination stack recovers`);
  return { cfg, steps: buildRestoreChain(destinationChainInput(cfg)).steps };
}

/** `npm run rehearse`: up (gates by their commands), report, destroy unless kept. */
export async function rehearse(o: DriveOptions): Promise<DriveResult> {
  const { cfg, steps } = loadChain(await o.engine.config());
  if (cfg.mode !== "rehearsal") {
    o.io.say(
      `rehearse: ${o.stack} is a recovery stack (velero-dr:mode ${cfg.mode}); a rehearsal needs velero-dr:mode rehearsal, which changes nothing in production. For a real recovery use npm run dr -- ${o.stack}`,
    );
    return { exitCode: 2 };
  }
  const run = await upThroughGates(o, cfg, steps, async (step) => {
    const key = gateKey(step);
    const handler = o.gateCommands?.[key];
    if (!handler) {
      o.io.say(
        `rehearse: gate ${step.id} needs a person: ${(step.gate?.instructions ?? []).join(" ")} In a rehearsal, pass --gate ${key}=<command that does it>.`,
      );
      return false;
    }
    o.io.say(`rehearse: gate ${step.id}: running the command given for ${key}`);
    return handler(step);
  });
  const result = await finish(o, cfg, steps, run);
  if (o.keep) {
    o.io.say(`rehearse: --keep: the rehearsal stays up; destroy it with pulumi destroy -s ${o.stack}`);
    return result;
  }
  o.io.say(`rehearse: destroying the rehearsal ${o.stack}`);
  const d = await o.engine.destroy(new Progress(o.io, steps));
  if (!d.ok) o.io.say(`rehearse: pulumi destroy failed: ${d.message ?? ""}`);
  return { ...result, destroyed: d.ok, exitCode: result.exitCode === 0 && d.ok ? 0 : result.exitCode || 1 };
}

/** `npm run dr`: preview, confirmation, up with interactive gates, report. */
export async function recover(o: DriveOptions): Promise<DriveResult> {
  const { cfg, steps } = loadChain(await o.engine.config());
  if (cfg.mode !== "recovery") {
    o.io.say(
      `dr: ${o.stack} is a rehearsal (velero-dr:mode rehearsal): run it with npm run rehearse -- ${o.stack}`,
    );
    return { exitCode: 2 };
  }
  const preview = await o.engine.preview(new Progress(o.io, steps));
  o.io.say(`dr: preview of ${o.stack}: ${summary(preview.changes)}`);
  if (!o.yes) {
    if (!o.io.ask) {
      o.io.say("dr: no terminal to confirm on; pass --yes to recover without asking");
      return { exitCode: 2 };
    }
    const answer = await o.io.ask(
      `dr: this restores ${cfg.profile.displayName} into the destination of ${o.stack}${cfg.dns ? " and moves its DNS" : ""}. Type the stack name to go on: `,
    );
    if (answer.trim() !== o.stack) {
      o.io.say("dr: not confirmed; nothing was changed");
      return { exitCode: 1 };
    }
  }
  const run = await upThroughGates(o, cfg, steps, async (step) => {
    if (!o.io.ask) return false;
    o.io.say(`dr: GATE ${step.id} — ${step.title}. Do this, then come back:`);
    for (const line of step.gate?.instructions ?? []) o.io.say(`  - ${line}`);
    const answer = await o.io.ask(`dr: type "done" once it is done (anything else stops here): `);
    return answer.trim() === "done";
  });
  return finish(o, cfg, steps, run);
}

interface UpRun {
  ok: boolean;
  /** When the first `pulumi up` began. */
  began?: string;
  outcomes: Map<string, StepOutcome>;
  message?: string;
  interrupted: boolean;
}

async function upThroughGates(
  o: DriveOptions,
  cfg: DestinationStackConfig,
  steps: Step[],
  passGate: (step: Step) => Promise<boolean>,
): Promise<UpRun> {
  const outcomes = new Map<string, StepOutcome>();
  const passed = new Set<string>();
  const max = o.maxGates ?? 5;
  const began = o.io.now().toISOString();
  for (;;) {
    const progress = new Progress(o.io, steps);
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    o.signal?.addEventListener("abort", onAbort);
    o.io.say(`${cfg.mode === "rehearsal" ? "rehearse" : "dr"}: pulumi up ${o.stack}`);
    const up = await o.engine.up(progress, controller.signal);
    o.signal?.removeEventListener("abort", onAbort);
    for (const [id, x] of progress.outcomes) outcomes.set(id, { ...outcomes.get(id), ...x });
    if (up.ok) return { ok: true, began, outcomes, interrupted: false };
    if (o.signal?.aborted) return { ok: false, began, outcomes, message: "interrupted", interrupted: true };
    const failedGate = steps.find((s) => s.gate && progress.outcomes.get(s.id)?.failed);
    if (!failedGate || passed.has(failedGate.id) || passed.size >= max) {
      return { ok: false, began, outcomes, message: up.message, interrupted: false };
    }
    if (!(await passGate(failedGate))) {
      return { ok: false, began, outcomes, message: `stopped at gate ${failedGate.id}`, interrupted: false };
    }
    const key = gateKey(failedGate);
    await o.engine.setTrue(key);
    passed.add(failedGate.id);
    outcomes.delete(failedGate.id); // it runs again, and this time it passes
    o.io.say(`${cfg.mode === "rehearsal" ? "rehearse" : "dr"}: set velero-dr:${key} true; going on`);
  }
}

async function finish(
  o: DriveOptions,
  cfg: DestinationStackConfig,
  steps: Step[],
  run: UpRun,
): Promise<DriveResult> {
  const state = await o.engine.stepOutputs();
  // A step that failed is not in the state: its own marks came in the update's output.
  const stderr: Record<string, string> = { ...state };
  const failed: Record<string, { at?: string; message?: string }> = {};
  for (const [id, x] of run.outcomes) {
    if (!(id in stderr) && x.marks.length > 0) stderr[id] = x.marks.join("\n");
    if (x.failed && !(id in state)) failed[id] = { at: x.failedAt, message: x.message };
  }
  const report = buildRecoveryReport({
    stack: o.stack,
    mode: cfg.mode,
    steps,
    stderr,
    failed,
    objectives: cfg.rehearsal.objectives,
    began: run.began,
  });
  if (!run.ok && run.message && !report.problems.some((p) => p.startsWith("step "))) {
    report.problems.unshift(`pulumi up failed: ${run.message.split("\n")[0]}`);
    report.ok = false;
  }
  fs.mkdirSync(o.outDir, { recursive: true });
  const files = {
    markdown: path.join(o.outDir, `${o.stack}.md`),
    json: path.join(o.outDir, `${o.stack}.json`),
  };
  fs.writeFileSync(files.markdown, renderReportMarkdown(report));
  fs.writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  const what = cfg.mode === "rehearsal" ? "rehearse" : "dr";
  o.io.say(
    `${what}: ${report.ok ? "OK" : "NOT OK"} — RTO ${report.rtoSeconds !== undefined ? `${(report.rtoSeconds / 60).toFixed(1)} min` : "not measured"}, RPO ${report.rpoSeconds !== undefined ? `${(report.rpoSeconds / 3600).toFixed(2)} h` : "not measured"}; report: ${files.markdown}`,
  );
  for (const p of report.problems) o.io.say(`${what}: ${p}`);
  return { exitCode: run.interrupted ? 130 : report.ok ? 0 : 1, report, files };
}

/** `npm run report`: the report of the stack's last recovery or rehearsal, from its state. */
export async function reportOnly(
  o: Pick<DriveOptions, "stack" | "engine" | "io" | "outDir">,
): Promise<DriveResult> {
  const { cfg, steps } = loadChain(await o.engine.config());
  return finish({ ...o }, cfg, steps, { ok: true, outcomes: new Map(), interrupted: false });
}

function summary(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([op, n]) => op !== "same" && n > 0)
    .map(([op, n]) => `${n} to ${op}`);
  return parts.length > 0 ? parts.join(", ") : "no changes";
}

/** Config from `pulumi config --json` (no secrets shown): the program's shape of it. */
export function rawConfigFromCli(
  stack: string,
  json: Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>,
): RawConfigInput {
  const values: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const redacted: string[] = [];
  for (const [full, v] of Object.entries(json)) {
    if (!full.startsWith("velero-dr:")) continue;
    const key = full.slice("velero-dr:".length);
    if (v.secret) {
      values[key] = REDACTED;
      secretKeys.push(key);
      redacted.push(key);
    } else if (v.objectValue !== undefined) {
      values[key] = v.objectValue;
    } else {
      values[key] = parseValue(v.value ?? "");
    }
  }
  return { stack, values, secretKeys, redacted };
}
