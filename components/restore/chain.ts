import { AppProfile } from "../apps";
import { DnsConfig } from "../dns/dns-config";
import { WAIT_LB, waitLoadBalancerStep } from "../dns/dns-steps";
import { dnsProviderOf } from "../dns/providers";
import { appChains, AppChainContext } from "./apps";
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
  profile: AppProfile;
  /** The app's validated options (`velero-dr:app`); the profile was configured from them. */
  appOptions: Record<string, unknown>;
  veleroNamespace: string;
  bslName: string;
  backup: { name?: string; schedule?: string };
  /** Known when the source outputs are in config; otherwise supplied at run time. */
  sourceApiServer?: string;
  sourceClusterUid?: string;
  dns: DnsConfig;
  promoteToPrimary: boolean;
  allowPartiallyFailed: boolean;
  airGapped: boolean;
  kots: { automate: boolean; confirmed: boolean; appSlug: string };
  timeouts: {
    bslSeconds: number;
    backupSyncSeconds: number;
    restoreSeconds: number;
    loadBalancerSeconds: number;
    builderSeconds: number;
    builderReconnectSeconds: number;
    healthSeconds: number;
    imageswapSeconds: number;
  };
}

export interface Chain {
  steps: Step[];
  /** Plain environment values; secrets (kubeconfig, TSIG key) and produced values come from the runner. */
  env: StepEnv;
  /** What the steps alone do not show (e.g. that DNS is not changed), for the runbook. */
  notes?: string[];
}

/**
 * The restore chain for a profile, in order. The DNS unpublish (and its TTL wait) runs while
 * Velero syncs, since neither needs the other. Each restore phase is one Velero Restore followed
 * by the application's data steps for it; then the location is promoted, DNS points at the new
 * load balancer, and the application's repair steps and health check close the chain.
 *
 * The DNS provider decides its steps; one without DNS steps (`none`) leaves the restore after the
 * backup sync and the application's later steps after the load balancer address.
 */
export function buildRestoreChain(i: ChainInput): Chain {
  const app = appChains[i.profile.restore.chain];
  if (!app) throw new Error(`no restore chain ${i.profile.restore.chain} for profile ${i.profile.name}`);
  const ctx: AppChainContext = {
    profile: i.profile,
    options: i.appOptions,
    healthSeconds: i.timeouts.healthSeconds,
    dash: {
      airGapped: i.airGapped,
      kots: i.kots,
      builderSeconds: i.timeouts.builderSeconds,
      builderReconnectSeconds: i.timeouts.builderReconnectSeconds,
      imageswapSeconds: i.timeouts.imageswapSeconds,
    },
  };
  const dns = dnsProviderOf(i.dns);
  const unpublish = dns.unpublishStep(i.dns, [GUARD]);
  const steps: Step[] = [guardStep(), waitBslStep(i.timeouts), waitBackupStep(i.timeouts)];
  let before: string[] = [];
  if (unpublish) {
    steps.push(unpublish);
    before = [unpublish.id];
  }
  if (i.profile.versionGuard) {
    steps.push(versionGuardStep(i.profile.versionGuard));
    before = [...before, VERSION_GUARD];
  }
  const phases = i.profile.restorePhases;
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
  steps.push(waitLoadBalancerStep(restored, i.timeouts.loadBalancerSeconds));
  const publish = dns.publishStep(i.dns);
  if (publish) steps.push(publish);
  afterRestore.push(publish ? publish.id : WAIT_LB);
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
    LB_NAMESPACE: i.profile.restore.loadBalancer.namespace,
    LB_SERVICE: i.profile.restore.loadBalancer.service,
    LB_TIMEOUT_SECONDS: String(i.timeouts.loadBalancerSeconds),
    ...dns.env(i.dns),
    ...app.env(ctx),
  };
  const note = dns.runbookNote?.(i.dns);
  return note ? { steps, env, notes: [note] } : { steps, env };
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
