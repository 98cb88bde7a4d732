/**
 * The restore order of Nebari's backup and restore RFD (Nebari) as step ids: the unit tests check the
 * built chain against it, the drill the
 * chain it ran. Other steps run in between.
 */
export const SEED_ORDER = [
  "restore-supporting",
  "restore-keycloak",
  "nebari-keycloak-restore",
  "nebari-keycloak-verify",
  "restore-conda-store",
  "nebari-conda-store-restore",
  "nebari-conda-store-verify",
  "restore",
  "nebari-nfs-verify",
  "nebari-health",
];
