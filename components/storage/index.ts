/**
 * Public entry `velero-dr/storage`: the backup storage components (a bucket or storage account
 * hardened for Velero, and its replica in a recovery region) and the pure builders behind them.
 * Importing it registers nothing: resources are created only by the constructors.
 */
export { AwsBackupStorage } from "./aws-backup-storage";
export type { AwsBackupStorageArgs } from "./aws-backup-storage";
export { AwsBackupReplica } from "./aws-backup-replica";
export type { AwsBackupReplicaArgs } from "./aws-backup-replica";
export { AzureBackupStorage } from "./azure-backup-storage";
export type { AzureBackupStorageArgs } from "./azure-backup-storage";
export {
  AzureBackupReplica,
  buildReplicationRule as buildAzureReplicationRule,
} from "./azure-backup-replica";
export type { AzureBackupReplicaArgs } from "./azure-backup-replica";
export {
  buildBucketArgs,
  buildBucketPolicy,
  buildEncryptionRules,
  buildLifecycleRules,
  buildObjectLockRule,
} from "./aws-settings";
export type { AwsBucketSettings, AwsStorageSettings } from "./aws-settings";
export {
  buildReplicationAlarms,
  buildReplicationRolePolicy,
  buildReplicationRule as buildAwsReplicationRule,
  buildReplicationTrustPolicy,
} from "./aws-replication";
export type { ReplicationInput } from "./aws-replication";
export {
  buildBlobServiceSettings,
  buildLifecyclePolicy,
  buildStorageAccountSettings,
} from "./azure-settings";
export type { AzureReplication, AzureStorageSettings } from "./azure-settings";
