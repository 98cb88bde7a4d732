// GENERATED from components/velero/locations.ts by `npm run gen:policy-pack` (tools/policy-pack-sources.ts):
// edit the source, not this copy. The pack must not import outside policies/ (policy publish).
/**
 * BackupStorageLocation and VolumeSnapshotLocation `config` maps.
 *
 * Object-store plugins validate their config keys and refuse to start on an unknown one
 * (velero-plugin-for-microsoft-azure v1.6.2 `ValidateObjectStoreConfigKeys`), so the
 * builders emit only keys the configured plugin line accepts, and the accepted sets are
 * kept here for tests and the policy pack.
 */

/** Keys velero-plugin-for-microsoft-azure v1.6.x accepts (docs backupstoragelocation.md / volumesnapshotlocation.md). */
export const AZURE_PLUGIN_1_6_KEYS = {
  bsl: [
    "resourceGroup",
    "storageAccount",
    "subscriptionId",
    "storageAccountKeyEnvVar",
    "blockSizeInBytes",
    "credentialsFile",
  ],
  vsl: ["apiTimeout", "resourceGroup", "subscriptionId", "incremental", "tags", "credentialsFile"],
} as const;

export interface AzureBslInput {
  resourceGroup: string;
  storageAccount: string;
  subscriptionId: string;
}

export interface AzureVslInput {
  /** Snapshots go here instead of the node resource group, so they outlive the cluster. */
  resourceGroup: string;
  subscriptionId: string;
  /** Incremental snapshots cost less and are what Azure recommends for repeated backups. */
  incremental: boolean;
}

export function buildAzureBslConfig(i: AzureBslInput): Record<string, string> {
  return {
    resourceGroup: i.resourceGroup,
    storageAccount: i.storageAccount,
    subscriptionId: i.subscriptionId,
  };
}

export function buildAzureVslConfig(i: AzureVslInput): Record<string, string> {
  return {
    resourceGroup: i.resourceGroup,
    subscriptionId: i.subscriptionId,
    incremental: String(i.incremental),
  };
}

/** Keys velero-plugin-for-aws v1.6.x accepts (docs; `checksumAlgorithm` arrives only in v1.10.0). */
export const AWS_PLUGIN_1_6_KEYS = {
  bsl: [
    "region",
    "s3ForcePathStyle",
    "s3Url",
    "publicUrl",
    "kmsKeyId",
    "customerKeyEncryptionFile",
    "serverSideEncryption",
    "signatureVersion",
    "profile",
    "insecureSkipTLSVerify",
    "enableSharedConfig",
    "credentialsFile",
  ],
  vsl: ["region", "profile"],
} as const;

export interface AwsBslInput {
  region: string;
  /** SSE-KMS key: Velero then asks for it on every upload, whatever the bucket default says. */
  kmsKeyArn?: string;
  /**
   * An endpoint instead of the region's public S3 one (a VPC endpoint, FIPS): the plugin then
   * signs with `region` as given (it looks a region up only without `s3Url`).
   */
  s3Url?: string;
  /** Path-style addressing on `s3Url`. */
  forcePathStyle?: boolean;
}

export function buildAwsBslConfig(i: AwsBslInput): Record<string, string> {
  return {
    region: i.region,
    ...(i.kmsKeyArn ? { kmsKeyId: i.kmsKeyArn } : {}),
    ...(i.s3Url ? { s3Url: i.s3Url } : {}),
    ...(i.s3Url && i.forcePathStyle !== undefined ? { s3ForcePathStyle: String(i.forcePathStyle) } : {}),
  };
}

/** Snapshots are taken in the cluster's region (they cannot cross regions). */
export function buildAwsVslConfig(i: { region: string }): Record<string, string> {
  return { region: i.region };
}

/** An S3-compatible store (MinIO, Ceph RGW, ...) through velero-plugin-for-aws. */
export interface S3CompatBslInput {
  /** The store's S3 endpoint (`s3Url`): the plugin talks to it instead of AWS. */
  endpoint: string;
  /** The region requests are signed with: the plugin looks it up only on AWS (without `s3Url`). */
  region: string;
  /** Path-style addressing (`<endpoint>/<bucket>/<key>`): what most on-premises stores serve. */
  forcePathStyle: boolean;
  /** The address download URLs (logs, `velero backup download`) carry, when clients reach the store elsewhere. */
  publicUrl?: string;
  /** Only plugin v1.10+ knows the key (v1.6.x refuses to start with it); validation keeps it off older ones. */
  checksumAlgorithm?: string;
}

export function buildS3CompatBslConfig(i: S3CompatBslInput): Record<string, string> {
  return {
    region: i.region,
    s3ForcePathStyle: String(i.forcePathStyle),
    s3Url: i.endpoint,
    ...(i.publicUrl ? { publicUrl: i.publicUrl } : {}),
    ...(i.checksumAlgorithm !== undefined ? { checksumAlgorithm: i.checksumAlgorithm } : {}),
  };
}
