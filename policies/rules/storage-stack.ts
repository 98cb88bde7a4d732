import { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import {
  arr,
  configOf,
  dependsOnDirectly,
  dependsOnTransitively,
  get,
  isProduction,
  isRecord,
  num,
  ofType,
  PRODUCTION_TAG,
  records,
  str,
  parsePolicy,
  S3,
  TOKENS,
} from "./common";
import { longestBackupTtl, LongestTtl } from "./ttl";

/**
 * Storage rules that relate several resources of the stack: retention against the schedules'
 * TTLs, immutability on production storage, and the companions an S3 bucket needs.
 */

/**
 * "Retention" here means every storage-side mechanism that ends the life of backup data, compared
 * with the longest backup TTL of the stack (the longest `spec.template.ttl` of its Schedules):
 * - a lifecycle rule that deletes previous blob versions / noncurrent objects must wait at least the
 *   TTL: a backup deleted or overwritten early (bug, wrong delete, stolen account key) then stays
 *   recoverable as a version for as long as Velero would have kept it;
 * - a lifecycle rule that deletes or archives current backup blobs must wait at least the TTL
 *   (archived blobs cannot be read by Velero, so a restore of them fails);
 * - a time-based immutability period (container policy, account-level version immutability,
 *   S3 Object Lock default retention) must last at least the TTL, so every live backup is WORM.
 * Azure counts version age from the version's creation (when that content was written), so a
 * version-retention of N days protects data written at most N days ago, the same quantity as a TTL.
 */
interface RetentionConfig {
  defaultBackupTtlHours: number;
}

export const storageRetention: StackValidationPolicy = {
  name: "storage-retention-covers-backup-ttl",
  description:
    "Version retention, lifecycle deletion/archiving and immutability periods of the backup storage last " +
    "at least as long as the longest backup TTL, so storage never drops or locks away a backup Velero still " +
    "relies on, and a prematurely deleted backup stays recoverable for its whole life.",
  remediationSteps:
    "Raise velero-dr:storage.versionRetentionDays / immutabilityDays (S3: noncurrentDays, Object Lock days) " +
    "to at least the longest schedule TTL in days, or shorten the TTL.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      defaultBackupTtlHours: {
        type: "number",
        minimum: 1,
        default: 720,
        description: "TTL of a Schedule without spec.template.ttl (Velero 1.10's server default is 720h)",
      },
    },
  },
  validateStack: (args, report) => {
    const { defaultBackupTtlHours } = configOf<RetentionConfig>(args, { defaultBackupTtlHours: 720 });
    const ttl = longestBackupTtl(args.resources, defaultBackupTtlHours);
    if (!ttl) return args.notApplicable("no Velero Schedule in this stack: no backup TTL to compare with");
    checkAzureRetention(args.resources, ttl, report);
    checkS3Retention(args.resources, ttl, report);
  },
};

function tooShort(ttl: LongestTtl, what: string, days: number): string {
  return `${what} after ${days} days, shorter than the longest backup TTL (${ttl.ttl} of Schedule "${ttl.schedule}" = ${ttl.days} days)`;
}

/** The smallest `daysAfter...` threshold of an Azure lifecycle action (tier-change age is not data age). */
function actionDays(action: unknown): number | undefined {
  if (!isRecord(action)) return undefined;
  const days = Object.keys(action)
    .filter((k) => k.startsWith("daysAfter") && k !== "daysAfterLastTierChangeGreaterThan")
    .map((k) => num(action[k]))
    .filter((d): d is number => d !== undefined);
  return days.length > 0 ? Math.min(...days) : undefined;
}

const AZURE_ACTIONS: [string, string, string][] = [
  ["version", "delete", "deletes previous blob versions"],
  ["version", "tierToArchive", "archives previous blob versions (unreadable to Velero)"],
  ["baseBlob", "delete", "deletes current backup blobs"],
  ["baseBlob", "tierToArchive", "archives current backup blobs (unreadable to Velero)"],
];

