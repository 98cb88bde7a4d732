import { AppChain, AppChainContext } from "../../components/apps/chain";
import { Step } from "../../components/restore/step";
import { scriptsIn } from "../../components/shell/body";
import { DashOptions } from "./profile";

const scripts = scriptsIn(`${__dirname}/scripts`);
const scriptBody = scripts.body;

/**
 * Fixed waits of the vendor's procedure (Plotly's Dash Enterprise backup and restore guide): the
 * builder's reconnect and imageswap's start.
 */
const BUILDER_RECONNECT_SECONDS = 600;
const IMAGESWAP_SECONDS = 900;

/**
 * Dash Enterprise's post-restore steps (Plotly's Dash Enterprise backup and restore guide, "rotate
 * resources and redeploy"), in the
 * guide's order, each idempotent so a resumed chain can run it again safely.
 */
export interface DashRepairInput {
  /** The first repair step waits for these (DNS published, BSL promoted). */
  after: string[];
  airGapped: boolean;
  kots: { automate: boolean; confirmed: boolean; appSlug: string };
  timeouts: {
    builderSeconds: number;
    builderReconnectSeconds: number;
    healthSeconds: number;
    imageswapSeconds: number;
  };
}

const DASH_ENV = ["DASH_NAMESPACE"];

export function dashRepairSteps(i: DashRepairInput): Step[] {
  const quick = { timeoutSeconds: 300, retry: { attempts: 3, delaySeconds: 10 } };
  const steps: Step[] = [
    {
      id: "dash-cert-injection-webhook",
      title: "Scale up cert-injection-webhook (if present)",
      why: "Not in the backup (its namespace is not backed up): the supporting software installed on the new cluster may bring it scaled down, and the vendor scales it up before the redeploy so that new pods get the certificates it injects.",
      kind: "repair",
      script: { kubeconfig: true, env: [], body: scriptBody("dash-cert-injection-webhook") },
      needs: i.after,
      ...quick,
      expected: "cert-injection-webhook deployments run one replica, or the cluster has none.",
    },
    {
      id: "dash-owner-references",
      title: "Re-apply owner references with the live UIDs",
      why: "Restored objects get new UIDs; Appstack, Buildstack (with its finalizer), Gitea, HarborCluster, Harbor and the redpanda StatefulSet must point at their live owners or the operators orphan or delete them.",
      kind: "repair",
      script: { kubeconfig: true, env: DASH_ENV, body: scriptBody("dash-owner-references") },
      needs: ["dash-cert-injection-webhook"],
      ...quick,
      expected: "Each patched object's ownerReferences carry the owner's current uid.",
    },
    {
      id: "dash-cleanup",
      title: "Delete the builder, appstack and ingress controller for re-creation",
      why: "The operators rebuild them for the new cluster (new DNS, new load balancer).",
      kind: "repair",
      script: { kubeconfig: true, env: DASH_ENV, body: scriptBody("dash-cleanup") },
      needs: ["dash-owner-references"],
      ...quick,
      expected:
        "builder dash-app-builder, appstack de-appstack and deployment ingress-nginx-controller are gone (until the operators recreate them).",
    },
    {
      id: "dash-kots-redeploy",
      title: "Redeploy Dash Enterprise from the KOTS Admin Console",
      why: "Redeploying the current version re-creates what the cleanup removed, configured for the new cluster.",
      kind: "gate",
      script: {
        kubeconfig: true,
        env: [...DASH_ENV, "KOTS_APP_SLUG", "KOTS_CONFIRMED", "KOTS_AUTOMATE"],
        body: scriptBody("dash-kots-redeploy"),
      },
      needs: ["dash-cleanup"],
      timeoutSeconds: 1800,
      retry: { attempts: 1, delaySeconds: 0 },
      gate: {
        instructions: [
          "kubectl port-forward -n plotly-system svc/kotsadm 8800:3000",
          "Open http://localhost:8800 and log in with the KOTS Admin Console password of the installation.",
          'Next to the "Currently deployed version", select Redeploy.',
        ],
        continueKey: "velero-dr:app.kotsRedeployed",
      },
      expected: "The KOTS Admin Console shows the current version deployed again.",
    },
  ];
  let last = "dash-kots-redeploy";
  if (i.airGapped) {
    steps.push({
      id: "dash-harbor-restart",
      title: "Restart Harbor once imageswap runs (air-gapped)",
      why: "In an air-gapped cluster Harbor must restart after imageswap is up to serve the mirrored images.",
      kind: "repair",
      script: {
        kubeconfig: true,
        env: [...DASH_ENV, "IMAGESWAP_TIMEOUT_SECONDS"],
        body: scriptBody("dash-harbor-restart"),
      },
      needs: [last],
      timeoutSeconds: i.timeouts.imageswapSeconds + 300,
      retry: { attempts: 2, delaySeconds: 30 },
      expected: "imageswap is available; Harbor core, portal, registry and jobservice pods are recreated.",
    });
    last = "dash-harbor-restart";
  }
  steps.push(
    {
      id: "dash-builder-ready",
      title: "Wait for dash-app-builder to be Ready",
      why: "App builds need the builder; after the DNS change it may not resolve the registry and needs one delete to reconnect (a known issue in Plotly's Dash Enterprise backup and restore guide).",
      kind: "wait",
      script: {
        kubeconfig: true,
        env: [...DASH_ENV, "BUILDER_RECONNECT_SECONDS", "BUILDER_TIMEOUT_SECONDS"],
        body: scriptBody("dash-builder-ready"),
      },
      needs: [last],
      timeoutSeconds: i.timeouts.builderSeconds + 60,
      retry: { attempts: 1, delaySeconds: 0 },
      expected: "kubectl get builder -n plotly-system shows dash-app-builder READY True.",
    },
    {
      id: "dash-health",
      title: "Health check: Appstack and Buildstack healthy",
      why: "The vendor's definition of a working restore (Plotly's Dash Enterprise backup and restore guide): verify it before retiring the source cluster.",
      kind: "health",
      script: {
        kubeconfig: true,
        env: [...DASH_ENV, "HEALTH_TIMEOUT_SECONDS"],
        body: scriptBody("dash-health"),
      },
      needs: ["dash-builder-ready"],
      timeoutSeconds: i.timeouts.healthSeconds + 60,
      retry: { attempts: 1, delaySeconds: 0 },
      expected: "kubectl get dashenterprise -n plotly-system shows Appstack and Buildstack healthy.",
    },
  );
  return steps;
}

