import * as pulumi from "@pulumi/pulumi";
import { Command } from "@pulumi/command/local";
import { scriptCommand } from "../shell/command-script";
import { buildScript, KUBECONFIG_ENV } from "../shell/script";
import { PreparationStep } from "./preparation";

export interface AppPreparationArgs {
  kubeconfig: pulumi.Input<string>;
  /** From buildPreparation: one Command each, in order. */
  steps: PreparationStep[];
}

/**
 * Prepares the application's workloads for backup (see buildPreparation). The schedules wait for
 * it, so no backup runs before its hooks have a volume to write to.
 *
 * Resource options (`opts`): `dependsOn` is what the first step waits for (children do not inherit
 * it, so the component passes it on); the steps run one after the other.
 */
export class AppPreparation extends pulumi.ComponentResource {
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: AppPreparationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:apps:AppPreparation", name, {}, opts);
    let previous: pulumi.ResourceOptions["dependsOn"] = opts?.dependsOn;
    this.ready = args.steps.map((s) => {
      const script = buildScript(s.script);
      const run = scriptCommand(s.name, {
        create: script,
        update: script,
        ...(s.remove ? { delete: buildScript(s.remove) } : {}),
      });
      const cmd = new Command(
        `${name}-${s.name}`,
        {
          ...run,
          environment: { ...run.environment, [KUBECONFIG_ENV]: pulumi.secret(args.kubeconfig), ...s.env },
          logging: "stdoutAndStderr",
        },
        { parent: this, dependsOn: previous, customTimeouts: { create: "15m", update: "15m" } },
      );
      previous = [cmd];
      return cmd;
    });
    this.registerOutputs({});
  }
}