function checkAzureRetention(resources: PolicyResource[], ttl: LongestTtl, report: ReportViolation): void {
  for (const mp of ofType(resources, TOKENS.managementPolicy)) {
    for (const rule of records(get(mp.props, "policy", "rules"))) {
      if (rule.enabled === false) continue;
      const actions = get(rule, "definition", "actions");
      for (const [target, action, what] of AZURE_ACTIONS) {
        const days = actionDays(get(actions, target, action));
        if (days !== undefined && days < ttl.days) {
          report(`lifecycle rule "${String(rule.name)}" ${tooShort(ttl, what, days)}.`, mp.urn);
        }
      }
    }
  }
  for (const p of ofType(resources, TOKENS.immutabilityPolicy)) {
    const days = num(p.props.immutabilityPeriodSinceCreationInDays);
    if (days !== undefined && days < ttl.days) {
      report(`the container immutability policy ${tooShort(ttl, "ends", days)}.`, p.urn);
    }
  }
  for (const a of ofType(resources, TOKENS.storageAccount)) {
    const worm = get(a.props, "immutableStorageWithVersioning");
    const days = num(get(worm, "immutabilityPolicy", "immutabilityPeriodSinceCreationInDays"));
    if (get(worm, "enabled") === true && days !== undefined && days < ttl.days) {
      report(`account-level version immutability ${tooShort(ttl, "ends", days)}.`, a.urn);
    }
  }
}

const ARCHIVE_CLASSES = ["GLACIER", "DEEP_ARCHIVE"];

function checkS3Retention(resources: PolicyResource[], ttl: LongestTtl, report: ReportViolation): void {
  for (const lc of ofType(resources, ...S3.lifecycle)) {
    for (const rule of records(lc.props.rules)) {
      if (rule.status !== "Enabled") continue;
      const id = String(rule.id);
      const checks: [number | undefined, string][] = [
        [num(get(rule, "expiration", "days")), "expires current backup objects"],
        [num(get(rule, "noncurrentVersionExpiration", "noncurrentDays")), "expires noncurrent versions"],
        ...records(rule.transitions)
          .filter((t) => ARCHIVE_CLASSES.includes(String(t.storageClass)))
          .map((t): [number | undefined, string] => [
            num(t.days),
            `moves objects to ${String(t.storageClass)}`,
          ]),
      ];
      for (const [days, what] of checks) {
        if (days !== undefined && days < ttl.days) {
          report(`lifecycle rule "${id}" ${tooShort(ttl, what, days)}.`, lc.urn);
        }
      }
    }
  }
  for (const ol of ofType(resources, ...S3.objectLock)) {
    const days = objectLockDays(ol.props);
    if (days !== undefined && days < ttl.days) {
      report(`the Object Lock default retention ${tooShort(ttl, "ends", days)}.`, ol.urn);
    }
  }
}

function objectLockDays(props: Record<string, unknown>): number | undefined {
  const retention = get(props, "rule", "defaultRetention");
  const days = num(get(retention, "days"));
  const years = num(get(retention, "years"));
  return days ?? (years !== undefined ? years * 365 : undefined);
}

/** Storage that holds backups: Azure accounts and S3 buckets. */
function backupStores(resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, TOKENS.storageAccount, ...S3.buckets);
}

/** Why `store` is not immutable, or undefined when it is. */
function immutabilityGap(store: PolicyResource, resources: PolicyResource[]): string | undefined {
  if (store.type === TOKENS.storageAccount) {
    const worm = get(store.props, "immutableStorageWithVersioning");
    if (
      get(worm, "enabled") === true &&
      num(get(worm, "immutabilityPolicy", "immutabilityPeriodSinceCreationInDays"))
    ) {
      return undefined;
    }
    const covered = ofType(resources, TOKENS.immutabilityPolicy).some(
      (p) => dependsOnTransitively(p, store) && (num(p.props.immutabilityPeriodSinceCreationInDays) ?? 0) > 0,
    );
    return covered
      ? undefined
      : `storage account "${store.name}" has no time-based immutability (no BlobContainerImmutabilityPolicy ` +
          "on its container, no account-level version immutability): anyone holding the account key, which " +
          "Velero's plugin lists, can delete every backup.";
  }
  const locked = ofType(resources, ...S3.objectLock).some(
    (c) => dependsOnDirectly(c, store) && (objectLockDays(c.props) ?? 0) > 0,
  );
  if (store.props.objectLockEnabled === true && locked) return undefined;
  return (
    `bucket "${store.name}" has no Object Lock default retention (objectLockEnabled: true at creation and a ` +
    "BucketObjectLockConfiguration): whoever holds Velero's credentials can delete every backup."
  );
}

