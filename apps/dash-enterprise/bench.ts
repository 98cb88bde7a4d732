/**
 * Dash Enterprise in the RTO bench (tools/bench): how long its own steps take, and the order of
 * the vendor's post-restore procedure the bench checks the stack's graph against.
 */

/** The vendor document the figures cite. */
export const DOCUMENT = "Plotly's Dash Enterprise backup and restore guide";

export const dashBench = {
  document: DOCUMENT,
  /** Figures of the app's own steps (seconds, and where each comes from). */
  figures: {
    repairQuick: {
      seconds: 10,
      source: "estimate: a few kubectl calls (cert-injection-webhook, owner references, cleanup)",
    },
    kotsRedeploy: {
      seconds: 180,
      source:
        "estimate: the automated redeploy (kots plugin); at the gate a person's time comes on top (not simulated)",
    },
    harborRestart: {
      seconds: 120,
      source: "estimate: imageswap up, four Harbor pods recreated (air-gapped only)",
    },
    builderReady: {
      seconds: 300,
      source: `estimate; ${DOCUMENT}: if the builder is not Ready after 10 minutes it is deleted once (the upper bound)`,
    },
    health: { seconds: 300, source: "estimate: Appstack and Buildstack provisioning until healthy" },
  },
  /** Which figure each of its steps takes. */
  steps: {
    "dash-cert-injection-webhook": "repairQuick",
    "dash-owner-references": "repairQuick",
    "dash-cleanup": "repairQuick",
    "dash-kots-redeploy": "kotsRedeploy",
    "dash-harbor-restart": "harborRestart",
    "dash-builder-ready": "builderReady",
    "dash-health": "health",
  },
  /** The vendor's post-restore procedure after DNS is published, in order. */
  postRestore: [
    "dash-cert-injection-webhook",
    "dash-owner-references",
    "dash-cleanup",
    "dash-kots-redeploy",
    "dash-harbor-restart",
    "dash-builder-ready",
    "dash-health",
  ],
  postRestoreWhy:
    "the vendor's post-restore procedure in its order: DNS re-added, then rotation (webhook, owner references, cleanup), KOTS redeploy, Harbor, builder, health (Plotly's Dash Enterprise backup and restore guide; the operators re-create what the cleanup deletes with the current DNS)",
} as const;
