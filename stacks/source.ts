import { backendOf } from "../components/backends";
import { SourceStackConfig } from "../components/config/validate";
import { targetOf } from "../components/targets";
import {
  createSchedules,
  inClusterAlerts,
  installVelero,
  SourceOptions,
  veleroOutputs,
  veleroValues,
} from "./source-common";

export { BSL_NAME, CREDENTIALS_REVISION_ANNOTATION, VSL_NAME } from "./source-common";
export type { SourceOptions } from "./source-common";

/**
 * The source stack: backup storage, Velero's identity, Velero and its schedules on a running
 * cluster, and the alerts that fire when backups stop. Takes validated config; registers
 * resources; returns the stack outputs.
 *
 * Composed of the stack's storage backend (components/backends, by `velero-dr:cloud`) and its
 * cluster target (components/targets, chosen from `cluster.*`/`kubeconfig`). Only the backend's
 * and the target's Pulumi code is loaded: an Azure stack does not load the AWS provider nor its
 * components, and the other way round.
 */
export function sourceProgram(cfg: SourceStackConfig, options: SourceOptions = {}): Record<string, unknown> {
  const backend = backendOf(cfg.cloud);
  const run = backend.source().begin(cfg, options);
  const cluster = targetOf("source", backend, cfg).open({
    ...run.targetContext,
    stack: cfg.stack,
    tags: cfg.tags,
    cluster: cfg.cluster,
    kubeconfig: cfg.kubeconfig,
  });
  const parts = run.build(cluster, (b) => veleroValues(cfg, b));
  const velero = installVelero(cfg, cluster, parts.values, parts.credentialsFile, parts.storage);
  const schedules = createSchedules(cfg, cluster, velero);
  const prometheusRule = inClusterAlerts(cfg, cluster, velero);

  const { alerting, ...backendOutputs } = parts.outputs;
  return {
    role: "source",
    cloud: cfg.cloud,
    profile: cfg.profile.name,
    ...backendOutputs,
    velero: veleroOutputs(cfg),
    schedules: schedules.names,
    alerting: { prometheusRule, ...alerting },
  };
}