export function dashRepairEnv(i: DashRepairInput, appNamespace: string): Record<string, string> {
  return {
    DASH_NAMESPACE: appNamespace,
    KOTS_APP_SLUG: i.kots.appSlug,
    KOTS_CONFIRMED: String(i.kots.confirmed),
    KOTS_AUTOMATE: String(i.kots.automate),
    BUILDER_RECONNECT_SECONDS: String(i.timeouts.builderReconnectSeconds),
    BUILDER_TIMEOUT_SECONDS: String(i.timeouts.builderSeconds),
    HEALTH_TIMEOUT_SECONDS: String(i.timeouts.healthSeconds),
    IMAGESWAP_TIMEOUT_SECONDS: String(i.timeouts.imageswapSeconds),
  };
}

/** Dash Enterprise has no data steps between phases; its repair chain follows the DNS cut-over. */
export const dashChain: AppChain<DashOptions> = {
  afterPhase: () => [],
  afterDns(after, ctx) {
    return dashRepairSteps(dashInput(after, ctx));
  },
  env(ctx) {
    return dashRepairEnv(dashInput([], ctx), ctx.profile.restore.appNamespace);
  },
};

function dashInput(after: string[], ctx: AppChainContext<DashOptions>): DashRepairInput {
  const o = ctx.options;
  return {
    after,
    airGapped: o.airGapped,
    kots: { automate: o.kotsAutomate, confirmed: o.kotsRedeployed, appSlug: o.kotsAppSlug },
    timeouts: {
      builderSeconds: o.builderTimeoutMinutes * 60,
      builderReconnectSeconds: BUILDER_RECONNECT_SECONDS,
      healthSeconds: ctx.healthSeconds,
      imageswapSeconds: IMAGESWAP_SECONDS,
    },
  };
}
