import { buildScript, ScriptSpec } from "../shell/script";
import { Step } from "../model/step";

export type { Gate, Step, StepEnv, StepKind, StepRetry, VeleroCli } from "../model/step";

/** A step's script as a Command (and the drill's runner) runs it: it reports its own start and end. */
export function stepScript(step: Step): string {
  return buildScript(wrapRetry(step), { reportStep: step.id });
}

/**
 * Wraps a step body in its retry policy: the body runs in a function, and a failed attempt is
 * retried after a delay. Bodies are idempotent, so a retry never does work twice.
 */
function wrapRetry(step: Step): ScriptSpec {
  if (step.retry.attempts <= 1) return step.script;
  // The attempt runs in a subshell that is not part of a condition: inside `if`/`until`, bash
  // ignores `set -e`, and a failing command in the body would not end the attempt.
  const body = [
    "vdr_step() {",
    step.script.body.trim().replace(/^/gm, "  "),
    "}",
    `vdr_attempts=${step.retry.attempts}`,
    "vdr_attempt=1",
    "while :; do",
    "  set +e",
    "  (",
    "    set -e",
    "    vdr_step",
    "  )",
    "  vdr_rc=$?",
    "  set -e",
    '  if [ "$vdr_rc" -eq 0 ]; then',
    "    break",
    "  fi",
    '  if [ "$vdr_attempt" -ge "$vdr_attempts" ]; then',
    `    echo "velero-dr: step ${step.id} failed after $vdr_attempt attempts" >&2`,
    '    exit "$vdr_rc"',
    "  fi",
    `  echo "velero-dr: step ${step.id} attempt $vdr_attempt failed; retrying in ${step.retry.delaySeconds}s" >&2`,
    `  sleep "\${VELERO_DR_RETRY_DELAY_SECONDS:-${step.retry.delaySeconds}}"`,
    "  vdr_attempt=$((vdr_attempt + 1))",
    "done",
  ].join("\n");
  return { ...step.script, body };
}

/** Environment names a step needs besides the kubeconfig. */
export function stepEnvNames(step: Step): string[] {
  return step.script.env;
}

/** Checks the chain is a well-formed DAG in the given order (each step's needs come earlier). */
export function validateChain(steps: Step[]): void {
  const seen = new Set<string>();
  const producers = new Map<string, string>();
  for (const s of steps) {
    if (seen.has(s.id)) throw new Error(`duplicate step id ${s.id}`);
    for (const n of s.needs) {
      if (!seen.has(n)) throw new Error(`step ${s.id} needs ${n}, which does not come before it`);
    }
    for (const e of s.script.env) {
      const from = producers.get(e);
      if (from && !dependsOn(steps, s.id, from)) {
        throw new Error(`step ${s.id} reads ${e} from ${from} without depending on it`);
      }
    }
    if (s.produces) producers.set(s.produces, s.id);
    seen.add(s.id);
  }
}

/** True when `id` depends on `other`, directly or through other steps. */
export function dependsOn(steps: Step[], id: string, other: string): boolean {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const stack = [...(byId.get(id)?.needs ?? [])];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const n = stack.pop() as string;
    if (n === other) return true;
    if (visited.has(n)) continue;
    visited.add(n);
    stack.push(...(byId.get(n)?.needs ?? []));
  }
  return false;
}
