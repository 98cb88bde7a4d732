import * as pulumi from "@pulumi/pulumi";
import { backendOf } from "../components/backends";
import type { DestinationAccess, DestinationSupport } from "../components/backends/backend";
import { SourceOutputs, sourceOutputsSchemaFor } from "../components/config/destination-schema";
import { DestinationStackConfig, destinationVolumeChecks } from "../components/config/validate";
import type { RawDestinationConfig } from "../components/config/destination-schema";
import { DNS_RECORDS, WAIT_LB } from "../components/dns/dns-steps";
import { dnsProviderOf } from "../components/dns/providers";
import { buildRestoreChain } from "../components/restore/chain";
import {
  DESTINATION_BSL,
  DESTINATION_VSL,
  destinationChainInput,
  destinationTags,
  destinationVeleroValues,
} from "../components/restore/destination-chain";
import { ChainView, REGION_ENV, RestoreChain } from "../components/restore/restore-chain";
import { buildRecoveryReport } from "../components/restore/recovery-report";
import { snapshotOnlyVolumes, sourceVolumeFacts } from "../components/config/volume-backup";
import { GUARD, RESTORE_ACCESS, STORAGE_ACCESS, VELERO_INSTALLED } from "../components/restore/velero-steps";
import { targetOf } from "../components/targets";
import type { ClusterTarget, TargetCluster, TargetContext } from "../components/targets/target";
import { buildProfileSchedules } from "../components/velero/specs";
import { VeleroInstall, VeleroValuesArgs } from "../components/velero/velero-install";
import { VeleroSchedules } from "../components/velero/velero-schedules";
import { PrimaryLocation } from "../components/velero/primary-location";
import { CHAIN_TOOLS, machineContext, missingTools, preflightMessage } from "../components/restore/preflight";
import { buildAlertRules } from "../components/monitoring/alert-rules";
import { VeleroPrometheusRule } from "../components/monitoring/prometheus-rule";

const BSL_NAME = DESTINATION_BSL;
const VSL_NAME = DESTINATION_VSL;

export interface DestinationOptions {
  now?: Date;
}

/**
 * The destination stack: when the source cluster is lost, build (or take) a cluster, install
 * Velero read-only on the same backups, and run the restore chain step by step.
 *
 * Composed of the cluster target (components/targets, chosen from `cluster.*`/`kubeconfig`), the
 * storage backend's read side (components/backends, by `velero-dr:cloud`), the DNS provider
 * (components/dns) and the application's restore chain (apps/).
 */
