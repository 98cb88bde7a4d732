import { scriptBody } from "../shell/body";
import { Step, StepEnv } from "../model/step";
import { AppProfile } from "../model/profile";

/** What the generic chain tells an application's steps (the same for every app). */
export interface ChainSettings {
  healthSeconds: number;
}

/** What an application's restore steps are built from: its profile and its own typed options. */
export interface AppChainContext<O> extends ChainSettings {
  profile: AppProfile;
  /** The app's validated options (`velero-dr:app`). */
  options: O;
}

/**
 * An application's own part of the restore chain. `afterPhase` steps bring data back between
 * Velero restore phases (a database restore, its verification); `afterDns` steps repair and check
 * the application once users are pointed at it. The chain builder wires `needs`.
 */
export interface AppChain<O> {
  afterPhase(phaseId: string, after: string[], ctx: AppChainContext<O>): Step[];
  afterDns(after: string[], ctx: AppChainContext<O>): Step[];
  env(ctx: AppChainContext<O>): StepEnv;
}

/** An app's chain with its options already bound (see configureApp). */
export interface ConfiguredChain {
  afterPhase(phaseId: string, after: string[], s: ChainSettings): Step[];
  afterDns(after: string[], s: ChainSettings): Step[];
  env(s: ChainSettings): StepEnv;
}
/** Links steps in order: the first needs `after`, each next one the one before. */
export function inSequence(after: string[], steps: Omit<Step, "needs">[]): Step[] {
  let prev = after;
  return steps.map((s) => {
    const step = { ...s, needs: prev } as Step;
    prev = [s.id];
    return step;
  });
}

/** The closing health check of an app without a status of its own: every workload in its namespace ready. */
export function workloadsReadyStep(
  id: string,
  app: string,
  namespace: string,
  why: string,
): Omit<Step, "needs"> {
  return {
    id,
    title: `Health check: every ${app} workload ready`,
    why,
    kind: "health",
    script: {
      kubeconfig: true,
      env: ["WORKLOADS_NAMESPACE", "HEALTH_TIMEOUT_SECONDS"],
      formats: { WORKLOADS_NAMESPACE: "label", HEALTH_TIMEOUT_SECONDS: "count" },
      body: scriptBody("workloads-ready"),
    },
    vars: { WORKLOADS_NAMESPACE: namespace },
    timeoutSeconds: 1800,
    retry: { attempts: 1, delaySeconds: 0 },
    expected: `kubectl -n ${namespace} get deploy,sts shows every workload with its replicas ready.`,
  };
}
