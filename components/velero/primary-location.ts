import * as pulumi from "@pulumi/pulumi";
import { Command } from "@pulumi/command/local";
import { scriptBody } from "../shell/body";
import { scriptCommand } from "../shell/command-script";
import { buildScript, KUBECONFIG_ENV, ScriptSpec } from "../shell/script";

/** Sets the location ReadWrite and checks it (the same script as the chain's promote step). */
export const PRIMARY_LOCATION: ScriptSpec = {
  kubeconfig: true,
  env: ["VELERO_NAMESPACE", "BSL_NAME"],
  body: scriptBody("bsl-read-write"),
};

export interface PrimaryLocationArgs {
  kubeconfig: pulumi.Input<string>;
  namespace: string;
  bslName: string;
  /**
   * Changes whenever Helm installs, upgrades or rolls back the Velero release (its revision):
   * chart 3.1.6 creates the BackupStorageLocation as a Helm hook, deleted and created again from
   * the release's values on each of them.
   */
  releaseRevision: pulumi.Input<unknown>;
}

/**
 * Keeps the BackupStorageLocation of a cluster that is the primary ReadWrite. A destination
 * installs Velero with the location ReadOnly (nothing may write while backups are restored) and
 * its chain promotes it once; every later change of the Velero release re-creates the location
 * from the values, ReadOnly again, and the new primary's Schedules would then fail validation
 * ("backup storage location ... is currently in read-only mode") without anyone asking. This
 * Command runs after the chain and again after every new release revision, so the access mode
 * is owned by the stack rather than by the first run.
 *
 * `opts.dependsOn`: the location may be made ReadWrite only after these (the restore chain's last
 * step, the release); the Command is given them (children do not inherit a component's dependsOn).
 */
export class PrimaryLocation extends pulumi.ComponentResource {
  public readonly command: Command;

  constructor(name: string, args: PrimaryLocationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:velero:PrimaryLocation", name, {}, opts);
    const run = scriptCommand("primary-location", { create: buildScript(PRIMARY_LOCATION) });
    this.command = new Command(
      `${name}-read-write`,
      {
        ...run,
        environment: {
          ...run.environment,
          [KUBECONFIG_ENV]: pulumi.secret(args.kubeconfig),
          VELERO_NAMESPACE: args.namespace,
          BSL_NAME: args.bslName,
        },
        // A new revision replaces the Command: its create runs again, after the release.
        triggers: [args.releaseRevision],
        logging: "stdoutAndStderr",
      },
      { parent: this, dependsOn: opts?.dependsOn, customTimeouts: { create: "180s" } },
    );
    this.registerOutputs({});
  }
}
