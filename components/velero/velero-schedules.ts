import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Command } from "@pulumi/command/local";
import { dependsOnWith } from "../options/depends-on";
import { requireKubernetesProvider } from "../options/kubernetes-provider";
import { scriptCommand } from "../shell/command-script";
import { KUBECONFIG_ENV } from "../shell/script";
import { buildFirstBackupManifest, firstBackupScript } from "./checks";
import { MANAGED_BY_LABELS } from "./specs";

export interface ScheduleResourceInput {
  name: string;
  spec: Record<string, unknown>;
}

/**
 * Resource options (`opts`): the cluster's Kubernetes provider as `provider` (or among `providers`,
 * or a parent's; required when there are schedules), and what the schedules wait for as `dependsOn` (Velero installed, its location usable, the
 * workloads prepared): every Schedule and the first backup wait for it.
 */
export interface VeleroSchedulesArgs {
  kubeconfig: pulumi.Input<string>;
  namespace: string;
  storageLocation: string;
  profile: string;
  schedules: ScheduleResourceInput[];
  /** Create one backup from the first schedule right away (schedules do not run on creation). */
  firstBackup: { enabled: boolean; timeoutSeconds: number };
}

/** Velero Schedule custom resources, one per configured schedule, and an optional first backup. */
export class VeleroSchedules extends pulumi.ComponentResource {
  public readonly names: string[];

  constructor(name: string, args: VeleroSchedulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:velero:VeleroSchedules", name, {}, opts);
    if (args.schedules.length > 0) requireKubernetesProvider(this, `VeleroSchedules ${name}`);
    const created = args.schedules.map(
      (s) =>
        new CustomResource(
          `${name}-${s.name}`,
          {
            apiVersion: "velero.io/v1",
            kind: "Schedule",
            metadata: {
              // A fixed name: backups are named after the schedule and a destination finds them by it.
              name: s.name,
              namespace: args.namespace,
              labels: { ...MANAGED_BY_LABELS, "velero-dr/profile": args.profile },
            },
            spec: s.spec,
          },
          // The provider is the component's; children do not inherit its dependsOn, so it is passed on.
          { parent: this, dependsOn: opts?.dependsOn },
        ),
    );

    if (args.firstBackup.enabled && args.schedules.length > 0) {
      const first = args.schedules[0];
      const backupName = `${first.name}-first`;
      const run = scriptCommand("first-backup", { create: firstBackupScript() });
      new Command(
        `${name}-first-backup`,
        {
          ...run,
          environment: {
            ...run.environment,
            [KUBECONFIG_ENV]: pulumi.secret(args.kubeconfig),
            VELERO_NAMESPACE: args.namespace,
            BACKUP_NAME: backupName,
            BACKUP_MANIFEST: buildFirstBackupManifest({
              name: backupName,
              namespace: args.namespace,
              schedule: first.name,
              storageLocation: args.storageLocation,
              spec: first.spec.template as Record<string, unknown>,
            }),
            BACKUP_TIMEOUT_SECONDS: String(args.firstBackup.timeoutSeconds),
          },
          logging: "stdoutAndStderr",
        },
        {
          parent: this,
          dependsOn: dependsOnWith(opts?.dependsOn, created[0]),
          customTimeouts: { create: `${args.firstBackup.timeoutSeconds + 120}s` },
        },
      );
    }
    this.names = args.schedules.map((s) => s.name);
    this.registerOutputs({ names: this.names });
  }
}
