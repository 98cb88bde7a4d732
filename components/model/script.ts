/** What a bash step or preparation script is: its body and the environment it reads. */

export interface ScriptSpec {
  /** Script body; runs after the prelude with `set -euo pipefail`. */
  body: string;
  /** Environment variables the body reads; the prelude fails fast when one is missing. */
  env: string[];
  /** Environment variables the body reads when set (may be empty). */
  optionalEnv?: string[];
  /** Secret environment variables (never printed, never on a command line). */
  secretEnv?: string[];
  /** Write `$VELERO_DR_KUBECONFIG` to a mode-600 temp file and export KUBECONFIG. */
  kubeconfig: boolean;
  /**
   * Required variables whose values the prelude checks before the body runs: config validated
   * them already, but a body that builds JSON or kubectl arguments from them must not depend on it.
   */
  formats?: Record<string, ValueFormat>;
}

export type ValueFormat = "label" | "count" | "path" | "selector";
