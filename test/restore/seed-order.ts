/** Seed 000's restore procedure, in its order, as step ids (Harbor restart: air-gapped clusters only). */
export const SEED_ORDER = [
  "guard-different-cluster",
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
];

export const SEED_ORDER_ONLINE = SEED_ORDER.filter((s) => s !== "dash-harbor-restart");

/**
 * The other seeds' restore orders (003 Code Dx, 002 Nebari, 004 EDA) as step ids: the unit tests
 * check the built chains against them, the drill the chains it ran. Other steps run in between.
 */
export const APP_SEED_ORDER = {
  codedx: [
    "restore-priority-classes",
    "restore",
    "codedx-restart-db",
    "codedx-restore-db",
    "dns-publish",
    "codedx-health",
  ],
  nebari: [
    "restore-supporting",
    "restore-keycloak",
    "nebari-keycloak-restore",
    "nebari-keycloak-verify",
    "restore-conda-store",
    "nebari-conda-store-restore",
    "nebari-conda-store-verify",
    "restore",
    "nebari-nfs-verify",
    "dns-publish",
    "nebari-health",
  ],
  eda: [
    "wait-backup",
    "guard-app-version",
    "restore",
    "eda-mount-backup",
    "eda-platform-restore",
    "dns-publish",
    "eda-health",
  ],
};
