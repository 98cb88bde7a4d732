import { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

/**
 * Helpers shared by the rule modules.
 *
 * Rules match resources by type token, never by provider SDK class: the pack then needs neither
 * @pulumi/azure-native (136 MB) nor @pulumi/aws to run, and the tokens are what the engine sends.
 *
 * Reading a property goes through CrossGuard's unknown-checking proxy during preview. A rule reads
 * only the paths it needs, so an unknown elsewhere (a kubeconfig of a cluster not yet created) does
 * not stop it; an unknown on a path it needs throws UnknownValueError, which the engine reports as
 * "can't run policy during preview" and runs the rule again at update time with real values.
 */

export const TOKENS = {
  storageAccount: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  blobContainer: "azure-native:storage:BlobContainer",
  managementPolicy: "azure-native:storage:ManagementPolicy",
  immutabilityPolicy: "azure-native:storage:BlobContainerImmutabilityPolicy",
  objectReplicationPolicy: "azure-native:storage:ObjectReplicationPolicy",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  appPassword: "azuread:index/applicationPassword:ApplicationPassword",
  spPassword: "azuread:index/servicePrincipalPassword:ServicePrincipalPassword",
  helmRelease: "kubernetes:helm.sh/v3:Release",
  schedule: "kubernetes:velero.io/v1:Schedule",
  command: "command:local:Command",
  restoreChain: "velero-dr:restore:RestoreChain",
} as const;

/** @pulumi/aws 7.x tokens; the deprecated *V2 twins are matched too so older code is still checked. */
export const S3 = {
  buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
  publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  lifecycle: [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  ],
  objectLock: [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
  ],
  bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
  iamPolicies: ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy"],
  replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
} as const;

/** Tag (Azure) or bucket tag (S3) that marks production backup storage (set by stackTags, components/backends/source-kit.ts). */
export const PRODUCTION_TAG = "velero-dr-production";

export type Props = Record<string, unknown>;

export function isRecord(v: unknown): v is Props {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Walks a property path; undefined as soon as a step is missing or not an object. */
export function get(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function records(v: unknown): Props[] {
  return arr(v).filter(isRecord);
}

/**
 * A resource validation for the given type tokens. Other resources are reported not applicable,
 * so the engine (and the tests) can tell "checked and fine" from "not about this resource".
 */
export function forTypes(
  tokens: readonly string[],
  validate: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
  return (args, report) => {
    if (!tokens.includes(args.type)) {
      return args.notApplicable(`applies to ${tokens.join(", ")} only`);
    }
    validate(args.props, args, report);
  };
}

/**
 * The policy's config with the schema defaults filled in. The CLI fills defaults from the schema
 * too, but a rule must not depend on that (and tests call rules without the CLI).
 */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}

export function ofType(resources: PolicyResource[], ...tokens: string[]): PolicyResource[] {
  return resources.filter((r) => tokens.includes(r.type));
}

/** True when `from` depends on `target` directly or through any chain of dependencies. */
export function dependsOnTransitively(from: PolicyResource, target: PolicyResource): boolean {
  const seen = new Set<string>();
  const queue = [...from.dependencies];
  while (queue.length > 0) {
    const next = queue.shift() as PolicyResource;
    if (next.urn === target.urn) return true;
    if (seen.has(next.urn)) continue;
    seen.add(next.urn);
    queue.push(...next.dependencies);
  }
  return false;
}

/** True when `from` lists `target` among its own dependencies (how companion resources refer to a bucket). */
export function dependsOnDirectly(from: PolicyResource, target: PolicyResource): boolean {
  return from.dependencies.some((d) => d.urn === target.urn);
}

/** A restore chain component marks a destination stack (the contract of stacks/destination.ts). */
export function isDestinationStack(resources: PolicyResource[]): boolean {
  return resources.some((r) => r.type === TOKENS.restoreChain);
}

/**
 * A Helm release of the Velero chart: from a repository ("velero", "vmware-tanzu/velero",
 * "oci://registry/charts/velero") or a local chart ("./charts/velero", "velero-3.1.6.tgz").
 */
export function isVeleroChart(chart: unknown): boolean {
  const c = str(chart);
  if (!c) return false;
  const last = c.replace(/\/+$/, "").split(/[/:]/).pop() ?? "";
  return /^velero(-\d+\.\d+\.\d+)?(\.tgz|\.tar\.gz)?$/.test(last);
}

/**
 * A Helm release of the Velero chart: a chart named velero (repository, OCI, archive), or a local
 * chart directory, whatever its name, that deploys the Velero server image. An air-gapped install
 * from `velero.chartPath` ("/opt/charts/vdr") must not escape the Velero policies by its folder's name.
 */
export function isVeleroRelease(props: Props): boolean {
  if (isVeleroChart(props.chart)) return true;
  const chart = str(props.chart) ?? "";
  if (!/^(\/|\.\.?\/|~)/.test(chart)) return false;
  const repo = str(get(props.values, "image", "repository")) ?? "";
  return /(^|\/)velero\/velero$/.test(repo);
}

export function veleroReleases(resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, TOKENS.helmRelease).filter((r) => isVeleroRelease(r.props));
}

export function tags(props: Props): Props {
  return isRecord(props.tags) ? props.tags : {};
}

export function isProduction(props: Props): boolean {
  return tags(props)[PRODUCTION_TAG] === "true";
}

/** A value as a violation message shows it. */
export function show(v: unknown): string {
  return v === undefined ? "not set" : JSON.stringify(v);
}

/** An IAM/bucket policy document given as JSON text or as an object. */
export function parsePolicy(policy: unknown): Record<string, unknown> | undefined {
  if (isRecord(policy)) return policy;
  const text = str(policy);
  if (!text) return undefined;
  try {
    const doc: unknown = JSON.parse(text);
    return isRecord(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}