export function destinationProgram(
  cfg: DestinationStackConfig,
  options: DestinationOptions = {},
): Record<string, unknown> {
  const backend = backendOf(cfg.cloud);
  const support = backend.destination as NonNullable<typeof backend.destination>;
  const reader = support.load();
  const clusterTarget = targetOf("destination", backend, cfg);
  const targetContext = support.targetContext(cfg);
  preflight(cfg, support, clusterTarget, targetContext);
  // What the backend's cloud needs that is a resource (AWS: its provider), once the checks passed.
  const cloudContext = reader.context?.(cfg) ?? {};
  const { source, gate } = sourceOutputs(cfg);
  const target = clusterTarget.open({
    after: gate,
    stack: cfg.stack,
    tags: destinationTags(cfg),
    cluster: cfg.cluster,
    kubeconfig: cfg.kubeconfig,
    sourceKubernetesVersion: source.apply((s) => s.cluster.kubernetesVersion),
    ...targetContext,
    ...cloudContext,
  });

  // The guard's value is checked here as well, so a preview already refuses the source cluster.
  const sourceApiServer = pulumi.all([source, target.apiServer]).apply(([s, dest]) => {
    if (dest === s.cluster.apiServer) {
      throw new Error(
        `velero-dr: the destination cluster is the source cluster (${dest}); restoring into the cluster a backup came from is not supported`,
      );
    }
    return s.cluster.apiServer;
  });

  const chain = buildRestoreChain(destinationChainInput(cfg));

  // Velero's identity on the destination (the backend's). For a cluster this stack creates (new,
  // so it cannot be the source cluster) it is built while the cluster is created, and its
  // propagation overlaps the creation instead of delaying Velero. For a cluster that already
  // exists it waits for the guard: that target may yet turn out to be the source.
  let access: DestinationAccess | undefined;
  const veleroAccess = (c: ChainView): DestinationAccess =>
    (access ??= reader.access({
      cfg,
      source,
      target,
      now: options.now,
      after: target.created ? gate : [c.command(GUARD)],
      context: cloudContext,
      tags: destinationTags(cfg),
    }));

  const dns = dnsProviderOf(cfg.dns);
  let records: pulumi.Output<string>[] = [];
  let velero: VeleroInstall | undefined;
  const restore = new RestoreChain("restore", {
    chain,
    rehearsal: cfg.mode === "rehearsal",
    // The storage's read-only mode reaches the restore Commands through the chain (its env).
    restoreDeclarations: regionDeclarations(cfg, source),
    kubeconfig: target.kubeconfig,
    runtimeEnv: {
      SOURCE_API_SERVER: sourceApiServer,
      SOURCE_CLUSTER_UID: source.apply((s) => s.cluster.uid ?? ""),
      // A cluster that already exists tells its version only to the guard (a kubeconfig target).
      SOURCE_KUBERNETES_VERSION: source.apply((s) => s.cluster.kubernetesVersion ?? ""),
    },
    // The provider's secrets that are set (its config check requires the ones its steps read).
    secretEnv: Object.fromEntries(
      Object.entries(dns.secretEnv ?? {})
        .filter(([, key]) => (cfg as unknown as Record<string, unknown>)[key] !== undefined)
        .map(([env, key]) => [env, new pulumi.Config().requireSecret(key)]),
    ),
    external: {
      // Nothing touches the target before the guard has shown it is not the source cluster.
      [VELERO_INSTALLED]: (c) => [
        (velero = veleroInstall(cfg, target, source, veleroAccess(c), c.command(GUARD))).release,
      ],
      // The location is Available once Velero runs and may list the storage: its wait needs the
      // storage access. The restore creates disks from snapshots: it needs every grant of
      // Velero's identity. Neither is left to the credentials Secret, which waits for no grant,
      // so grants that can only start once the cluster exists do not delay Velero's install nor
      // the backup sync.
      [STORAGE_ACCESS]: (c) => veleroAccess(c).storageAccess,
      [RESTORE_ACCESS]: (c) => veleroAccess(c).restoreAccess,
      // The provider's own resources (azure: the RecordSets) wait for the new address; its
      // publish step waits for them.
      ...(dns.resources
        ? {
            [DNS_RECORDS]: (c: ChainView) => {
              const r = dns.resources?.({
                dns: cfg.dns,
                address: c.produced("LB_ADDRESS"),
                after: c.command(WAIT_LB),
              });
              records = r?.records ?? [];
              return r?.publishAfter ?? [];
            },
          }
        : {}),
    },
  });

  const v = cfg.velero;
  let scheduleNames: string[] = [];
  // "off" also when not promoted: a destination that takes no backups has nothing to alert on.
  let alerting: pulumi.Input<string> = "off";
  if (cfg.restore.promoteToPrimary) {
    if (!velero) throw new Error("the restore chain installed no Velero");
    // Where the identity could only read while restoring: its write access, to the location it
    // will write, only now that every restore step succeeded.
    const writeGrants =
      reader.promote?.({
        cfg,
        source,
        context: cloudContext,
        after: [restore.last],
        tags: destinationTags(cfg),
      }) ?? [];
    // The primary's location stays ReadWrite whatever later upgrades of the release re-create.
    const primary = new PrimaryLocation(
      "primary-location",
      {
        kubeconfig: target.kubeconfig,
        namespace: cfg.velero.namespace,
        bslName: BSL_NAME,
        releaseRevision: velero.release.status.revision,
      },
      { dependsOn: [restore.last, velero.release, ...writeGrants] },
    );
    // Only once the restored system is healthy does the destination start writing backups.
    const schedules = new VeleroSchedules(
      "schedules",
      {
        kubeconfig: target.kubeconfig,
        namespace: v.namespace,
        storageLocation: BSL_NAME,
        profile: cfg.profile.name,
        schedules: buildProfileSchedules(cfg.schedules, cfg.profile, {
          storageLocation: BSL_NAME,
          volumeSnapshotLocation: backend.volumeSnapshots ? VSL_NAME : undefined,
          defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
        }),
        firstBackup: { enabled: false, timeoutSeconds: 0 },
      },
      { provider: target.provider, dependsOn: [restore.last, primary.command, ...writeGrants] },
    );
    scheduleNames = schedules.names;
    // The new primary is watched as the source was: a backup its location refuses (ReadOnly)
    // fails validation, which VeleroBackupValidationFailed reports.
    const mode = cfg.alerting.prometheusRule;
    if (mode !== "off") {
      alerting = new VeleroPrometheusRule(
        "alerting",
        {
          kubeconfig: target.kubeconfig,
          namespace: v.namespace,
          mode,
          labels: cfg.alerting.prometheusLabels,
          spec: buildAlertRules({
            schedules: cfg.alerting.schedules,
            marginSeconds: cfg.alerting.marginSeconds,
            namespace: v.namespace,
          }),
        },
        { provider: target.provider, dependsOn: [velero.release, restore.last] },
      ).status;
    }
  }

  return {
    role: "destination",
    profile: cfg.profile.name,
    cluster: { apiServer: target.apiServer, nodeResourceGroup: target.nodeResourceGroup },
    restoreSteps: chain.steps.map((s) => s.id),
    backup: restore.produced("RESTORE_BACKUP_NAME"),
    // Only where the chain waits for the app's load balancer (DNS moved, or the vendor asks).
    ...(chain.steps.some((s) => s.id === WAIT_LB)
      ? { loadBalancerAddress: restore.produced("LB_ADDRESS") }
      : {}),
    dnsRecords: records,
    schedules: scheduleNames,
    alerting: { prometheusRule: alerting },
    runbook: `npm run runbook -- ${cfg.stack}`,
    // What the recovery took, from what its steps wrote while they ran (`npm run report` renders
    // it). Only names, times and counts are in it, so it is not secret although the steps' output is.
    recovery: pulumi.unsecret(
      pulumi
        .all(Object.fromEntries(chain.steps.map((s) => [s.id, restore.commands[s.id].stderr])))
        .apply((stderr) =>
          buildRecoveryReport({
            stack: cfg.stack,
            mode: cfg.mode,
            steps: chain.steps,
            stderr,
            objectives: cfg.rehearsal.objectives,
          }),
        ),
    ),
  };
}

