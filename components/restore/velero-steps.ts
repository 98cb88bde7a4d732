import { RestoreExecHook, RestorePhase, VersionGuard } from "../model/profile";
import { canonicalDuration } from "../model/durations";
import { scriptBodies, scriptBody } from "../shell/body";
import { Step, VeleroCli } from "./step";

/**
 * The application-independent part of a restore: make sure the target is not the source,
 * that Velero sees the storage and the backup, then restore, and hand the location back to
 * read-write when the destination becomes the primary.
 */

export const GUARD = "guard-different-cluster";
export const WAIT_BSL = "wait-bsl-available";
export const WAIT_BACKUP = "wait-backup";
export const RESTORE = "restore";
export const PROMOTE = "bsl-read-write";

/** Names of what Velero steps wait for outside the chain (Step.waitsFor), supplied by the stack. */
export const VELERO_INSTALLED = "velero";
export const STORAGE_ACCESS = "storage-access";
export const RESTORE_ACCESS = "restore-access";

const MANAGED_BY = { "app.kubernetes.io/managed-by": "velero-dr" } as const;

export interface VeleroStepTimeouts {
  bslSeconds: number;
  backupSyncSeconds: number;
  restoreSeconds: number;
}

export function guardStep(): Step {
  return {
    id: GUARD,
    title: "Refuse to restore into the source cluster",
    why: "A restore over the cluster the backup came from would fight its live controllers (and some vendors do not support it): velero-dr restores only into another cluster.",
    kind: "guard",
    script: {
      kubeconfig: true,
      env: ["SOURCE_API_SERVER"],
      optionalEnv: ["SOURCE_CLUSTER_UID", "SOURCE_KUBERNETES_VERSION"],
      body: scriptBody("guard-different-cluster"),
    },
    needs: [],
    timeoutSeconds: 120,
    retry: { attempts: 3, delaySeconds: 10 },
    expected:
      "The destination API server and kube-system uid differ from the source's; its Kubernetes is not older than the source's (where the source reported it).",
  };
}

export function waitBslStep(t: VeleroStepTimeouts): Step {
  return {
    id: WAIT_BSL,
    title: "Wait for the backup storage location to be Available",
    why: "Velero must reach the backup storage before it can list or restore backups.",
    kind: "wait",
    script: {
      kubeconfig: true,
      env: ["VELERO_NAMESPACE", "BSL_NAME", "BSL_TIMEOUT_SECONDS"],
      body: scriptBody("wait-bsl-available"),
    },
    needs: [GUARD],
    // Velero must run, and may list the storage account's keys only once granted.
    waitsFor: [VELERO_INSTALLED, STORAGE_ACCESS],
    timeoutSeconds: t.bslSeconds,
    retry: { attempts: 1, delaySeconds: 0 },
    expected: "velero backup-location get shows the location Available (ReadOnly).",
    veleroCli: {
      note: "Repeat until PHASE is Available (ACCESS MODE ReadOnly):",
      commands: ['velero -n "$VELERO_NAMESPACE" backup-location get "$BSL_NAME"'],
    },
  };
}

export function waitBackupStep(t: VeleroStepTimeouts, backup: { name?: string } = {}): Step {
  return {
    id: WAIT_BACKUP,
    title: "Wait for the backup to sync and be Completed",
    why: "Velero syncs backups from storage once per sync period; a Restore must name a Completed backup (Velero 1.10.3 requires backupName).",
    kind: "wait",
    script: {
      kubeconfig: true,
      env: ["VELERO_NAMESPACE", "BACKUP_SYNC_TIMEOUT_SECONDS"],
      optionalEnv: ["BACKUP_NAME", "BACKUP_SCHEDULE"],
      body: scriptBody("wait-backup"),
    },
    needs: [WAIT_BSL],
    timeoutSeconds: t.backupSyncSeconds,
    retry: { attempts: 1, delaySeconds: 0 },
    produces: "RESTORE_BACKUP_NAME",
    expected: "Prints the name of the backup to restore; velero backup get shows it Completed.",
    veleroCli: backup.name
      ? {
          note: "Repeat until the backup is listed (synced from storage) with STATUS Completed:",
          commands: [
            'velero -n "$VELERO_NAMESPACE" backup get "$BACKUP_NAME"',
            'velero -n "$VELERO_NAMESPACE" backup describe "$BACKUP_NAME" --details',
          ],
        }
      : {
          note: "Repeat until the schedule's backups are listed (synced from storage); the backup to restore is the newest with STATUS Completed, by its COMPLETED time:",
          commands: [
            'velero -n "$VELERO_NAMESPACE" backup get -l "velero.io/schedule-name=$BACKUP_SCHEDULE"',
            'velero -n "$VELERO_NAMESPACE" backup describe <that backup> --details',
          ],
        },
  };
}

export const VERSION_GUARD = "guard-app-version";

