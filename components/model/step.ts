import { ScriptSpec } from "./script";

/**
 * The restore step model: one plain-data description of each step of a recovery, read by
 * the destination stack (one Command per step), the runbook generator and the local drill.
 */

export type StepKind =
  | "guard" // refuse to continue when something is unsafe
  | "wait" // wait for the cluster or Velero to reach a state
  | "dns-unpublish"
  | "restore"
  | "promote" // the destination becomes the primary (BSL ReadWrite)
  | "dns-publish"
  | "repair" // post-restore fix-ups the application needs
  | "gate" // a person must act; the chain stops until config says it is done
  | "verify" // check restored data before the chain goes on
  | "health";

export interface StepRetry {
  /** Attempts in total (1 = no retry). */
  attempts: number;
  delaySeconds: number;
}

export interface Gate {
  /** What the person must do, one instruction per line. */
  instructions: string[];
  /** Config key that, set to true, lets the next `pulumi up` continue past the gate. */
  continueKey: string;
}

export interface Step {
  id: string;
  title: string;
  /** Why the step exists (shown in the runbook and logs). */
  why: string;
  kind: StepKind;
  script: ScriptSpec;
  /** Ids of the steps that must have succeeded first. */
  needs: string[];
  /**
   * What the step waits for outside the chain, by name (e.g. `velero`: Velero is installed;
   * `restore-access`: every grant of Velero's identity exists). The stack supplies a resource
   * for each name; the runbook lists them as prerequisites.
   */
  waitsFor?: string[];
  timeoutSeconds: number;
  retry: StepRetry;
  /** What a successful run looks like (runbook). */
  expected: string;
  /** The step prints a value on its last stdout line, exported to later steps under this name. */
  produces?: string;
  gate?: Gate;
  /**
   * Plain values only this step reads (e.g. the Restore manifest of its phase); they win over the
   * chain's env of the same name, and runtime values win over both.
   */
  vars?: StepEnv;
  /** Extra lines for the runbook (e.g. what the stack does around the step as resources). */
  note?: string[];
  /** The same with the `velero` CLI, for the runbook (steps on Velero's resources). */
  veleroCli?: VeleroCli;
}

/**
 * A step's `velero` CLI equivalent (Velero 1.10.3's commands and flags): the commands, with the
 * runbook's exported variables, and what the CLI cannot do that the step does.
 */
export interface VeleroCli {
  commands: string[];
  /** Said before the commands (e.g. "the CLI cannot set the access mode: check it with"). */
  note?: string;
}

/** Plain values the chain's scripts read, by environment variable name (secrets are not here). */
export type StepEnv = Record<string, string>;