/**
 * What the restore Commands declare for the pack's cross-region rule: the regions and the volumes
 * the source backs up only as disk snapshots ("" where the backend has no regions, or none are).
 */
function regionDeclarations(
  cfg: DestinationStackConfig,
  source: pulumi.Output<SourceOutputs>,
): Record<string, pulumi.Input<string>> {
  const backend = backendOf(cfg.cloud);
  const regions = backend.destination?.regions;
  return {
    [REGION_ENV.source]: source.apply((s) => regions?.source(s) ?? ""),
    [REGION_ENV.destination]: regions ? regions.destination(cfg as unknown as RawDestinationConfig) : "",
    [REGION_ENV.snapshotOnly]: source.apply(
      (s) => snapshotOnlyVolumes(cfg.profile, sourceVolumeFacts(s.velero, backend)) ?? "",
    ),
  };
}

/**
 * Checked before anything is registered: the programs the chain's Commands run on this machine,
 * then each plug-in's own checks (the backend's: its providers' credentials; the target's: a new
 * cluster's quota; the DNS provider's: its CLI's login). Otherwise the chain would stop at the
 * first step that needs what is missing, after the new cluster and Velero were created. A preview
 * only warns (it creates nothing, and may run elsewhere than the `pulumi up`).
 */
function preflight(
  cfg: DestinationStackConfig,
  backend: DestinationSupport,
  target: ClusterTarget,
  targetContext: Pick<TargetContext, "azure">,
): void {
  const dns = dnsProviderOf(cfg.dns);
  const searchPath = process.env.PATH ?? "";
  const missing = missingTools([...CHAIN_TOOLS, ...(dns.tools ?? [])], searchPath);
  const preview = pulumi.runtime.isDryRun();
  const ctx = machineContext({
    searchPath,
    env: process.env,
    config: (namespace, key) => new pulumi.Config(namespace).get(key),
    preview,
  });
  const findings = [
    ...(backend.preflight?.(cfg, ctx) ?? []),
    ...(target.preflight?.({ cluster: cfg.cluster, azure: targetContext.azure }, ctx) ?? []),
    ...(dns.preflight?.(cfg.dns, ctx) ?? []),
  ];
  for (const f of findings.filter((x) => x.level === "warning")) {
    pulumi.log.warn(`velero-dr: pre-flight: ${f.message}`);
  }
  const errors = findings.filter((x) => x.level === "error");
  if (missing.length === 0 && errors.length === 0) return;
  const message = preflightMessage(missing, errors);
  if (preview) {
    pulumi.log.warn(message);
    return;
  }
  throw new pulumi.RunError(message);
}