/** Refuses a backup taken from another application version than the destination runs. */
export function versionGuardStep(g: VersionGuard): Step {
  return {
    id: VERSION_GUARD,
    title: `Refuse a backup of another application version (${g.workload.kind} ${g.workload.name})`,
    why: g.why,
    kind: "guard",
    script: {
      kubeconfig: true,
      env: [
        "VELERO_NAMESPACE",
        "RESTORE_BACKUP_NAME",
        "VERSION_LABEL",
        "VERSION_NAMESPACE",
        "VERSION_RESOURCE",
        "VERSION_WORKLOAD",
        "VERSION_CONTAINER",
      ],
      body: scriptBodies("workload-version", "guard-app-version"),
    },
    vars: {
      VERSION_LABEL: g.label,
      VERSION_NAMESPACE: g.workload.namespace,
      VERSION_RESOURCE: g.workload.kind === "Deployment" ? "deployments.apps" : "statefulsets.apps",
      VERSION_WORKLOAD: g.workload.name,
      VERSION_CONTAINER: g.workload.container,
    },
    needs: [WAIT_BACKUP],
    timeoutSeconds: 120,
    retry: { attempts: 3, delaySeconds: 10 },
    expected: "The backup's version label equals the image tag the destination's workload runs.",
    veleroCli: {
      note: `The backup's Labels show ${g.label}; it must equal the image tag of container ${g.workload.container} of ${g.workload.kind} ${g.workload.namespace}/${g.workload.name}:`,
      commands: ['velero -n "$VELERO_NAMESPACE" backup describe "$RESTORE_BACKUP_NAME"'],
    },
  };
}

/** Step id of a restore phase: the last phase is `restore`, earlier ones `restore-<phase>`. */
export function restoreStepId(phase: RestorePhase, last: boolean): string {
  return last ? RESTORE : `${RESTORE}-${phase.id}`;
}

/**
 * `true` on the restore steps where Velero's identity cannot write the backup storage while
 * restoring (DestinationSupport.readOnlyRestore): restore.sh then accepts the refused upload of
 * the restore's log and results as the restore's one error, as it does in a rehearsal.
 */
export const READ_ONLY_STORAGE_ENV = "VELERO_DR_STORAGE_READ_ONLY";

/** Set to `rehearsal` on every step of a rehearsal's chain. */
export const MODE_ENV = "VELERO_DR_MODE";

export interface RestorePhaseInput {
  phase: RestorePhase;
  /** Position of the phase; the last one keeps the plain `restore-<backup>` Restore name. */
  index: number;
  count: number;
  veleroNamespace: string;
}

export function restoreStep(t: VeleroStepTimeouts, needs: string[], p?: RestorePhaseInput): Step {
  const phase = p?.phase;
  const last = !p || p.index === p.count - 1;
  const suffix = p && !last ? `-${p.phase.id}` : "";
  return {
    id: p ? restoreStepId(p.phase, last) : RESTORE,
    title: !p
      ? "Restore the backup"
      : p.count === 1
        ? p.phase.title
        : `Restore phase ${p.index + 1}/${p.count} (${p.phase.id}): ${p.phase.title}`,
    why: `${phase?.why ?? "Brings the application's objects (and volumes) back."} The Restore is named after its backup (and phase), so running the step again follows the same Restore instead of restoring twice.`,
    kind: "restore",
    script: {
      kubeconfig: true,
      env: [
        "VELERO_NAMESPACE",
        "RESTORE_BACKUP_NAME",
        "RESTORE_MANIFEST",
        "RESTORE_TIMEOUT_SECONDS",
        "RESTORE_ALLOW_PARTIAL",
      ],
      // restore.sh reads both: declared here, the stack, the drill's runner and the runbook all
      // pass them from the chain's env (ChainInput.restoreEnv), one path for all three.
      optionalEnv: ["RESTORE_NAME_SUFFIX", READ_ONLY_STORAGE_ENV, MODE_ENV],
      body: scriptBody("restore"),
    },
    ...(p
      ? {
          vars: {
            RESTORE_MANIFEST: JSON.stringify(
              buildRestoreManifest({
                namespace: p.veleroNamespace,
                excludedNamespaces: [p.veleroNamespace],
                phase: p.phase,
              }),
            ),
            RESTORE_NAME_SUFFIX: suffix,
          },
        }
      : {}),
    needs: [WAIT_BACKUP, ...needs],
    // A restore creates disks from snapshots in the node resource group: every grant of Velero's
    // identity must exist first (each phase may restore volumes, not only the last).
    waitsFor: [RESTORE_ACCESS],
    timeoutSeconds: t.restoreSeconds,
    retry: { attempts: 1, delaySeconds: 0 },
    expected:
      'The Restore ends Completed. Warnings such as "could not restore ... already exists" and "the in-cluster version is different than the backed-up version" are expected.',
    ...(p ? { veleroCli: restoreCli(p.veleroNamespace, suffix, p.phase) } : {}),
  };
}

/**
 * `velero restore create` with the flags that make the Restore the step creates (Velero 1.10.3's
 * CLI), or, where that CLI has no flag for it (restore hooks, more than one label selector), the
 * commands that follow the Restore created from the manifest.
 */
