import { ConfiguredApp } from "../apps/definition";
import { DnsConfig } from "../dns/dns-config";
import {
  DNS_PUBLISH,
  dnsEnv,
  dnsPublishStep,
  dnsUnpublishStep,
  waitLoadBalancerStep,
} from "../dns/dns-steps";
import { Step, StepEnv, validateChain } from "./step";
import {
  guardStep,
  GUARD,
  promoteStep,
  PROMOTE,
  restoreStep,
  versionGuardStep,
  VERSION_GUARD,
  waitBackupStep,
  waitBslStep,
} from "./velero-steps";

/** Everything that decides a restore chain, as plain data (from validated config). */
export interface ChainInput {
  /** The application, configured from `velero-dr:app`: its profile and its own steps. */
  app: ConfiguredApp;
  veleroNamespace: string;
  bslName: string;
  backup: { name?: string; schedule?: string };
  /** Known when the source outputs are in config; otherwise supplied at run time. */
  sourceApiServer?: string;
  sourceClusterUid?: string;
  dns: DnsConfig;
  promoteToPrimary: boolean;
  allowPartiallyFailed: boolean;
  timeouts: {
    bslSeconds: number;
    backupSyncSeconds: number;
    restoreSeconds: number;
    loadBalancerSeconds: number;
    healthSeconds: number;
  };
}

export interface Chain {
  steps: Step[];
  /** Plain environment values; secrets (kubeconfig, TSIG key) and produced values come from the runner. */
  env: StepEnv;
}

/**
 * The restore chain for a profile, in order. The DNS unpublish (and its TTL wait) runs while
 * Velero syncs, since neither needs the other. Each restore phase is one Velero Restore followed
 * by the application's data steps for it; then the location is promoted, DNS points at the new
 * load balancer, and the application's repair steps and health check close the chain.
 */
export function buildRestoreChain(i: ChainInput): Chain {
  const { profile, chain: app } = i.app;
  const ctx = { healthSeconds: i.timeouts.healthSeconds };
  const steps: Step[] = [
    guardStep(),
    waitBslStep(i.timeouts),
    waitBackupStep(i.timeouts),
    dnsUnpublishStep(i.dns, [GUARD]),
  ];
  let before = ["dns-unpublish"];
  if (profile.versionGuard) {
    steps.push(versionGuardStep(profile.versionGuard));
    before = [...before, VERSION_GUARD];
  }
  const phases = profile.restorePhases;
  phases.forEach((phase, index) => {
    const restore = restoreStep(i.timeouts, before, {
      phase,
      index,
      count: phases.length,
      veleroNamespace: i.veleroNamespace,
    });
    const data = app.afterPhase(phase.id, [restore.id], ctx);
    steps.push(restore, ...data);
    before = [data.length > 0 ? data[data.length - 1].id : restore.id];
  });
  const restored = before;
  const afterRestore: string[] = [];
  if (i.promoteToPrimary) {
    steps.push(promoteStep(restored));
    afterRestore.push(PROMOTE);
  }
  steps.push(waitLoadBalancerStep(restored, i.timeouts.loadBalancerSeconds), dnsPublishStep(i.dns));
  afterRestore.push(DNS_PUBLISH);
  steps.push(...app.afterDns(afterRestore, ctx));
  validateChain(steps);

  const env: StepEnv = {
    ...(i.sourceApiServer ? { SOURCE_API_SERVER: i.sourceApiServer } : {}),
    ...(i.sourceClusterUid ? { SOURCE_CLUSTER_UID: i.sourceClusterUid } : {}),
    VELERO_NAMESPACE: i.veleroNamespace,
    BSL_NAME: i.bslName,
    BSL_TIMEOUT_SECONDS: String(i.timeouts.bslSeconds),
    BACKUP_SYNC_TIMEOUT_SECONDS: String(i.timeouts.backupSyncSeconds),
    ...(i.backup.name ? { BACKUP_NAME: i.backup.name } : {}),
    ...(i.backup.schedule ? { BACKUP_SCHEDULE: i.backup.schedule } : {}),
    RESTORE_TIMEOUT_SECONDS: String(i.timeouts.restoreSeconds),
    RESTORE_ALLOW_PARTIAL: String(i.allowPartiallyFailed),
    LB_NAMESPACE: profile.restore.loadBalancer.namespace,
    LB_SERVICE: profile.restore.loadBalancer.service,
    LB_TIMEOUT_SECONDS: String(i.timeouts.loadBalancerSeconds),
    ...dnsEnv(i.dns),
    ...(i.dns.provider === "manual" ? { DNS_UNPUBLISH_CONFIRMED: String(i.dns.unpublishConfirmed) } : {}),
    ...app.env(ctx),
  };
  return { steps, env };
}

/** The environment one step gets: its declared names, from the chain env and runtime values. */
export function envForStep(
  step: Step,
  env: StepEnv,
  runtime: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [
    ...step.script.env,
    ...(step.script.optionalEnv ?? []),
    ...(step.script.secretEnv ?? []),
  ]) {
    const v = runtime[name] ?? step.vars?.[name] ?? env[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
