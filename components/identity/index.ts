/**
 * Public entry `velero-dr/identity`: Velero's cloud identities (an IAM role or user on AWS, an
 * Azure AD application on Azure; on a destination, a read-only role and the write grant given at
 * promotion) and the pure policy builders. Importing it registers nothing.
 */
export { AwsVeleroIdentity } from "./aws-velero-identity";
export type { AwsVeleroIdentityArgs } from "./aws-velero-identity";
export {
  AwsVeleroRestoreIdentity,
  AwsVeleroWriteGrant,
  issuerOfProviderArn,
} from "./aws-velero-restore-identity";
export type {
  AwsBucketGrant,
  AwsVeleroRestoreIdentityArgs,
  AwsVeleroWriteGrantArgs,
} from "./aws-velero-restore-identity";
export { AzureVeleroIdentity } from "./azure-velero-identity";
export type { AzureVeleroIdentityArgs } from "./azure-velero-identity";
export {
  buildAwsCredentialsFile,
  buildIrsaTrustPolicy,
  buildResticLockPolicy,
  buildVeleroEbsRestorePolicy,
  buildVeleroIamPolicy,
  buildVeleroReadPolicy,
  buildVeleroWritePolicy,
  irsaSubject,
  VELERO_SERVICE_ACCOUNT,
} from "./aws-iam";
export type {
  IrsaTrustInput,
  PolicyDocument,
  PolicyStatement,
  VeleroIamInput,
  VeleroReadInput,
} from "./aws-iam";
export { buildAzureCredentialsFile } from "./azure-credentials";
export type { AzureCredentialsInput } from "./azure-credentials";
export { buildVeleroRoles } from "./azure-role";
export type { RoleSpec, VeleroRoleInput } from "./azure-role";
export { rotationWindow } from "./rotation";
export type { RotationWindow } from "./rotation";
