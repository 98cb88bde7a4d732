import { ChildProcess, spawn } from "child_process";
import { existsSync, readFileSync, writeFileSync } from "fs";
import { Chain, stepEnvironment, withRestoreDeclarations } from "./chain";
import { Step, stepScript } from "./step";

/**
 * Runs a restore chain locally with bash, step by step in chain order: the same scripts and
 * environment the destination stack's Commands get. Used by the local DR drill and the tests.
 *
 * Like the stack, it records each succeeded step (and the value it produced) in a state file,
 * so a stopped run resumes at the first step that has not succeeded.
 */
export interface RunnerOptions {
  kubeconfig: string;
  /** Values only known at run time (source API server, ...). */
  runtimeEnv?: Record<string, string>;
  secretEnv?: Record<string, string>;
  /** Extra environment for every step (PATH, poll intervals). */
  baseEnv?: Record<string, string>;
  /** Where succeeded steps are recorded; absent: nothing is remembered. */
  stateFile?: string;
  /**
   * What the stack declares on its restore-kind Commands only (RestoreChain's restoreDeclarations):
   * merged as the stack merges them (withRestoreDeclarations). What a script reads belongs in the
   * step model instead (the storage's read-only mode is in the chain's env).
   */
  restoreDeclarations?: Record<string, string>;
  /** Stop (successfully) after this step. */
  stopAfter?: string;
  onStep?: (event: StepEvent) => void;
  /**
   * Called with each step's bash as it starts. The bash leads its own process group (what it starts,
   * kubectl or velero, is in that group), so a caller that stops on a signal can stop a running step
   * with everything it started, instead of leaving it to its deadline.
   */
  onSpawn?: (stepId: string, child: ChildProcess) => void;
}

export interface StepEvent {
  id: string;
  title: string;
  status: "skipped" | "running" | "succeeded" | "failed";
  seconds?: number;
  output?: string;
}

export interface StepResult {
  id: string;
  status: "skipped" | "succeeded" | "failed";
  seconds: number;
  stdout: string;
  stderr: string;
}

interface RunnerState {
  completed: Record<string, { produced?: string }>;
}

export async function runChain(
  chain: Chain,
  o: RunnerOptions,
): Promise<{ ok: boolean; results: StepResult[] }> {
  const state: RunnerState =
    o.stateFile && existsSync(o.stateFile)
      ? JSON.parse(readFileSync(o.stateFile, "utf8"))
      : { completed: {} };
  const produced: Record<string, string> = {};
  const results: StepResult[] = [];
  for (const step of chain.steps) {
    const done = state.completed[step.id];
    if (done) {
      if (step.produces && done.produced !== undefined) produced[step.produces] = done.produced;
      results.push({ id: step.id, status: "skipped", seconds: 0, stdout: "", stderr: "" });
      o.onStep?.({ id: step.id, title: step.title, status: "skipped" });
      continue;
    }
    o.onStep?.({ id: step.id, title: step.title, status: "running" });
    const env = {
      ...(o.baseEnv ?? {}),
      ...withRestoreDeclarations(
        step,
        stepEnvironment(step, chain.env, {
          runtime: { ...(o.runtimeEnv ?? {}), ...produced },
          secrets: o.secretEnv ?? {},
          kubeconfig: o.kubeconfig,
        }),
        o.restoreDeclarations,
      ),
    };
    const started = Date.now();
    const onSpawn = o.onSpawn;
    const r = await runBash(
      stepScript(step),
      env,
      step.timeoutSeconds,
      onSpawn && ((c: ChildProcess) => onSpawn(step.id, c)),
    );
    const seconds = (Date.now() - started) / 1000;
    const ok = r.code === 0;
    results.push({
      id: step.id,
      status: ok ? "succeeded" : "failed",
      seconds,
      stdout: r.stdout,
      stderr: r.stderr,
    });
    o.onStep?.({
      id: step.id,
      title: step.title,
      status: ok ? "succeeded" : "failed",
      seconds,
      output: r.stdout + r.stderr,
    });
    if (!ok) return { ok: false, results };
    const value = step.produces ? lastLine(r.stdout) : undefined;
    if (step.produces && value !== undefined) produced[step.produces] = value;
    state.completed[step.id] = value !== undefined ? { produced: value } : {};
    if (o.stateFile) writeFileSync(o.stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
    if (step.id === o.stopAfter) break;
  }
  return { ok: true, results };
}

function lastLine(s: string): string {
  return s.trim().split("\n").pop() ?? "";
}

function runBash(
  script: string,
  env: Record<string, string>,
  timeoutSeconds: number,
  onSpawn?: (child: ChildProcess) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // In its own process group only for a caller that takes it (onSpawn): otherwise a terminal's
    // Ctrl-C reaches the step with its caller, as for any child.
    const child = spawn("bash", ["-c", script], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: onSpawn !== undefined,
    });
    onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    // The script enforces its own deadline and explains itself; the kill is a backstop, with the
    // same grace the stack gives a Command (customTimeouts = timeout + 60 s).
    const timer = setTimeout(() => killGroup(child), (timeoutSeconds + 60) * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Kills a step's bash and everything in its process group. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid === undefined) throw new Error("not spawned");
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

export type { Step };
