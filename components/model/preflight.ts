/**
 * Pre-flight checks a plug-in (storage backend, cluster target, DNS provider) runs on the machine
 * of `pulumi up` before a destination registers anything: a login that is missing, a quota that is
 * too small. Generic code only collects what the plug-ins find; each knows its own cloud.
 */

/** What a program run during pre-flight printed and how it ended. */
export interface CommandResult {
  /** Exit status; null when it could not be started or was killed (see `error`). */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run to its end (not found, timed out). */
  error?: string;
}

/** What a plug-in's pre-flight may use: programs on PATH, the environment, other providers' config. */
export interface PreflightContext {
  /** Whether `program` is an executable on PATH. */
  has(program: string): boolean;
  /** Runs `program` (from PATH, no shell) with `args`; the same call is run once per pre-flight. */
  run(program: string, args: string[]): CommandResult;
  /** The environment `pulumi up` runs in (where providers read ARM_*, AWS_* ...). */
  env: Readonly<Record<string, string | undefined>>;
  /** A config value of another namespace, e.g. `azure-native:subscriptionId`. */
  config(namespace: string, key: string): string | undefined;
  /**
   * A preview: it creates nothing and may run elsewhere than the `pulumi up`, so its findings are
   * only warnings; checks that cost a call to a cloud API beyond a login may be skipped.
   */
  preview: boolean;
}

/**
 * A finding. `error`: the stack must not start (the chain would stop half-way, or the cloud would
 * refuse the cluster after its resource group was created). `warning`: said, not refused (e.g. a
 * check that could not be made).
 */
export interface PreflightFinding {
  level: "error" | "warning";
  /** What is wrong and how to fix it; names no secret. */
  message: string;
}