export function restoreCli(namespace: string, suffix: string, phase: RestorePhase): VeleroCli {
  const spec = buildRestoreManifest({ namespace, excludedNamespaces: [namespace], phase }).spec as {
    excludedNamespaces: string[];
    existingResourcePolicy: string;
    includedResources?: string[];
  };
  const name = `"restore-$RESTORE_BACKUP_NAME${suffix}"`;
  const follow = [
    `velero -n "$VELERO_NAMESPACE" restore describe ${name} --details`,
    `velero -n "$VELERO_NAMESPACE" restore logs ${name}`,
  ];
  const selectors = phase.labelSelectors ?? [];
  const missing = [
    ...(phase.hooks?.length ? ["restore hooks"] : []),
    ...(selectors.length > 1 ? [`${selectors.length} label selectors, where it takes one --selector`] : []),
  ];
  if (missing.length > 0) {
    return {
      note: `Velero 1.10.3's \`velero restore create\` cannot make this Restore (${missing.join(", ")}): create it from the manifest as the step does, then follow it:`,
      commands: follow,
    };
  }
  const list = (items: string[]) => {
    const v = items.join(",");
    return /^[A-Za-z0-9_./=,-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`;
  };
  const selector = selectors.length === 1 ? Object.entries(selectors[0]).map(([k, v]) => `${k}=${v}`) : [];
  const flags = [
    `--from-backup "$RESTORE_BACKUP_NAME"`,
    `--exclude-namespaces ${list(spec.excludedNamespaces)}`,
    ...(spec.includedResources ? [`--include-resources ${list(spec.includedResources)}`] : []),
    ...(selector.length > 0 ? [`--selector ${list(selector)}`] : []),
    "--include-cluster-resources=true",
    "--restore-volumes=true",
    `--existing-resource-policy=${spec.existingResourcePolicy}`,
    `--labels ${Object.entries(MANAGED_BY)
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}`,
    "--wait",
  ];
  return {
    note: "The same Restore (the step shortens a name longer than 63 characters with a hash of the backup name):",
    commands: [
      `velero -n "$VELERO_NAMESPACE" restore create ${name} \\\n  ${flags.join(" \\\n  ")}`,
      ...follow,
    ],
  };
}

export function promoteStep(needs: string[] = [RESTORE]): Step {
  return {
    id: PROMOTE,
    title: "Set the backup storage location back to ReadWrite",
    why: "The destination becomes the primary: its schedules may write new backups to the shared storage again.",
    kind: "promote",
    script: { kubeconfig: true, env: ["VELERO_NAMESPACE", "BSL_NAME"], body: scriptBody("bsl-read-write") },
    needs,
    timeoutSeconds: 120,
    retry: { attempts: 3, delaySeconds: 10 },
    expected: "velero backup-location get shows the location ReadWrite.",
    veleroCli: {
      note: "Velero 1.10.3's `velero backup-location set` changes only --default, --credential and --cacert, not the access mode (`--access-mode` is a flag of `velero backup-location create` only): patch it with kubectl as the step does, then check ACCESS MODE is ReadWrite:",
      commands: ['velero -n "$VELERO_NAMESPACE" backup-location get "$BSL_NAME"'],
    },
  };
}

/** The Restore custom resource, with placeholders the restore step fills in at run time. */
export function buildRestoreManifest(i: {
  namespace: string;
  excludedNamespaces: string[];
  phase?: RestorePhase;
}): Record<string, unknown> {
  const phase = i.phase;
  return {
    apiVersion: "velero.io/v1",
    kind: "Restore",
    metadata: {
      name: "__RESTORE_NAME__",
      namespace: i.namespace,
      labels: { ...MANAGED_BY },
    },
    spec: {
      backupName: "__BACKUP_NAME__",
      excludedNamespaces: i.excludedNamespaces,
      // With any namespace excluded Velero treats the restore as "specific namespaces" and skips
      // every cluster-scoped item unless told otherwise — including the CRDs of the app's custom
      // resources, which then cannot be restored at all (found by the local drill). The backup
      // holds only the cluster-scoped items its namespaces need (their CRDs, volumes).
      includeClusterResources: true,
      restorePVs: true,
      // Keep objects that already exist in the new cluster (kube-root-ca.crt, default service
      // accounts): Velero warns "already exists", which the vendor's guide expects.
      existingResourcePolicy: "none",
      ...(phase?.includedResources ? { includedResources: [...phase.includedResources] } : {}),
      ...(phase?.labelSelectors
        ? { orLabelSelectors: phase.labelSelectors.map((l) => ({ matchLabels: { ...l } })) }
        : {}),
      ...(phase?.hooks?.length ? { hooks: buildRestoreHooks(phase.hooks) } : {}),
    },
  };
}

/** Velero restore hooks: commands run in restored pods once their containers run. */
export function buildRestoreHooks(hooks: RestoreExecHook[]): Record<string, unknown> {
  return {
    resources: hooks.map((h) => ({
      name: h.name,
      includedNamespaces: [h.namespace],
      labelSelector: { matchLabels: { ...h.selector } },
      postHooks: [
        {
          exec: {
            container: h.container,
            command: [...h.command],
            onError: h.onError,
            execTimeout: canonicalDuration(h.execTimeout),
            waitTimeout: canonicalDuration(h.waitTimeout),
          },
        },
      ],
    })),
  };
}
