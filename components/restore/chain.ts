import { AppProfile } from "../apps";
import { DnsConfig } from "../dns/dns-config";
import {
  DNS_PUBLISH,
  dnsEnv,
  dnsPublishStep,
  dnsUnpublishStep,
  waitLoadBalancerStep,
} from "../dns/dns-steps";
import { dashRepairEnv, dashRepairSteps } from "./apps/dash-enterprise";
import { Step, StepEnv, validateChain } from "./step";
import {
  buildRestoreManifest,
  guardStep,
  GUARD,
  promoteStep,
  PROMOTE,
  restoreStep,
  RESTORE,
  waitBackupStep,
  waitBslStep,
} from "./velero-steps";

/** Everything that decides a restore chain, as plain data (from validated config). */
export interface ChainInput {
  profile: AppProfile;
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
}

/**
 * The restore chain for a profile, in order. The DNS unpublish (and its TTL wait) runs while
 * Velero syncs, since neither needs the other; everything after the restore follows the seed.
 */
export function buildRestoreChain(i: ChainInput): Chain {
  if (i.profile.restore.chain !== "dash-enterprise") {
    throw new Error(`no restore chain for profile ${i.profile.name}`);
  }
  const steps: Step[] = [
    guardStep(),
    waitBslStep(i.timeouts),
    waitBackupStep(i.timeouts),
    dnsUnpublishStep(i.dns, [GUARD]),
    restoreStep(i.timeouts, ["dns-unpublish"]),
  ];
  const afterRestore: string[] = [];
  if (i.promoteToPrimary) {
    steps.push(promoteStep());
    afterRestore.push(PROMOTE);
  }
  steps.push(waitLoadBalancerStep([RESTORE], i.timeouts.loadBalancerSeconds), dnsPublishStep(i.dns));
  afterRestore.push(DNS_PUBLISH);
  const repair = {
    after: afterRestore,
    airGapped: i.airGapped,
    kots: i.kots,
    timeouts: {
      builderSeconds: i.timeouts.builderSeconds,
      builderReconnectSeconds: i.timeouts.builderReconnectSeconds,
      healthSeconds: i.timeouts.healthSeconds,
      imageswapSeconds: i.timeouts.imageswapSeconds,
    },
  };
  steps.push(...dashRepairSteps(repair));
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
    RESTORE_MANIFEST: JSON.stringify(
      buildRestoreManifest({ namespace: i.veleroNamespace, excludedNamespaces: [i.veleroNamespace] }),
    ),
    RESTORE_TIMEOUT_SECONDS: String(i.timeouts.restoreSeconds),
    RESTORE_ALLOW_PARTIAL: String(i.allowPartiallyFailed),
    LB_NAMESPACE: i.profile.restore.loadBalancer.namespace,
    LB_SERVICE: i.profile.restore.loadBalancer.service,
    LB_TIMEOUT_SECONDS: String(i.timeouts.loadBalancerSeconds),
    ...dnsEnv(i.dns),
    ...(i.dns.provider === "manual" ? { DNS_UNPUBLISH_CONFIRMED: String(i.dns.unpublishConfirmed) } : {}),
    ...dashRepairEnv(repair, i.profile.restore.appNamespace),
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
    const v = runtime[name] ?? env[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
