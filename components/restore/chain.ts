import { ConfiguredApp } from "../apps/definition";
import { DnsConfig } from "../dns/dns-config";
import { WAIT_LB, waitLoadBalancerStep } from "../dns/dns-steps";
import { dnsProviderOf } from "../dns/providers";
import { KUBECONFIG_ENV } from "../shell/script";
import { scriptBody } from "../shell/body";
import { excludeTargets } from "../apps/preparation";
import { PREREQUISITES, prerequisitesStep } from "./prerequisites-step";
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
  /** The source cluster's Kubernetes version, where its outputs say: the guard refuses an older destination. */
  sourceKubernetesVersion?: string;
  dns: DnsConfig;
  /**
   * The Service whose load balancer address the chain waits for (and DNS points at); absent where
   * DNS is not moved and the vendor's procedure does not ask for the address: no wait.
   */
  loadBalancer?: { namespace: string; service: string };
  promoteToPrimary: boolean;
  allowPartiallyFailed: boolean;
  /** The profile's missing prerequisites do not stop the chain (velero-dr:restore.prerequisitesConfirmed). */
  prerequisitesConfirmed?: boolean;
  /**
   * What restore.sh reads besides its own settings (READ_ONLY_STORAGE_ENV, MODE_ENV), in the
   * chain's env: the restore steps declare them, so the stack's Commands, the drill's runner and
   * the runbook's Variables all get them from here (destinationChainInput fills it).
   */
  restoreEnv?: StepEnv;
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
  /** Lines for the runbook about what the steps alone do not show (e.g. DNS left unchanged). */
  notes?: string[];
}

/**
 * The restore chain for a profile, in order. The DNS unpublish (and its TTL wait) runs while
 * Velero syncs, since neither needs the other — but after every guard (the source-cluster guard,
 * and the app's version guard, which reads the backup). Each restore phase is one Velero Restore followed
 * by the application's data steps for it; then the location is promoted, DNS points at the new
 * load balancer (where DNS is moved), and the application's repair steps and health check close
 * the chain.
 */
