import * as pulumi from "@pulumi/pulumi";
import { Command } from "@pulumi/command/local";
import { BASH_INTERPRETER, KUBECONFIG_ENV } from "../shell/script";
import { Chain, envForStep } from "./chain";
import { Step, stepScript } from "./step";

export interface RestoreChainArgs {
  chain: Chain;
  /** Kubeconfig of the destination cluster (secret). */
  kubeconfig: pulumi.Input<string>;
  /** Values only known from other resources (source outputs), by environment name. */
  runtimeEnv: Record<string, pulumi.Input<string>>;
  /** Secret values by environment name (e.g. the DNS TSIG secret). */
  secretEnv: Record<string, pulumi.Input<string>>;
}

/** Marker every step's Command carries, so logs, policies and `pulumi stack` show which step it is. */
export const STEP_ID_ENV = "VELERO_DR_STEP_ID";
export const STEP_KIND_ENV = "VELERO_DR_STEP_KIND";

const DONE_SCRIPT = [
  "#!/usr/bin/env bash",
  'echo "velero-dr: step ${VELERO_DR_STEP_ID} already succeeded; it is not run again"',
  "",
].join("\n");

/**
 * The restore chain as resources: one `command.local.Command` per step, `dependsOn` following
 * the steps' needs. A step that succeeded is in the state and is never run again (its `update`
 * only says so); a step that failed is not, so the next `pulumi up` resumes there.
 */
export class RestoreChain extends pulumi.ComponentResource {
  public readonly commands: Record<string, Command> = {};
  private readonly args: RestoreChainArgs;
  private readonly name: string;
  private readonly producedValues: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: RestoreChainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:restore:RestoreChain", name, { steps: args.chain.steps.map((s) => s.id) }, opts);
    this.name = name;
    this.args = args;
  }

  /**
   * Creates the Commands of the given steps (in chain order). The stack calls it in parts when
   * other resources must come between steps: Velero is installed only after the guard passed.
   *
   * @param extraDeps resources a step must also wait for, by step id.
   */
  addSteps(ids: string[], extraDeps: Record<string, pulumi.Input<pulumi.Resource>[]> = {}): void {
    // Steps added by an earlier call are skipped, so callers can name "everything up to X".
    for (const step of this.args.chain.steps.filter((s) => ids.includes(s.id) && !this.commands[s.id])) {
      for (const n of step.needs) {
        if (!this.commands[n]) throw new Error(`step ${step.id} needs ${n}, which has not been added yet`);
      }
      const cmd = new Command(
        `${this.name}-${step.id}`,
        {
          create: stepScript(step),
          update: DONE_SCRIPT,
          interpreter: BASH_INTERPRETER,
          environment: this.environmentFor(step),
          logging: "stdoutAndStderr",
        },
        {
          parent: this,
          dependsOn: [...step.needs.map((n) => this.commands[n]), ...(extraDeps[step.id] ?? [])],
          customTimeouts: { create: `${step.timeoutSeconds + 60}s` },
        },
      );
      this.commands[step.id] = cmd;
      if (step.produces) this.producedValues[step.produces] = lastLine(cmd.stdout);
    }
  }

  /** Creates every step not added yet, then completes the component. */
  addRemainingSteps(extraDeps: Record<string, pulumi.Input<pulumi.Resource>[]> = {}): void {
    this.addSteps(
      this.args.chain.steps.map((s) => s.id),
      extraDeps,
    );
    this.registerOutputs({ steps: this.args.chain.steps.map((s: Step) => s.id) });
  }

  /** A value a step printed (its `produces` name), for resources outside the chain. */
  produced(name: string): pulumi.Output<string> {
    const v = this.producedValues[name];
    if (!v) throw new Error(`no step producing ${name} has been added`);
    return v;
  }

  private environmentFor(step: Step): Record<string, pulumi.Input<string>> {
    const runtime: Record<string, pulumi.Input<string>> = { ...this.args.runtimeEnv, ...this.producedValues };
    const env: Record<string, pulumi.Input<string>> = {
      [STEP_ID_ENV]: step.id,
      [STEP_KIND_ENV]: step.kind,
      ...envForStep(step, this.args.chain.env),
    };
    for (const n of [...step.script.env, ...(step.script.optionalEnv ?? [])]) {
      if (runtime[n] !== undefined) env[n] = runtime[n];
    }
    for (const n of step.script.secretEnv ?? []) {
      const v = this.args.secretEnv[n];
      if (v === undefined) throw new Error(`step ${step.id} needs the secret ${n}, which was not provided`);
      env[n] = pulumi.secret(v);
    }
    if (step.script.kubeconfig) env[KUBECONFIG_ENV] = pulumi.secret(this.args.kubeconfig);
    const missing = step.script.env.filter((n) => env[n] === undefined);
    if (missing.length > 0) throw new Error(`step ${step.id} has no value for ${missing.join(", ")}`);
    return env;
  }
}

/** A step reports its value on the last line of its output. */
export function lastLine(stdout: pulumi.Output<string>): pulumi.Output<string> {
  return stdout.apply((s) => s.trim().split("\n").pop() ?? "");
}
