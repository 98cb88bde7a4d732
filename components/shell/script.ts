/**
 * Bash scripts run by @pulumi/command, the runbook and the local drill.
 *
 * Every value a script uses arrives as an environment variable, never by interpolation into
 * the script text, so user input cannot change what a script does; the text of a script is a
 * constant that shellcheck checks. The kubeconfig arrives as content in an environment variable
 * and is written to a private temp file that is removed when the script exits.
 */

/** Environment variable that carries kubeconfig content (a Pulumi secret) into scripts. */
import { ScriptSpec, ValueFormat } from "../model/script";

export const KUBECONFIG_ENV = "VELERO_DR_KUBECONFIG";

export type { ScriptSpec, ValueFormat } from "../model/script";

const FORMATS: Record<ValueFormat, { re: string; expected: string }> = {
  label: { re: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", expected: "a DNS-1123 label" },
  count: { re: "^[0-9]+$", expected: "a whole number" },
  path: { re: "^/[A-Za-z0-9._/-]+$", expected: "an absolute path without '..'" },
  selector: {
    re: "^[A-Za-z0-9][-A-Za-z0-9_./]*=[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
    expected: "a key=value label selector",
  },
};

function formatChecks(spec: ScriptSpec): string[] {
  const lines: string[] = [];
  const used = new Set<ValueFormat>();
  for (const [name, format] of Object.entries(spec.formats ?? {})) {
    if (!spec.env.includes(name))
      throw new Error(`format check of ${name}, which the script does not require`);
    if (!used.has(format)) lines.push(`vdr_re_${format}='${FORMATS[format].re}'`);
    used.add(format);
    const dots = format === "path" ? ` || [[ "$${name}" == *..* ]]` : "";
    lines.push(
      `if ! [[ "$${name}" =~ $vdr_re_${format} ]]${dots}; then`,
      `  echo "velero-dr: ${name} must be ${FORMATS[format].expected}; got: $${name}" >&2`,
      "  exit 2",
      "fi",
    );
  }
  return lines;
}

/** The interpreter Command resources use: scripts are passed as `bash -c <text>`. */
export const BASH_INTERPRETER = ["/bin/bash", "-c"];

/**
 * The prefix of the lines a restore step writes to stderr for the recovery report: its start and
 * end (taken by the step itself, so the report measures what ran, not what the engine scheduled)
 * and the facts it found (components/restore/report-marks.ts reads them back).
 */
export const REPORT_MARK = "velero-dr:report";

const NOW = "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)";

export interface BuildOptions {
  /** Writes the step's start and end (with its exit status) as report marks under this step id. */
  reportStep?: string;
}

export function buildScript(spec: ScriptSpec, opts: BuildOptions = {}): string {
  const required = [...(spec.kubeconfig ? [KUBECONFIG_ENV] : []), ...spec.env, ...(spec.secretEnv ?? [])];
  const lines = ["#!/usr/bin/env bash", "set -euo pipefail"];
  const step = opts.reportStep;
  const usesTmp = spec.kubeconfig || (spec.secretEnv ?? []).length > 0;
  if (step !== undefined) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(step)) throw new Error(`report step id ${step}: use [a-z0-9-]`);
    // First, so that a step refused by its own input checks still reports its start and end. One
    // EXIT trap does everything the script must do however it ends (bash keeps only one).
    const onExit = [
      "vdr_rc=$?",
      ...(usesTmp ? ['if [ -n "${vdr_tmp:-}" ]; then rm -rf "$vdr_tmp"; fi'] : []),
      `echo "${REPORT_MARK} step=${step} end=${NOW} rc=$vdr_rc" >&2`,
    ];
    // vdr_rc is set before the trap only so that shellcheck sees it assigned.
    lines.push(
      `echo "${REPORT_MARK} step=${step} start=${NOW}" >&2`,
      "vdr_rc=0",
      `trap '${onExit.join("; ")}' EXIT`,
    );
  }
  for (const name of [...new Set(required)]) {
    lines.push(
      `if [ -z "\${${name}:-}" ]; then`,
      `  echo "velero-dr: required environment variable ${name} is not set" >&2`,
      "  exit 2",
      "fi",
    );
  }
  lines.push(...formatChecks(spec));
  if (usesTmp) {
    // Private scratch space for secrets written to files; removed however the script ends.
    lines.push("umask 077", 'vdr_tmp="$(mktemp -d)"');
    if (step === undefined) lines.push("trap 'rm -rf \"$vdr_tmp\"' EXIT");
  }
  if (spec.kubeconfig) {
    lines.push(
      `printf '%s\\n' "$${KUBECONFIG_ENV}" > "$vdr_tmp/kubeconfig"`,
      `unset ${KUBECONFIG_ENV}`,
      'export KUBECONFIG="$vdr_tmp/kubeconfig"',
      // A private discovery cache: CRDs restored a moment ago must be visible to the next
      // command (a shared cache can hide them for hours), and nothing leaks into ~/.kube.
      'kubectl() { command kubectl --cache-dir="$vdr_tmp/kube-cache" "$@"; }',
    );
  }
  lines.push(spec.body.trim(), "");
  return lines.join("\n");
}

/** The delimiter of the runbook's step here-documents: no script may contain it (runbookScript refuses). */
export const RUNBOOK_DELIMITER = "VELERO_DR_STEP";

/**
 * A script as the runbook shows it: one block to paste into an interactive bash, after the
 * runbook's exported variables. The script runs in a child bash fed by a quoted here-document
 * (the operator's shell expands nothing in it), so its `exit` and `set -e` end that child, never
 * the operator's shell. In the child the script is one `{ ... }` group, parsed whole before any of
 * it runs — a block pasted in part runs nothing — and reading /dev/null, so no command in it can
 * read the rest of the script as its input. The prelude is buildScript's, with KUBECONFIG (a file
 * the operator exported) instead of the kubeconfig content the stack passes.
 */
export function runbookScript(spec: ScriptSpec, vars: Record<string, string> = {}): string {
  if ([spec.body, ...Object.values(vars)].some((text) => text.includes(RUNBOOK_DELIMITER))) {
    throw new Error(`a script contains ${RUNBOOK_DELIMITER}, the runbook's here-document delimiter`);
  }
  const required = [...(spec.kubeconfig ? ["KUBECONFIG"] : []), ...spec.env, ...(spec.secretEnv ?? [])];
  const lines = [`bash <<'${RUNBOOK_DELIMITER}'`, "{", "set -euo pipefail"];
  for (const [k, v] of Object.entries(vars)) lines.push(`${k}=${shellQuote(v)}`);
  if (required.length > 0) {
    lines.push(
      `for vdr_v in ${[...new Set(required)].join(" ")}; do`,
      '  if [ -z "${!vdr_v:-}" ]; then',
      '    echo "velero-dr: $vdr_v is not set; export it as the runbook says (its Variables block, or the value an earlier step printed)" >&2',
      "    exit 2",
      "  fi",
      "done",
    );
  }
  lines.push(...formatChecks(spec));
  if (spec.kubeconfig || (spec.secretEnv ?? []).length > 0) {
    lines.push("umask 077", 'vdr_tmp="$(mktemp -d)"', "trap 'rm -rf \"$vdr_tmp\"' EXIT");
  }
  if (spec.kubeconfig) {
    lines.push('kubectl() { command kubectl --cache-dir="$vdr_tmp/kube-cache" "$@"; }');
  }
  lines.push(spec.body.trim(), "} </dev/null", RUNBOOK_DELIMITER);
  return lines.join("\n");
}

/** A value as one shell word (single-quoted unless it is plainly safe). */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@=,+-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`;
}
