/**
 * Name rules for every user-supplied name that reaches Kubernetes, Azure or a shell.
 *
 * Names are checked here, once, so nothing downstream has to quote or escape them; scripts
 * still receive them only through environment variables.
 */
export interface NameRule {
  pattern: RegExp;
  /** What a valid value looks like, for error messages. */
  expected: string;
  maxLength: number;
}

export const DNS1123_LABEL: NameRule = {
  pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  expected: "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
  maxLength: 63,
};

/** Velero names scheduled backups `<schedule>-YYYYMMDDhhmmss` and labels them with it (63 max). */
export const SCHEDULE_NAME: NameRule = { ...DNS1123_LABEL, maxLength: 48 };

export const STORAGE_ACCOUNT: NameRule = {
  pattern: /^[a-z0-9]{3,24}$/,
  expected: "3-24 lowercase letters and digits (globally unique in Azure)",
  maxLength: 24,
};

export const BLOB_CONTAINER: NameRule = {
  pattern: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  expected: "3-63 lowercase letters, digits and single '-', starting and ending with a letter or digit",
  maxLength: 63,
};

export const RESOURCE_GROUP: NameRule = {
  pattern: /^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]$/,
  expected: "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
  maxLength: 90,
};

export const AKS_CLUSTER: NameRule = {
  pattern: /^[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?$/,
  expected: "1-63 letters, digits, '-' and '_', starting and ending with a letter or digit",
  maxLength: 63,
};

export const AZURE_LOCATION: NameRule = {
  pattern: /^[a-z][a-z0-9]+$/,
  expected: "an Azure region name such as westeurope or eastus2",
  maxLength: 40,
};

export const UUID: NameRule = {
  pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  expected: "a GUID such as 00000000-0000-0000-0000-000000000000",
  maxLength: 36,
};

/** Object prefix inside the bucket/container: path segments of safe characters. */
export const OBJECT_PREFIX: NameRule = {
  pattern: /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?)*$/,
  expected: "lowercase path segments separated by '/', no leading or trailing '/'",
  maxLength: 200,
};

export const IMAGE_REGISTRY: NameRule = {
  pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?)*$/,
  expected:
    "a registry host with optional port and path, such as myregistry.azurecr.io or registry.local:5000/mirror",
  maxLength: 200,
};

/** Kubernetes resource quantities as used for requests/limits. */
export const QUANTITY: NameRule = {
  pattern: /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/,
  expected: "a Kubernetes quantity such as 500m, 1, 256Mi or 1Gi",
  maxLength: 20,
};

/** Lower-case resource names as Velero's include/exclude lists take them (`deployments`, `foo.example.com`). */
export const RESOURCE_KIND: NameRule = {
  pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  expected: "a lowercase resource name such as endpointslices or certificates.cert-manager.io",
  maxLength: 253,
};

export function checkName(rule: NameRule, value: string): boolean {
  return value.length <= rule.maxLength && rule.pattern.test(value);
}

export const AWS_REGION: NameRule = {
  pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
  expected: "an AWS region name such as eu-west-1 or us-gov-west-1",
  maxLength: 30,
};

export const AWS_ACCOUNT_ID: NameRule = {
  pattern: /^\d{12}$/,
  expected: "a 12-digit AWS account id",
  maxLength: 12,
};

/**
 * S3 bucket names, without dots: a dotted name breaks TLS for virtual-hosted requests
 * (`<bucket>.s3.<region>.amazonaws.com` no longer matches the wildcard certificate).
 */
export const S3_BUCKET: NameRule = {
  pattern: /^(?!xn--|sthree-)(?!.*(-s3alias|--ol-s3|--x-s3)$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  expected: "3-63 lowercase letters, digits and '-', starting and ending with a letter or digit (no dots)",
  maxLength: 63,
};

/**
 * A bucket of an S3-compatible store (MinIO, Ceph RGW, ...): the S3 rules, dots allowed (the
 * stores take them; path-style addressing keeps them out of TLS host names).
 */
export const S3COMPAT_BUCKET: NameRule = {
  pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  expected: "3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
  maxLength: 63,
};

/**
 * The region an S3-compatible store signs requests with (MinIO: its configured region, Ceph RGW:
 * the zonegroup's api_name); any such name, since the store, not AWS, defines them.
 */
export const S3COMPAT_REGION: NameRule = {
  pattern: /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
  expected: "the store's region name (letters, digits, '.', '_' and '-'), e.g. us-east-1 or minio",
  maxLength: 64,
};

export const EKS_CLUSTER: NameRule = {
  pattern: /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
  expected: "an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit",
  maxLength: 100,
};

/** IAM role and user names. */
export const IAM_NAME: NameRule = {
  pattern: /^[A-Za-z0-9+=,.@_-]{1,64}$/,
  expected: "an IAM name: 1-64 letters, digits and + = , . @ _ -",
  maxLength: 64,
};

/** The IAM OIDC provider of an EKS cluster (created by `eksctl utils associate-iam-oidc-provider`). */
export const EKS_OIDC_PROVIDER_ARN: NameRule = {
  pattern:
    /^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/,
  expected:
    "the cluster's IAM OIDC provider ARN, arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>",
  maxLength: 300,
};

/** A KMS key ARN (not an alias: IAM policies and S3 default encryption name the key itself). */
export const KMS_KEY_ARN: NameRule = {
  pattern:
    /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
  expected: "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id>",
  maxLength: 200,
};

export const EMAIL: NameRule = {
  pattern: /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/,
  expected: "an e-mail address such as ops@example.com",
  maxLength: 254,
};

/* Kubernetes label keys and values: ./labels (their rule has parts a single pattern cannot bound). */