/** Velero on the target, read-only on the source's backups, with the source's versions. */
function veleroInstall(
  cfg: DestinationStackConfig,
  target: TargetCluster,
  source: pulumi.Output<SourceOutputs>,
  access: DestinationAccess,
  guard: pulumi.Resource,
): VeleroInstall {
  const v = cfg.velero;
  // A workload identity's annotation (AWS: the IRSA role) is the backend's, the rest the source's.
  const values: pulumi.Output<VeleroValuesArgs> = pulumi
    .all([source, access.serviceAccountAnnotations ?? {}])
    .apply(([s, annotations]) => ({
      ...destinationVeleroValues(cfg, s),
      ...(Object.keys(annotations).length > 0 ? { serviceAccountAnnotations: annotations } : {}),
    }));
  return new VeleroInstall(
    "velero",
    {
      kubeconfig: target.kubeconfig,
      namespace: v.namespace,
      chart: {
        version: source.apply((s) => s.velero.chartVersion),
        repository: v.chartRepository,
        path: v.chartPath,
      },
      // Velero is installed while its grants are created and propagate: nothing in it needs them
      // to start. What uses a permission waits for its grant (the location's readiness for the
      // storage access, the restore for every grant).
      credentialsFile: access.credentialsFile,
      createPriorityClass: v.createPriorityClass,
      helmTimeoutSeconds: v.helmTimeoutSeconds,
      bslCheck: { enabled: false, timeoutSeconds: 0 },
      settings: {
        nodeAgent: values.apply((x) => x.nodeAgent),
        priorityClassName: v.priorityClassName,
        bslName: BSL_NAME,
      },
      values,
    },
    { provider: target.provider, dependsOn: [guard] },
  );
}

/**
 * The source stack's outputs, checked: a destination built on a wrong source must stop early. A
 * RunError, so that the engine shows the message without a stack trace (the SDK keeps the error
 * object when it adds the property path).
 */
function sourceOutputs(cfg: DestinationStackConfig): {
  source: pulumi.Output<SourceOutputs>;
  /**
   * What the resources that read nothing of the source's outputs wait for (a new cluster's resource
   * group, Velero's Azure AD application): with a stack reference, its outputs once checked, so
   * that a refusal reaches the engine before anything is created. Everything else reads the
   * outputs, and waits for them anyway.
   */
  gate: pulumi.Input<pulumi.Resource>[];
} {
  if (cfg.source.outputs)
    return { source: pulumi.output(cfg.source.outputs) as unknown as pulumi.Output<SourceOutputs>, gate: [] };
  const ref = new pulumi.StackReference("source", { name: cfg.source.stack as string });
  const checked = ref.outputs.apply((raw) => {
    // A source of another cloud exports none of this backend's keys: say so first.
    const cloud = (raw as { cloud?: unknown }).cloud;
    if (cloud !== undefined && cloud !== cfg.cloud) {
      throw new pulumi.RunError(
        `velero-dr: stack ${cfg.source.stack} backs up to ${String(cloud)} storage, but this destination restores from ${cfg.cloud} (velero-dr:cloud)`,
      );
    }
    const parsed = sourceOutputsSchemaFor(backendOf(cfg.cloud)).safeParse(raw);
    if (!parsed.success) {
      const what = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new pulumi.RunError(
        `velero-dr: stack ${cfg.source.stack} does not export a source stack's outputs (${what})`,
      );
    }
    if (parsed.data.profile !== cfg.profile.name) {
      throw new pulumi.RunError(
        `velero-dr: stack ${cfg.source.stack} backs up profile ${parsed.data.profile}, but this destination restores ${cfg.profile.name}`,
      );
    }
    // What validation checks when the outputs are typed in: the cross-region guard, the node agent
    // and the uploader. Known only now, so refused now.
    const problems = destinationVolumeChecks(
      cfg as unknown as RawDestinationConfig,
      cfg.profile,
      backendOf(cfg.cloud),
      parsed.data as SourceOutputs,
      cfg.volumeKeys,
    );
    if (problems.length > 0) {
      throw new pulumi.RunError(
        `velero-dr: stack ${cfg.source.stack}'s outputs, read through the stack reference, refuse this destination (nothing was created):\n  - ${problems.join("\n  - ")}`,
      );
    }
    return parsed.data as SourceOutputs;
  });
  return { source: checked, gate: [checked.apply(() => ref)] };
}
