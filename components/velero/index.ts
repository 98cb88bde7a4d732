/**
 * Public entry `velero-dr/velero`: Velero on a cluster (VeleroInstall: namespace, credentials
 * Secret, Helm release, location check), its Schedules, the primary location keeper, and the pure
 * builders of Helm values, Schedule specs and location configs. Importing it registers nothing.
 */
export { CREDENTIALS_SECRET, RELEASE_NAME, VeleroInstall } from "./velero-install";
export type { VeleroChartSource, VeleroInstallArgs, VeleroValuesArgs } from "./velero-install";
export { VeleroSchedules } from "./velero-schedules";
export type { ScheduleResourceInput, VeleroSchedulesArgs } from "./velero-schedules";
export { PrimaryLocation } from "./primary-location";
export type { PrimaryLocationArgs } from "./primary-location";
export { buildVeleroValues, imageRef } from "./values";
export type { LocationValues, VeleroValuesInput } from "./values";
export { buildBackupSpec, buildProfileSchedules, buildScheduleSpec, MANAGED_BY_LABELS } from "./specs";
export type { BackupTemplateInput, ScheduleSpecInput } from "./specs";
export {
  buildAwsBslConfig,
  buildAwsVslConfig,
  buildAzureBslConfig,
  buildAzureVslConfig,
  buildS3CompatBslConfig,
} from "./locations";
export type { AwsBslInput, AzureBslInput, AzureVslInput, S3CompatBslInput } from "./locations";
export { DEFAULT_VERSIONS } from "./versions";
export { pairingProblems } from "./compatibility";
export type { PairingInput, PairingProblem } from "./compatibility";
