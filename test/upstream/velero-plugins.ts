/**
 * What the Velero plugins' own documentation says, written down as data for the tests to check
 * the program against. These lists are kept apart from the program's tables on purpose: a test
 * compares the two, so an edit to one of them alone fails.
 *
 * Every entry names its upstream source (repository, tag, file, section). To update one, read
 * that source at the new tag and change the list here; nothing reads these files at test time.
 */

/**
 * velero-plugin-for-microsoft-azure v1.6.2, README.md, "Set permissions for Velero" → "Specify
 * Role" (the custom role with "the minimum required permissions"): the `Actions` of that role
 * definition (its AssignableScopes
 * is the subscription; the program narrows that, see components/identity/azure-role.ts).
 * https://github.com/vmware-tanzu/velero-plugin-for-microsoft-azure/blob/v1.6.2/README.md
 */
export const AZURE_PLUGIN_V1_6_2_CUSTOM_ROLE_ACTIONS: readonly string[] = [
  "Microsoft.Compute/disks/read",
  "Microsoft.Compute/disks/write",
  "Microsoft.Compute/disks/endGetAccess/action",
  "Microsoft.Compute/disks/beginGetAccess/action",
  "Microsoft.Compute/snapshots/read",
  "Microsoft.Compute/snapshots/write",
  "Microsoft.Compute/snapshots/delete",
  "Microsoft.Storage/storageAccounts/listkeys/action",
  "Microsoft.Storage/storageAccounts/regeneratekey/action",
];

/**
 * The `config:` keys of the sample BackupStorageLocation / VolumeSnapshotLocation, "all of the
 * configurable parameters" in velero-plugin-for-microsoft-azure's own pages:
 * - bsl: v1.6.2 backupstoragelocation.md
 * - vsl: v1.6.2 volumesnapshotlocation.md
 * - bslV1_8_0: v1.8.0 backupstoragelocation.md, for comparison (keys 1.6.2 does not accept yet)
 * https://github.com/vmware-tanzu/velero-plugin-for-microsoft-azure/blob/v1.6.2/backupstoragelocation.md
 */
export const AZURE_PLUGIN_DOCUMENTED_CONFIG_KEYS = {
  bsl: ["resourceGroup", "storageAccount", "storageAccountKeyEnvVar", "subscriptionId", "blockSizeInBytes"],
  vsl: ["apiTimeout", "resourceGroup", "subscriptionId", "incremental", "tags"],
  bslV1_8_0: [
    "resourceGroup",
    "storageAccount",
    "storageAccountKeyEnvVar",
    "subscriptionId",
    "storageAccountURI",
    "useAAD",
    "activeDirectoryAuthorityURI",
    "blockSizeInBytes",
  ],
} as const satisfies Record<string, readonly string[]>;

export interface IamStatement {
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
}

/**
 * velero-plugin-for-aws v1.6.2, README.md, "Set permissions for Velero" → "Option 1: Set
 * permissions with an IAM user" (its velero-policy.json): the documented IAM policy's statements (actions and resources), with the README's `${BUCKET}` placeholder
 * replaced by `bucket`.
 * https://github.com/vmware-tanzu/velero-plugin-for-aws/blob/v1.6.2/README.md
 */
export function awsPluginV1_6_2IamStatements(bucket: string): IamStatement[] {
  return [
    {
      Effect: "Allow",
      Action: [
        "ec2:DescribeVolumes",
        "ec2:DescribeSnapshots",
        "ec2:CreateTags",
        "ec2:CreateVolume",
        "ec2:CreateSnapshot",
        "ec2:DeleteSnapshot",
      ],
      Resource: "*",
    },
    {
      Effect: "Allow",
      Action: [
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ],
      Resource: [`arn:aws:s3:::${bucket}/*`],
    },
    { Effect: "Allow", Action: ["s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`] },
  ];
}

/** The same documented policy as a JSON policy document (what an aws:iam/policy:Policy holds). */
export function awsPluginV1_6_2IamPolicy(bucket: string): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: awsPluginV1_6_2IamStatements(bucket) });
}
