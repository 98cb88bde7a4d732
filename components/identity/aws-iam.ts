/**
 * Least-privilege AWS permissions for Velero with velero-plugin-for-aws v1.6.2, as plain data.
 *
 * The actions are exactly those of the plugin's documented policy (velero-plugin-for-aws v1.6.2
 * README, "Set permissions for Velero"; test/upstream/velero-plugins.ts): EC2 snapshot actions on
 * "*" (EBS snapshot and volume ids are not known in advance, and the plugin README grants them
 * that way), object actions on the backup bucket's objects, ListBucket on the bucket itself. With
 * SSE-KMS, the key is added with the two actions S3 needs on the caller's behalf: GenerateDataKey
 * to write, Decrypt to read and to complete multipart uploads.
 */

export const AWS_EC2_ACTIONS = [
  "ec2:DescribeVolumes",
  "ec2:DescribeSnapshots",
  "ec2:CreateTags",
  "ec2:CreateVolume",
  "ec2:CreateSnapshot",
  "ec2:DeleteSnapshot",
] as const;

export const AWS_OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:DeleteObject",
  "s3:PutObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
] as const;

export const AWS_BUCKET_ACTIONS = ["s3:ListBucket"] as const;

export const AWS_KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[] | string;
  Resource?: string[] | string;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

export interface VeleroIamInput {
  partition: string;
  bucket: string;
  kmsKeyArn?: string;
}