function immutabilityPolicy(production: boolean): StackValidationPolicy {
  const which = production ? "production" : "non-production";
  return {
    name: production ? "storage-immutability-production" : "storage-immutability-recommended",
    description: production
      ? `Production backup storage (tag ${PRODUCTION_TAG}: "true") is immutable (WORM) for at least the backup ` +
        "TTL: ransomware or a stolen key must not be able to delete the backups the recovery depends on."
      : `Immutable (WORM) backup storage is recommended on non-production stacks too (tag ${PRODUCTION_TAG} ` +
        'not "true"); advisory only.',
    remediationSteps:
      "Azure: set velero-dr:storage.immutabilityDays (>= the longest TTL in days). S3: create the bucket with " +
      "objectLockEnabled: true and add a BucketObjectLockConfiguration with a default retention.",
    enforcementLevel: production ? "mandatory" : "advisory",
    severity: production ? "critical" : "medium",
    validateStack: (args, report) => {
      const stores = backupStores(args.resources).filter((s) => isProduction(s.props) === production);
      if (stores.length === 0)
        return args.notApplicable(`no ${which} storage account or bucket in this stack`);
      for (const store of stores) {
        const gap = immutabilityGap(store, args.resources);
        if (gap) report(gap, store.urn);
      }
    },
  };
}

export const storageImmutabilityPolicies = [immutabilityPolicy(true), immutabilityPolicy(false)];

/** Companion resources a bucket needs, each recognised by depending directly on the bucket. */
const S3_COMPANIONS: [readonly string[], string, (props: Record<string, unknown>) => boolean][] = [
  [S3.publicAccessBlock, "a BucketPublicAccessBlock", () => true],
  [S3.versioning, "a BucketVersioning", () => true],
  [
    S3.encryption,
    'default encryption (sseAlgorithm "AES256", "aws:kms" or "aws:kms:dsse")',
    hasDefaultEncryption,
  ],
  [
    S3.bucketPolicy,
    'a bucket policy denying requests without TLS ("aws:SecureTransport": "false")',
    deniesPlainHttp,
  ],
];

export const s3BucketControls: StackValidationPolicy = {
  name: "storage-s3-bucket-controls",
  description:
    "Every S3 backup bucket has its protections as separate resources (@pulumi/aws 7.x): a public access " +
    "block, versioning, default encryption and a bucket policy refusing plain HTTP.",
  remediationSteps:
    "Add BucketPublicAccessBlock, BucketVersioning, BucketServerSideEncryptionConfiguration and a " +
    "BucketPolicy with a Deny on aws:SecureTransport false, each taking `bucket: bucket.id`.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, report) => {
    const buckets = ofType(args.resources, ...S3.buckets);
    if (buckets.length === 0) return args.notApplicable("no S3 bucket in this stack");
    for (const bucket of buckets) {
      for (const [tokens, what, ok] of S3_COMPANIONS) {
        const found = ofType(args.resources, ...tokens).some(
          (c) => dependsOnDirectly(c, bucket) && ok(c.props),
        );
        if (!found) report(`bucket "${bucket.name}" lacks ${what}.`, bucket.urn);
      }
    }
  },
};

function hasDefaultEncryption(props: Record<string, unknown>): boolean {
  return records(props.rules).some((r) =>
    ["AES256", "aws:kms", "aws:kms:dsse"].includes(
      String(get(r, "applyServerSideEncryptionByDefault", "sseAlgorithm")),
    ),
  );
}

function deniesPlainHttp(props: Record<string, unknown>): boolean {
  const doc = parsePolicy(props.policy);
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : [doc?.Statement];
  return statements.some((s) => {
    if (!isRecord(s) || s.Effect !== "Deny") return false;
    const value = get(s, "Condition", "Bool", "aws:SecureTransport");
    return arr(Array.isArray(value) ? value : [value]).some((v) => String(v) === "false");
  });
}