export function buildRestoreChain(i: ChainInput): Chain {
  const { profile, chain: app } = i.app;
  const ctx = { healthSeconds: i.timeouts.healthSeconds };
  const dns = dnsProviderOf(i.dns);
  const steps: Step[] = [guardStep(), waitBslStep(i.timeouts), waitBackupStep(i.timeouts, i.backup)];
  let before: string[] = [];
  const guards = [GUARD];
  if (profile.prerequisites) {
    // A check that changes nothing, so before anything does: a cluster without the app's
    // supporting software would take the restore and then fail at the app's repairs.
    steps.splice(1, 0, prerequisitesStep(profile.prerequisites, i.prerequisitesConfirmed ?? false));
    guards.push(PREREQUISITES);
    before = [PREREQUISITES];
  }
  if (profile.versionGuard) {
    steps.push(versionGuardStep(profile.versionGuard));
    guards.push(VERSION_GUARD);
    before = [...before, VERSION_GUARD];
  }
  // Every guard runs before anything outside the new cluster changes: a refused backup must not
  // leave the app's DNS removed with nothing restored.
  const unpublish = dns.unpublishStep(i.dns, guards);
  if (unpublish) {
    steps.push(unpublish);
    before = [...before, unpublish.id];
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
  const publish = dns.publishStep(i.dns);
  if (i.loadBalancer) {
    steps.push(waitLoadBalancerStep(restored, i.timeouts.loadBalancerSeconds));
    if (publish) steps.push(publish);
    afterRestore.push(publish ? publish.id : WAIT_LB);
  } else if (publish || unpublish) {
    throw new Error(
      `dns.provider ${i.dns.provider} moves DNS but the chain has no load balancer to point it at`,
    );
  } else if (afterRestore.length === 0) {
    afterRestore.push(...restored);
  }
  const repairs = app.afterDns(afterRestore, ctx);
  if (i.promoteToPrimary && profile.excludeVolumes.length > 0) {
    // After the app's repairs (the claims exist again), before its health check: green means this
    // cluster's backups are configured as the source's were, and its Schedules wait for green.
    const health = repairs.findIndex((s) => s.kind === "health");
    const at = health >= 0 ? health : repairs.length;
    const needs =
      health >= 0
        ? repairs[health].needs
        : repairs.length > 0
          ? [repairs[repairs.length - 1].id]
          : afterRestore;
    const reapply = reapplyExclusionsStep(profile, needs);
    if (health >= 0) repairs[health] = { ...repairs[health], needs: [reapply.id] };
    repairs.splice(at, 0, reapply);
  }
  steps.push(...repairs);
  // The app's own health reads status fields; the Service users reach must also route to Ready
  // pods. The stack's load balancer, else the profile's (also where DNS is not moved).
  const entry = i.loadBalancer ?? profile.restore.loadBalancer;
  if (entry) steps.push(entryPointStep(entry, [steps[steps.length - 1].id], i.timeouts.healthSeconds));
  validateChain(steps);

  const env: StepEnv = {
    ...(i.sourceApiServer ? { SOURCE_API_SERVER: i.sourceApiServer } : {}),
    ...(i.sourceClusterUid ? { SOURCE_CLUSTER_UID: i.sourceClusterUid } : {}),
    ...(i.sourceKubernetesVersion ? { SOURCE_KUBERNETES_VERSION: i.sourceKubernetesVersion } : {}),
    VELERO_NAMESPACE: i.veleroNamespace,
    BSL_NAME: i.bslName,
    BSL_TIMEOUT_SECONDS: String(i.timeouts.bslSeconds),
    BACKUP_SYNC_TIMEOUT_SECONDS: String(i.timeouts.backupSyncSeconds),
    ...(i.backup.name ? { BACKUP_NAME: i.backup.name } : {}),
    ...(i.backup.schedule ? { BACKUP_SCHEDULE: i.backup.schedule } : {}),
    RESTORE_TIMEOUT_SECONDS: String(i.timeouts.restoreSeconds),
    RESTORE_ALLOW_PARTIAL: String(i.allowPartiallyFailed),
    ...(i.loadBalancer
      ? {
          LB_NAMESPACE: i.loadBalancer.namespace,
          LB_SERVICE: i.loadBalancer.service,
          LB_TIMEOUT_SECONDS: String(i.timeouts.loadBalancerSeconds),
        }
      : {}),
    ...dns.env(i.dns),
    ...app.env(ctx),
    ...(i.restoreEnv ?? {}),
  };
  const note = dns.runbookNote?.(i.dns, { loadBalancer: i.loadBalancer !== undefined });
  return note ? { steps, env, notes: [note] } : { steps, env };
}

export const REAPPLY_EXCLUSIONS = "reapply-backup-exclusions";

/**
 * A promoted destination writes backups of its own: the claims the source left out of its
 * backups (rebuilt from an application backup instead) are new claims here, created by the
 * restored StatefulSets without the label, so the backup configuration is applied again before
 * the destination's Schedules start (they wait for the chain's last step).
 */
function reapplyExclusionsStep(profile: ConfiguredApp["profile"], needs: string[]): Step {
  return {
    id: REAPPLY_EXCLUSIONS,
    title: "Leave the rebuilt data volumes out of this cluster's backups again",
    why: `The vendor asks for the backup configuration to be applied again once the restore is complete: the claims ${profile.excludeVolumes.map((e) => `${e.namespace}/${e.namePrefix}*`).join(", ")} were left out of the source's backups, the restore created them anew without that label, and this cluster now takes the backups.`,
    kind: "repair",
    script: {
      kubeconfig: true,
      env: ["EXCLUDE_TARGETS", "EXCLUDE_REQUIRE"],
      body: scriptBody("exclude-volumes"),
    },
    vars: { EXCLUDE_TARGETS: excludeTargets(profile), EXCLUDE_REQUIRE: "true" },
    needs,
    timeoutSeconds: 300,
    retry: { attempts: 3, delaySeconds: 20 },
    expected: "Each claim (and its volume) is labelled velero.io/exclude-from-backup=true.",
  };
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

/** Marker every step's environment carries, so logs, policies and `pulumi stack` show which step it is. */
export const STEP_ID_ENV = "VELERO_DR_STEP_ID";
export const STEP_KIND_ENV = "VELERO_DR_STEP_KIND";

/** What a step's environment is resolved from besides the chain's plain values. */
export interface StepValues<V> {
  /** Values known only at run time: source outputs, values earlier steps printed. */
  runtime: Record<string, V>;
  /** Secret values by environment name. */
  secrets: Record<string, V>;
  /** The destination's kubeconfig (content). */
  kubeconfig: V;
}

/**
 * The environment one step runs with: the one resolver for the stack's Commands (values are
 * Outputs, secrets wrapped by `secret`) and the local runner (plain strings). Run-time values win
 * over the step's own vars, which win over the chain's env; a missing required value or secret
 * is an error naming the step.
 */
export function stepEnvironment<V>(
  step: Step,
  chainEnv: StepEnv,
  values: StepValues<V>,
  secret: (v: V) => V = (v) => v,
): Record<string, V | string> {
  const env: Record<string, V | string> = { [STEP_ID_ENV]: step.id, [STEP_KIND_ENV]: step.kind };
  for (const n of [...step.script.env, ...(step.script.optionalEnv ?? [])]) {
    const v = values.runtime[n] ?? step.vars?.[n] ?? chainEnv[n];
    if (v !== undefined) env[n] = v;
  }
  for (const n of step.script.secretEnv ?? []) {
    const v = values.secrets[n];
    if (v === undefined) throw new Error(`step ${step.id} needs the secret ${n}, which was not provided`);
    env[n] = secret(v);
  }
  if (step.script.kubeconfig) env[KUBECONFIG_ENV] = secret(values.kubeconfig);
  const missing = step.script.env.filter((n) => env[n] === undefined);
  if (missing.length > 0) throw new Error(`step ${step.id} has no value for ${missing.join(", ")}`);
  return env;
}

/**
 * A step's environment with what is declared on restore-kind steps only (RestoreChain's
 * restoreDeclarations, the drill runner's): the stack and the runner merge through here, with one
 * precedence. The step model's own environment wins; a declaration that would change one of its
 * values is a program error, refused rather than silently lost.
 */
export function withRestoreDeclarations<V>(
  step: Step,
  env: Record<string, V | string>,
  declarations: Record<string, V | string> | undefined,
): Record<string, V | string> {
  if (step.kind !== "restore" || !declarations) return env;
  const clash = Object.keys(declarations).filter((k) => k in env && env[k] !== declarations[k]);
  if (clash.length > 0) {
    throw new Error(
      `step ${step.id}: the restore declarations set ${clash.join(", ")}, which the step model sets already; declare them in one place`,
    );
  }
  return { ...declarations, ...env };
}

export const ENTRY_POINT = "entry-point-served";

/** The last word of a recovery: the Service users reach has Ready pods behind it. */
export function entryPointStep(
  entry: { namespace: string; service: string },
  needs: string[],
  timeoutSeconds: number,
): Step {
  return {
    id: ENTRY_POINT,
    title: `Health check: ${entry.namespace}/${entry.service} is served by ready pods`,
    why: "Every status can be green while the Service users reach routes to no pod (re-created workloads whose labels no longer match its selector); only ready endpoints show the app is served.",
    kind: "health",
    script: {
      kubeconfig: true,
      env: ["ENTRY_NAMESPACE", "ENTRY_SERVICE", "ENTRY_TIMEOUT_SECONDS"],
      formats: { ENTRY_NAMESPACE: "label", ENTRY_SERVICE: "label", ENTRY_TIMEOUT_SECONDS: "count" },
      body: scriptBody("entry-point-served"),
    },
    vars: {
      ENTRY_NAMESPACE: entry.namespace,
      ENTRY_SERVICE: entry.service,
      ENTRY_TIMEOUT_SECONDS: String(timeoutSeconds),
    },
    needs,
    timeoutSeconds: timeoutSeconds + 60,
    retry: { attempts: 1, delaySeconds: 0 },
    expected: `kubectl -n ${entry.namespace} get endpoints ${entry.service} lists at least one address.`,
  };
}
