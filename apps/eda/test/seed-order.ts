/**
 * The restore order of Nokia EDA's backup and restore documentation (Nokia EDA) as step ids: the unit
 * tests check the built chain against it, the drill the
 * chain it ran. Other steps run in between.
 */
export const SEED_ORDER = [
  "wait-backup",
  "guard-app-version",
  "restore",
  "eda-mount-backup",
  "eda-platform-restore",
  "eda-health",
];
