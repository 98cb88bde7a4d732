import { AppProfile } from "../../apps/profile";
import { Step, StepEnv } from "../step";

/** What an application's post-restore steps are built from. */
export interface AppChainContext {
  profile: AppProfile;
  /** The app's validated options (`velero-dr:app`), as its definition resolved them. */
  options: Record<string, unknown>;
  healthSeconds: number;
  /** Dash Enterprise's settings (KOTS, air-gapped Harbor, builder timeouts). */
  dash: {
    airGapped: boolean;
    kots: { automate: boolean; confirmed: boolean; appSlug: string };
    builderSeconds: number;
    builderReconnectSeconds: number;
    imageswapSeconds: number;
  };
}

/**
 * An application's own part of the restore chain. `afterPhase` steps bring data back between
 * Velero restore phases (a database restore, its verification); `afterDns` steps repair and check
 * the application once users are pointed at it. The chain builder wires `needs`.
 */
export interface AppChain {
  afterPhase(phaseId: string, after: string[], ctx: AppChainContext): Step[];
  afterDns(after: string[], ctx: AppChainContext): Step[];
  env(ctx: AppChainContext): StepEnv;
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