/**
 * Production backup storage has its backups replicated to another region: when the primary's
 * region is lost, a destination must have something to read (Azure GRS alone does not serve
 * Velero: reading the secondary needs a failover).
 * - An Azure account is covered when it is the source of an object replication policy (on the
 *   source account, the side that replicates) into another account of the stack in another
 *   region, or is that replica itself.
 * - An S3 bucket is covered when an enabled rule of an S3 replication configuration on it copies
 *   into another bucket of the stack in another region (each bucket's region: its own `region`, else
 *   its provider's), or is that replica itself.
 */
export const storageReplicaProduction: StackValidationPolicy = {
  name: "storage-replica-production",
  description:
    `Production backup storage (tag ${PRODUCTION_TAG}: "true") is replicated to storage of the stack in another ` +
    "region (an Azure account by Azure Blob object replication, an S3 bucket by S3 replication), so the " +
    "backups survive the loss of the primary's region.",
  remediationSteps:
    "Set velero-dr:storage.replica (Azure: location, not velero-dr:azure.location; AWS: region, not " +
    "velero-dr:aws.region); the source stack then creates the replica and the replication into it.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, report) => {
    const accounts = ofType(args.resources, TOKENS.storageAccount);
    const buckets = ofType(args.resources, ...S3.buckets);
    const production = [...accounts, ...buckets].filter((a) => isProduction(a.props));
    if (production.length === 0) return args.notApplicable("no production backup storage in this stack");
    const replicaOf = new Map<PolicyResource, PolicyResource>();

    // Azure: the policy that replicates is the one on the source account.
    const nameOf = (a: PolicyResource) => str(a.props.accountName);
    const byId = (id: unknown) => {
      const text = str(id);
      if (text === undefined) return undefined;
      const name = text.split("/").pop();
      return accounts.find((a) => nameOf(a) === name);
    };
    for (const p of ofType(args.resources, TOKENS.objectReplicationPolicy)) {
      const source = byId(p.props.sourceAccount);
      const destination = byId(p.props.destinationAccount);
      if (!source || !destination || str(p.props.accountName) !== nameOf(source)) continue;
      if (records(p.props.rules).length === 0) continue;
      replicaOf.set(source, destination);
    }

    // S3: the configuration is on the source bucket, each enabled rule names its destination's ARN.
    const bucketNamed = (name: string | undefined) => buckets.find((b) => str(b.props.bucket) === name);
    for (const c of ofType(args.resources, ...S3.replication)) {
      const source = bucketNamed(str(c.props.bucket));
      if (!source) continue;
      for (const rule of records(c.props.rules)) {
        if (str(rule.status) !== "Enabled") continue;
        const destination = bucketNamed(
          str(get(rule, "destination", "bucket"))
            ?.split(":::")
            .pop(),
        );
        if (destination && destination !== source) replicaOf.set(source, destination);
      }
    }

    const label = (r: PolicyResource) =>
      accounts.includes(r)
        ? `storage account "${nameOf(r) ?? r.name}"`
        : `S3 bucket "${str(r.props.bucket) ?? r.name}"`;
    const regionOf = (r: PolicyResource) =>
      (str(r.props.location) ?? str(r.props.region) ?? str(r.provider?.props.region))?.toLowerCase();
    const replicas = new Set(replicaOf.values());
    for (const storage of production) {
      if (replicas.has(storage)) continue;
      const replica = replicaOf.get(storage);
      if (!replica) {
        report(
          `${label(storage)} holds production backups but replicates them nowhere (` +
            (accounts.includes(storage)
              ? "no object replication policy on it into another account of the stack"
              : "no enabled S3 replication rule on it into another bucket of the stack") +
            "): when its region is lost, a destination has no backups to read.",
          storage.urn,
        );
        continue;
      }
      const here = regionOf(storage);
      const there = regionOf(replica);
      if (here !== undefined && here === there) {
        report(
          `${label(storage)} replicates to ${label(replica).replace(/^(storage account|S3 bucket) /, "")} ` +
            `in its own region (${here}): the replica is lost with the region it should survive.`,
          storage.urn,
        );
      }
    }
  },
};
