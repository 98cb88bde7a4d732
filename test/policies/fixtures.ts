import { PolicyResource } from "@pulumi/policy";
import { resource } from "./support";

/**
 * Hand-written resource inputs that pass every policy, shaped like what the program registers.
 * Each call returns a fresh object, so a test can break one property without affecting others.
 */

export const T = {
  account: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  container: "azure-native:storage:BlobContainer",
  lifecycle: "azure-native:storage:ManagementPolicy",
  immutability: "azure-native:storage:BlobContainerImmutabilityPolicy",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  appPassword: "azuread:index/applicationPassword:ApplicationPassword",
  release: "kubernetes:helm.sh/v3:Release",
  schedule: "kubernetes:velero.io/v1:Schedule",
  command: "command:local:Command",
  restoreChain: "velero-dr:restore:RestoreChain",
  bucket: "aws:s3/bucket:Bucket",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  s3Lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  iamPolicy: "aws:iam/policy:Policy",
  resourceGroup: "azure-native:resources:ResourceGroup",
  replicationPolicy: "azure-native:storage:ObjectReplicationPolicy",
} as const;

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
export const RG_ID = `${SUB}/resourceGroups/velero-dr-test-backups`;
export const ACCOUNT_ID = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/velerotest01`;

export function accountProps(production = true): Record<string, any> {
  return {
    accountName: "velerotest01",
    resourceGroupName: "velero-dr-test-backups",
    location: "westeurope",
    kind: "StorageV2",
    sku: { name: "Standard_GRS" },
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    allowSharedKeyAccess: true,
    tags: { "managed-by": "velero-dr", "velero-dr-production": String(production) },
  };
}

export function blobServiceProps(): Record<string, any> {
  return {
    accountName: "velerotest01",
    blobServicesName: "default",
    isVersioningEnabled: true,
    deleteRetentionPolicy: { enabled: true, days: 30 },
    containerDeleteRetentionPolicy: { enabled: true, days: 30 },
  };
}

export function lifecycleProps(versionDays = 90): Record<string, any> {
  return {
    accountName: "velerotest01",
    managementPolicyName: "default",
    policy: {
      rules: [
        {
          name: "expire-old-backup-versions",
          enabled: true,
          type: "Lifecycle",
          definition: {
            filters: { blobTypes: ["blockBlob"], prefixMatch: ["velero/"] },
            actions: { version: { delete: { daysAfterCreationGreaterThan: versionDays } } },
          },
        },
      ],
    },
  };
}

/** `ttl: null` leaves the TTL out (Velero then uses the server default). */
export function scheduleProps(ttl: string | null = "720h0m0s"): Record<string, any> {
  return {
    apiVersion: "velero.io/v1",
    kind: "Schedule",
    metadata: {
      name: "dash-daily",
      namespace: "velero",
      labels: { "app.kubernetes.io/managed-by": "velero-dr", "velero-dr/profile": "dash-enterprise" },
    },
    spec: {
      schedule: "0 0 * * *",
      useOwnerReferencesInBackup: false,
      paused: false,
      template: {
        includedNamespaces: ["dash-apps", "dash-services", "plotly-system"],
        excludedResources: ["validatingwebhookconfiguration"],
        ...(ttl === null ? {} : { ttl }),
        storageLocation: "default",
      },
    },
  };
}

export function releaseProps(provider: "azure" | "aws" = "azure"): Record<string, any> {
  const plugin = provider === "azure" ? "velero-plugin-for-microsoft-azure" : "velero-plugin-for-aws";
  const bslConfig =
    provider === "azure"
      ? { resourceGroup: "velero-dr-test-backups", storageAccount: "velerotest01", subscriptionId: "0000" }
      : { region: "eu-west-1" };
  const vslConfig =
    provider === "azure"
      ? { resourceGroup: "snapshots", subscriptionId: "0000", incremental: "true" }
      : { region: "eu-west-1" };
  return {
    name: "velero",
    namespace: "velero",
    chart: "velero",
    version: "3.1.6",
    repositoryOpts: { repo: "https://vmware-tanzu.github.io/helm-charts" },
    values: {
      image: { repository: "velero/velero", tag: "v1.10.3", pullPolicy: "IfNotPresent" },
      initContainers: [{ name: plugin, image: `velero/${plugin}:v1.6.2`, volumeMounts: [] }],
      configuration: {
        provider,
        backupStorageLocation: {
          name: "default",
          provider,
          bucket: "velero",
          accessMode: "ReadWrite",
          config: bslConfig,
        },
        volumeSnapshotLocation: { name: "default", provider, config: vslConfig },
      },
      credentials: { useSecret: true, existingSecret: "cloud-credentials" },
    },
  };
}

export function roleAssignmentProps(): Record<string, any> {
  return {
    principalId: "sp-object-id",
    principalType: "ServicePrincipal",
    roleDefinitionId: `${RG_ID}/providers/Microsoft.Authorization/roleDefinitions/custom-guid`,
    scope: ACCOUNT_ID,
  };
}

export function iamPolicyDocument(bucket = "velero-backups"): Record<string, any> {
  return {
    Version: "2012-10-17",
    Statement: [
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
    ],
  };
}

/** A hardened S3 bucket with its companions, each depending on the bucket as `bucket: bucket.id` makes it. */
/** A provider of the region S3 resources are registered with (what the engine gives a policy). */
function awsProvider(region: string): NonNullable<PolicyResource["provider"]> {
  return {
    type: "pulumi:providers:aws",
    name: `aws-${region}`,
    urn: `urn:pulumi:test::velero-dr::pulumi:providers:aws::aws-${region}`,
    props: { region },
  };
}

/**
 * The S3 source stack's bucket and companions; `replica`: a second bucket in that region with an S3
 * replication configuration on the primary into it, as the program registers them.
 */
export function s3Stack(
  opts: { lockDays?: number; production?: boolean; replica?: { region: string } } = {},
): PolicyResource[] {
  const stack = s3Bucket("velero-backups", "backups", "", opts);
  if (!opts.replica) return stack;
  const replica = s3Bucket("velero-backups-replica", "replica-storage-bucket", "replica-", opts);
  const replicaProvider = awsProvider(opts.replica.region);
  for (const r of replica) r.provider = replicaProvider;
  const replication = resource({
    type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    name: "replica-replication",
    dependencies: [stack[0], replica[0]],
    props: {
      bucket: "velero-backups",
      role: "arn:aws:iam::123456789012:role/velero-dr/velero-dr-replication-velero-backups",
      rules: [
        {
          id: "velero-dr-backups-to-replica",
          status: "Enabled",
          priority: 1,
          filter: {},
          deleteMarkerReplication: { status: "Enabled" },
          destination: { bucket: "arn:aws:s3:::velero-backups-replica" },
        },
      ],
    },
  });
  replication.provider = awsProvider("eu-west-1");
  return [...stack, ...replica, replication];
}

function s3Bucket(
  bucketName: string,
  resourceName: string,
  prefix: string,
  opts: { lockDays?: number; production?: boolean },
): PolicyResource[] {
  const bucket = resource({
    type: T.bucket,
    name: resourceName,
    protect: true,
    props: {
      bucket: bucketName,
      objectLockEnabled: opts.lockDays !== undefined,
      tags: { "velero-dr-production": String(opts.production ?? false) },
    },
  });
  const dep = { dependencies: [bucket] };
  const tlsPolicy = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyPlainHttp",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
  const companions = [
    resource({
      type: T.publicAccessBlock,
      name: `${prefix}pab`,
      ...dep,
      props: {
        bucket: bucketName,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    }),
    resource({
      type: T.bucketVersioning,
      name: `${prefix}versioning`,
      ...dep,
      props: { bucket: bucketName, versioningConfiguration: { status: "Enabled" } },
    }),
    resource({
      type: T.sse,
      name: `${prefix}sse`,
      ...dep,
      props: {
        bucket: bucketName,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
      },
    }),
    resource({
      type: T.bucketPolicy,
      name: `${prefix}tls-only`,
      ...dep,
      props: { bucket: bucketName, policy: JSON.stringify(tlsPolicy) },
    }),
  ];
  if (opts.lockDays !== undefined) {
    companions.push(
      resource({
        type: T.objectLock,
        name: `${prefix}lock`,
        ...dep,
        props: {
          bucket: bucketName,
          rule: { defaultRetention: { mode: "COMPLIANCE", days: opts.lockDays } },
        },
      }),
    );
  }
  const provider = awsProvider("eu-west-1");
  const all = [bucket, ...companions];
  for (const r of all) r.provider = provider;
  return all;
}

/** The Azure source stack's storage, Velero release and schedule, linked as the program links them. */
export function azureStack(
  o: {
    production?: boolean;
    immutabilityDays?: number | null;
    versionDays?: number;
    ttl?: string | null;
    /** The replica in another region and the object replication into it (default: with production). */
    replica?: boolean;
  } = {},
): PolicyResource[] {
  const account = resource({
    type: T.account,
    name: "backups-account",
    protect: true,
    props: accountProps(o.production ?? true),
  });
  const onAccount = { dependencies: [account] };
  const service = resource({
    type: T.blobService,
    name: "backups-blob-service",
    ...onAccount,
    props: blobServiceProps(),
  });
  const container = resource({
    type: T.container,
    name: "backups-container",
    protect: true,
    dependencies: [account, service],
    props: { accountName: "velerotest01", containerName: "velero", publicAccess: "None" },
  });
  const out = [account, service, container];
  out.push(
    resource({
      type: T.lifecycle,
      name: "backups-lifecycle",
      dependencies: [account, service],
      props: lifecycleProps(o.versionDays),
    }),
  );
  const days = o.immutabilityDays === undefined ? 30 : o.immutabilityDays;
  if (days !== null) {
    out.push(
      resource({
        type: T.immutability,
        name: "backups-immutability",
        dependencies: [account, container],
        props: {
          accountName: "velerotest01",
          containerName: "velero",
          immutabilityPeriodSinceCreationInDays: days,
        },
      }),
    );
  }
  if (o.replica ?? o.production ?? true) out.push(...replicaOf(account, container, days));
  out.push(resource({ type: T.release, name: "velero-release", props: releaseProps() }));
  out.push(
    resource({
      type: T.schedule,
      name: "schedules-dash-daily",
      props: scheduleProps(o.ttl === undefined ? "720h0m0s" : o.ttl),
    }),
  );
  return out;
}

export const REPLICA_ID = `${SUB}/resourceGroups/velero-dr-test-replica/providers/Microsoft.Storage/storageAccounts/velerotest02`;

/** The replica account (northeurope) of `account` and the object replication policy on the source. */
export function replicaOf(
  account: PolicyResource,
  container: PolicyResource,
  immutabilityDays: number | null = 30,
): PolicyResource[] {
  const replica = resource({
    type: T.account,
    name: "replica-storage-account",
    protect: true,
    props: {
      ...accountProps(account.props.tags?.["velero-dr-production"] === "true"),
      accountName: "velerotest02",
      resourceGroupName: "velero-dr-test-replica",
      location: "northeurope",
    },
  });
  const replicaContainer = resource({
    type: T.container,
    name: "replica-storage-container",
    protect: true,
    dependencies: [replica],
    props: { accountName: "velerotest02", containerName: "velero", publicAccess: "None" },
  });
  const hardening =
    immutabilityDays === null
      ? []
      : [
          resource({
            type: T.immutability,
            name: "replica-storage-immutability",
            dependencies: [replica, replicaContainer],
            props: {
              accountName: "velerotest02",
              containerName: "velero",
              immutabilityPeriodSinceCreationInDays: immutabilityDays,
            },
          }),
        ];
  const rule = { sourceContainer: "velero", destinationContainer: "velero" };
  const onSource = resource({
    type: T.replicationPolicy,
    name: "replica-policy-source",
    dependencies: [account, container, replica],
    props: {
      accountName: "velerotest01",
      resourceGroupName: "velero-dr-test-backups",
      objectReplicationPolicyId: "policy-guid",
      sourceAccount: ACCOUNT_ID,
      destinationAccount: REPLICA_ID,
      rules: [{ ...rule, ruleId: "rule-guid" }],
    },
  });
  return [replica, replicaContainer, ...hardening, onSource];
}
