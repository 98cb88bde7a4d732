/**
 * The restore order of the Code Dx Kubernetes Backup & Restore Procedure (Code Dx) as step ids: the
 * unit tests check the built chain against it, the drill the
 * chain it ran. Other steps run in between.
 */
export const SEED_ORDER = [
  "restore-priority-classes",
  "restore",
  "codedx-restart-db",
  "codedx-restore-db",
  // "When the restore is complete, you should reapply the backup configuration" (a promoted destination).
  "reapply-backup-exclusions",
  "codedx-health",
];
