import * as pulumi from "@pulumi/pulumi";
import type { TargetCluster } from "../components/targets/target";
import type { BackendValues } from "../components/backends/backend";
import { BSL_NAME, VSL_NAME } from "../components/backends/kit/source-kit";
import { backendOf } from "../components/backends";
import { VeleroInstall, VeleroValuesArgs } from "../components/velero/velero-install";
import { VeleroSchedules } from "../components/velero/velero-schedules";
import { veleroSettingsValues } from "../components/velero/values";
import { buildProfileSchedules } from "../components/velero/specs";
import { AppPreparation } from "../components/apps/app-preparation";
import { fsBackupScope } from "../components/config/volume-backup";
import { buildPreparation } from "../components/apps/preparation";
import { SourceStackConfig } from "../components/config/validate";
import { buildAlertRules } from "../components/monitoring/alert-rules";
import { VeleroPrometheusRule } from "../components/monitoring/prometheus-rule";

/**
 * The cloud-neutral part of a source stack, whatever its storage backend and cluster target:
 * the Velero install, its schedules and in-cluster alerts, the Velero outputs.
 */

export { BSL_NAME, CREDENTIALS_REVISION_ANNOTATION, VSL_NAME } from "../components/backends/kit/source-kit";
export type { SourceOptions } from "../components/backends/backend";
const FIRST_BACKUP_TIMEOUT_SECONDS = 3600;

/** Helm values input: the cloud backend's part plus the cloud-neutral settings. */
export function veleroValues(cfg: SourceStackConfig, backend: BackendValues): VeleroValuesArgs {
  const rule = cfg.alerting.prometheusRule;
  return {
    ...backend,
    ...veleroSettingsValues(cfg.velero),
    // The rules are useless unless Prometheus scrapes Velero: the ServiceMonitor follows the rule's mode.
    monitoring: rule === "off" ? undefined : { mode: rule, labels: cfg.alerting.prometheusLabels },
  };
}

export function installVelero(
  cfg: SourceStackConfig,
  cluster: TargetCluster,
  values: pulumi.Input<VeleroValuesArgs>,
  credentialsFile: pulumi.Input<string> | undefined,
  storage: pulumi.Resource | undefined,
): VeleroInstall {
  const v = cfg.velero;
  return new VeleroInstall(
    "velero",
    {
      kubeconfig: cluster.kubeconfig,
      namespace: v.namespace,
      chart: { version: v.chartVersion, repository: v.chartRepository, path: v.chartPath },
      credentialsFile,
      createPriorityClass: v.createPriorityClass,
      helmTimeoutSeconds: v.helmTimeoutSeconds,
      bslCheck: cfg.bslCheck,
      settings: { nodeAgent: v.nodeAgent, priorityClassName: v.priorityClassName, bslName: BSL_NAME },
      values,
    },
    { provider: cluster.provider, dependsOn: storage ? [storage] : [] },
  );
}

export function createSchedules(cfg: SourceStackConfig, cluster: TargetCluster, velero: VeleroInstall) {
  const steps = buildPreparation(cfg.profile, { fsBackup: cfg.fsBackup });
  // The workloads are prepared while Velero installs; a schedule needs both.
  const prepared =
    steps.length === 0 ? [] : new AppPreparation("app", { kubeconfig: cluster.kubeconfig, steps }).ready;
  return new VeleroSchedules(
    "schedules",
    {
      kubeconfig: cluster.kubeconfig,
      namespace: cfg.velero.namespace,
      storageLocation: BSL_NAME,
      profile: cfg.profile.name,
      schedules: buildProfileSchedules(cfg.schedules, cfg.profile, {
        storageLocation: BSL_NAME,
        volumeSnapshotLocation: vslName(cfg),
        defaultVolumesToFsBackup: cfg.velero.defaultVolumesToFsBackup,
      }),
      firstBackup: { enabled: cfg.firstBackup, timeoutSeconds: FIRST_BACKUP_TIMEOUT_SECONDS },
    },
    { provider: cluster.provider, dependsOn: [...velero.ready, ...prepared] },
  );
}

/** The PrometheusRule (or nothing); its status is exported so the stack says what happened. */
export function inClusterAlerts(
  cfg: SourceStackConfig,
  cluster: TargetCluster,
  velero: VeleroInstall,
): pulumi.Input<string> {
  const mode = cfg.alerting.prometheusRule;
  if (mode === "off") return "off";
  const rule = new VeleroPrometheusRule(
    "alerting",
    {
      kubeconfig: cluster.kubeconfig,
      namespace: cfg.velero.namespace,
      mode,
      labels: cfg.alerting.prometheusLabels,
      spec: buildAlertRules({
        schedules: cfg.alerting.schedules,
        marginSeconds: cfg.alerting.marginSeconds,
        namespace: cfg.velero.namespace,
      }),
    },
    { provider: cluster.provider, dependsOn: [velero.release] },
  );
  return rule.status;
}

/** The volume snapshot location Schedules name; none when the backend takes no volume snapshots. */
function vslName(cfg: SourceStackConfig): string | undefined {
  return backendOf(cfg.cloud).volumeSnapshots ? VSL_NAME : undefined;
}

export function veleroOutputs(cfg: SourceStackConfig) {
  const v = cfg.velero;
  return {
    namespace: v.namespace,
    version: v.version,
    chartVersion: v.chartVersion,
    pluginVersion: v.pluginVersion,
    bslName: BSL_NAME,
    vslName: vslName(cfg) ?? "",
    uploaderType: v.nodeAgent ? v.uploaderType : "",
    // What a destination's cross-region guard reads: which volumes are copied file by file (into
    // the backup storage, readable from any region) and whether the rest are disk snapshots
    // (which restore only in their region).
    fsBackup: fsBackupScope({ fsBackup: cfg.fsBackup, defaultVolumesToFsBackup: v.defaultVolumesToFsBackup }),
    snapshotVolumes: vslName(cfg) !== undefined && cfg.profile.snapshotVolumes,
  };
}
