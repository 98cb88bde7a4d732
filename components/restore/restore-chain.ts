import * as pulumi from "@pulumi/pulumi";
import { Command } from "@pulumi/command/local";
import { scriptCommand } from "../shell/command-script";
import { REPORT_MARK } from "../shell/script";
import { Chain, stepEnvironment, withRestoreDeclarations } from "./chain";
import { stepScript } from "./step";
import { MODE_ENV } from "./velero-steps";

/** The steps created so far, for a resource that comes after one of them. */
export interface ChainView {
  /** The Command of a step created before the one that waits for this resource. */
  command(id: string): Command;
  /** A value an earlier step prints (its `produces` name). */
  produced(name: string): pulumi.Output<string>;
}

/**
 * What steps wait for outside the chain (Step.waitsFor), by name: resources, or a function that
 * creates them once, when the first step that waits for them is created, and may itself wait for
 * earlier steps (Velero installs only after the guard step passed; DNS records wait for the new
 * load balancer's address).
 */
export type ExternalWait = pulumi.Resource[] | ((chain: ChainView) => pulumi.Resource[]);

export interface RestoreChainArgs {
  chain: Chain;
  /** Kubeconfig of the destination cluster (secret). */
  kubeconfig: pulumi.Input<string>;
  /** Values only known from other resources (source outputs), by environment name. */
  runtimeEnv: Record<string, pulumi.Input<string>>;
  /** Secret values by environment name (e.g. the DNS TSIG secret). */
  secretEnv: Record<string, pulumi.Input<string>>;
  /** One entry for each name a step waits for, and none other. */
  external: Record<string, ExternalWait>;
  /**
   * A rehearsal: every Command carries VELERO_DR_MODE=rehearsal, so that the policy pack can hold
   * the chain to it (no DNS, no promotion) from the registered resources alone.
   */
  rehearsal?: boolean;
  /**
   * Declared on every restore-kind Command, for the policy pack (policies/rules/destination.ts,
   * destination-no-cross-region-snapshots): the source's and the destination's regions and the
   * volumes the source backs up only as disk snapshots (REGION_ENV). No script reads them.
   */
  restoreDeclarations?: Record<string, pulumi.Input<string>>;
}

/** The declarations of restore-kind Commands (RestoreChainArgs.restoreDeclarations). */
export const REGION_ENV = {
  source: "VELERO_DR_SOURCE_REGION",
  destination: "VELERO_DR_DESTINATION_REGION",
  snapshotOnly: "VELERO_DR_SNAPSHOT_ONLY_VOLUMES",
} as const;

export { READ_ONLY_STORAGE_ENV, MODE_ENV } from "./velero-steps";

/**
 * A step that succeeded is not run again when an input changes (a later `pulumi up` after a gate):
 * its update says so and prints what the step printed (@pulumi/command passes the previous output
 * in PULUMI_COMMAND_STDOUT/STDERR), so the value it produced and its report marks stay as they were.
 */
export const DONE_SCRIPT = [
  'echo "velero-dr: step ${VELERO_DR_STEP_ID} already succeeded; it is not run again" >&2',
  "printf '%s\\n' \"${PULUMI_COMMAND_STDOUT:-}\"",
  `printf '%s\\n' "\${PULUMI_COMMAND_STDERR:-}" | { grep '^${REPORT_MARK} ' || true; } >&2`,
].join("\n");

/**
 * The restore chain as resources: one `command.local.Command` per step, `dependsOn` following
 * the steps' needs and what they wait for outside the chain. A step that succeeded is in the
 * state and is never run again (its `update` only says so); a step that failed is not, so the
 * next `pulumi up` resumes there. Complete after its constructor.
 */
export class RestoreChain extends pulumi.ComponentResource {
  /** Each step's Command, by step id. */
  public readonly commands: Readonly<Record<string, Command>>;
  /** The chain's last step: what must come after the whole recovery depends on it. */
  public readonly last: Command;
  private readonly producedValues: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: RestoreChainArgs, opts?: pulumi.ComponentResourceOptions) {
    const ids = args.chain.steps.map((s) => s.id);
    super("velero-dr:restore:RestoreChain", name, { steps: ids }, opts);
    const waited = new Set(args.chain.steps.flatMap((s) => s.waitsFor ?? []));
    const unknown = [...waited].filter((w) => !(w in args.external));
    if (unknown.length > 0)
      throw new Error(`no resource supplied for what steps wait for: ${unknown.join(", ")}`);
    const unused = Object.keys(args.external).filter((w) => !waited.has(w));
    if (unused.length > 0) throw new Error(`no step waits for ${unused.join(", ")}`);

    const commands: Record<string, Command> = {};
    const produced: Record<string, pulumi.Output<string>> = {};
    const view: ChainView = {
      command: (id) => {
        const c = commands[id];
        if (!c) throw new Error(`step ${id} is not created yet (or not in the chain)`);
        return c;
      },
      produced: (n) => {
        const v = produced[n];
        if (!v) throw new Error(`no step created so far produces ${n}`);
        return v;
      },
    };
    const external = new Map<string, pulumi.Resource[]>();
    const resolve = (w: string): pulumi.Resource[] => {
      let r = external.get(w);
      if (!r) {
        const e = args.external[w];
        r = typeof e === "function" ? e(view) : e;
        external.set(w, r);
      }
      return r;
    };

    for (const step of args.chain.steps) {
      const env = stepEnvironment(
        step,
        args.chain.env,
        {
          runtime: { ...args.runtimeEnv, ...produced },
          secrets: args.secretEnv,
          kubeconfig: args.kubeconfig,
        },
        (v) => pulumi.secret(v),
      );
      const run = scriptCommand(step.id, { create: stepScript(step), update: DONE_SCRIPT });
      const cmd = new Command(
        `${name}-${step.id}`,
        {
          ...run,
          // Run once: a changed input after success is not a reason to restore again.
          environment: {
            ...withRestoreDeclarations(
              step,
              { ...env, ...(args.rehearsal ? { [MODE_ENV]: "rehearsal" } : {}) },
              args.restoreDeclarations,
            ),
            ...run.environment,
          },
          logging: "stdoutAndStderr",
        },
        {
          parent: this,
          dependsOn: [...step.needs.map(view.command), ...(step.waitsFor ?? []).flatMap(resolve)],
          customTimeouts: { create: `${step.timeoutSeconds + 60}s` },
        },
      );
      commands[step.id] = cmd;
      if (step.produces) produced[step.produces] = lastLine(cmd.stdout);
    }
    this.commands = commands;
    this.producedValues = produced;
    this.last = commands[ids[ids.length - 1]];
    this.registerOutputs({ steps: ids });
  }

  /** A value a step printed (its `produces` name), for resources outside the chain. */
  produced(name: string): pulumi.Output<string> {
    const v = this.producedValues[name];
    if (!v) throw new Error(`no step produces ${name}`);
    return v;
  }
}

/** A step reports its value on the last line of its output. */
export function lastLine(stdout: pulumi.Output<string>): pulumi.Output<string> {
  return stdout.apply((s) => s.trim().split("\n").pop() ?? "");
}