export function buildVeleroIamPolicy(i: VeleroIamInput): PolicyDocument {
  const arn = bucketArn(i.partition, i.bucket);
  const statements: PolicyStatement[] = [
    { Sid: "VeleroEbsSnapshots", Effect: "Allow", Action: [...AWS_EC2_ACTIONS], Resource: "*" },
    { Sid: "VeleroBackupObjects", Effect: "Allow", Action: [...AWS_OBJECT_ACTIONS], Resource: [`${arn}/*`] },
    { Sid: "VeleroBackupBucket", Effect: "Allow", Action: [...AWS_BUCKET_ACTIONS], Resource: [arn] },
  ];
  if (i.kmsKeyArn) {
    statements.push({
      Sid: "VeleroBackupKey",
      Effect: "Allow",
      Action: [...AWS_KMS_ACTIONS],
      Resource: [i.kmsKeyArn],
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

export interface IrsaTrustInput {
  oidcProviderArn: string;
  /** `oidc.eks.<region>.amazonaws.com/id/<id>`: the condition keys are prefixed with it. */
  oidcIssuer: string;
  namespace: string;
  serviceAccount: string;
}

/** The chart 3.1.6 server service account, with release name `velero`: `<fullname>-server`. */
export const VELERO_SERVICE_ACCOUNT = "velero-server";

export function irsaSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/**
 * Trust policy of the IRSA role: only Velero's service account in Velero's namespace, through
 * this cluster's OIDC provider, may assume it. StringEquals (not StringLike) on both `sub` and
 * `aud`, so no other service account or audience matches.
 */
export function buildIrsaTrustPolicy(i: IrsaTrustInput): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "VeleroServiceAccount",
        Effect: "Allow",
        Principal: { Federated: i.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${i.oidcIssuer}:sub`]: irsaSubject(i.namespace, i.serviceAccount),
            [`${i.oidcIssuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
}

/** The shared credentials file the plugin reads (`AWS_SHARED_CREDENTIALS_FILE`, Secret key `cloud`). */
export function buildAwsCredentialsFile(c: { accessKeyId: string; secretAccessKey: string }): string {
  return [
    "[default]",
    `aws_access_key_id=${c.accessKeyId}`,
    `aws_secret_access_key=${c.secretAccessKey}`,
    "",
  ].join("\n");
}

/** The TLS-only bucket policy: every request over plain HTTP is refused, whoever makes it. */
export function buildTlsOnlyBucketPolicy(partition: string, bucket: string): PolicyDocument {
  const arn = bucketArn(partition, bucket);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * What Velero needs of the backup bucket to restore (plugin v1.6.2's ObjectStore reads with
 * GetObject and lists with ListObjectsV2, which S3 authorizes as s3:ListBucket; with SSE-KMS, S3
 * decrypts on the reader's behalf with kms:Decrypt). A destination's role holds these and nothing
 * else of the bucket until it is promoted. No s3:GetObjectVersion: Velero reads current objects only.
 */
export const AWS_READ_OBJECT_ACTIONS = ["s3:GetObject"] as const;
export const AWS_READ_KMS_ACTIONS = ["kms:Decrypt"] as const;

/**
 * What the plugin needs to create volumes from EBS snapshots (its documented EC2 actions minus the
 * two that create and delete snapshots): granted only in the snapshots' region.
 */
export const AWS_EBS_RESTORE_ACTIONS = [
  "ec2:DescribeVolumes",
  "ec2:DescribeSnapshots",
  "ec2:CreateTags",
  "ec2:CreateVolume",
] as const;

/** What a promoted destination adds: the writes of the plugin's documented policy. */
export const AWS_WRITE_OBJECT_ACTIONS = AWS_OBJECT_ACTIONS.filter((a) => a !== "s3:GetObject");
export const AWS_SNAPSHOT_WRITE_ACTIONS = ["ec2:CreateSnapshot", "ec2:DeleteSnapshot"] as const;

export interface VeleroReadInput {
  partition: string;
  bucket: string;
  kmsKeyArn?: string;
}

/** The destination's read-only grant on the bucket it restores from. */
export function buildVeleroReadPolicy(i: VeleroReadInput): PolicyDocument {
  const arn = bucketArn(i.partition, i.bucket);
  const statements: PolicyStatement[] = [
    {
      Sid: "VeleroReadBackups",
      Effect: "Allow",
      Action: [...AWS_READ_OBJECT_ACTIONS],
      Resource: [`${arn}/*`],
    },
    { Sid: "VeleroListBackups", Effect: "Allow", Action: [...AWS_BUCKET_ACTIONS], Resource: [arn] },
  ];
  if (i.kmsKeyArn) {
    statements.push({
      Sid: "VeleroDecryptBackups",
      Effect: "Allow",
      Action: [...AWS_READ_KMS_ACTIONS],
      Resource: [i.kmsKeyArn],
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Volumes from EBS snapshots, only in `region` (the snapshots'): aws:RequestedRegion makes a call
 * to any other region's EC2 API fail, whatever the VSL says.
 */
export function buildVeleroEbsRestorePolicy(region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "VeleroVolumesFromSnapshots",
        Effect: "Allow",
        Action: [...AWS_EBS_RESTORE_ACTIONS],
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestedRegion": region } },
      },
    ],
  };
}

/**
 * What a destination gets once promoted, on the bucket it then writes (the one it restored from):
 * the plugin's documented writes, and EBS snapshots of its own volumes in its own region.
 */
export function buildVeleroWritePolicy(i: VeleroReadInput & { region: string }): PolicyDocument {
  const arn = bucketArn(i.partition, i.bucket);
  const statements: PolicyStatement[] = [
    {
      Sid: "VeleroWriteBackups",
      Effect: "Allow",
      Action: [...AWS_WRITE_OBJECT_ACTIONS],
      Resource: [`${arn}/*`],
    },
    {
      Sid: "VeleroSnapshots",
      Effect: "Allow",
      Action: [...AWS_SNAPSHOT_WRITE_ACTIONS],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": i.region } },
    },
  ];
  if (i.kmsKeyArn) {
    statements.push({
      Sid: "VeleroEncryptBackups",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey"],
      Resource: [i.kmsKeyArn],
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * restic (Velero 1.10's file-system uploader) takes a lock in its repository for every `restic
 * restore` and `restic snapshots` it runs (Velero passes no --no-lock): a lock object under
 * `<prefix>/restic/<namespace>/locks/`, deleted when done. A destination restoring file-system
 * backups needs to write and delete exactly those objects, nothing else of the bucket.
 */
export function buildResticLockPolicy(i: VeleroReadInput & { prefix: string }): PolicyDocument {
  const arn = bucketArn(i.partition, i.bucket);
  const prefix = i.prefix.replace(/^\/+|\/+$/g, "");
  const statements: PolicyStatement[] = [
    {
      Sid: "ResticRepositoryLocks",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: [`${arn}/${prefix ? `${prefix}/` : ""}restic/*/locks/*`],
    },
  ];
  if (i.kmsKeyArn) {
    statements.push({
      Sid: "ResticLockEncryption",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey"],
      Resource: [i.kmsKeyArn],
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
