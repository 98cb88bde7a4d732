/**
 * The restore procedure of Plotly's Dash Enterprise backup and restore guide (Dash Enterprise), in its
 * order, as step ids (Harbor restart: air-gapped clusters only).
 */
export const SEED_ORDER = [
  "guard-different-cluster",
  // Seed 001: restore.sh "installs supporting software" on the new cluster before the restore.
  "check-prerequisites",
  "wait-bsl-available",
  "wait-backup",
  "dns-unpublish",
  "restore",
  "bsl-read-write",
  "wait-load-balancer",
  "dns-publish",
  "dash-cert-injection-webhook",
  "dash-owner-references",
  "dash-cleanup",
  "dash-kots-redeploy",
  "dash-harbor-restart",
  "dash-builder-ready",
  "dash-health",
  // The entry point users reach is served (ready endpoints behind the load balancer Service).
  "entry-point-served",
];

export const SEED_ORDER_ONLINE = SEED_ORDER.filter((s) => s !== "dash-harbor-restart");
