import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, forTypes, get, num, S3, show, TOKENS } from "./common";
import {
  s3BucketControls,
  storageImmutabilityPolicies,
  storageReplicaProduction,
  storageRetention,
} from "./storage-stack";

/**
 * Backup storage: the one thing that must survive a disaster. Resource rules (one resource at a
 * time, on its inputs) live here; rules that relate several resources live in storage-stack.ts.
 */

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const storageNoPublicAccess: ResourceValidationPolicy = {
  name: "storage-no-public-access",
  description:
    "Backup storage is never public. A Velero backup holds every object of the backed-up namespaces, " +
    "Secrets included: a public container or bucket hands them to anyone who finds the URL.",
  remediationSteps:
    'Azure: set allowBlobPublicAccess: false on the storage account and publicAccess: "None" on the ' +
    "container. S3: add a BucketPublicAccessBlock with all four flags true and use a private ACL.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: forTypes(
    [TOKENS.storageAccount, TOKENS.blobContainer, ...S3.publicAccessBlock, ...S3.buckets],
    (props, args, report) => {
      if (args.type === TOKENS.storageAccount) {
        if (props.allowBlobPublicAccess !== false) {
          report(
            `allowBlobPublicAccess is ${show(props.allowBlobPublicAccess)}; it must be false so no container ` +
              "of the backup account can ever be made public.",
          );
        }
      } else if (args.type === TOKENS.blobContainer) {
        const access = props.publicAccess;
        if (access !== undefined && access !== "None") {
          report(`publicAccess is ${show(access)}; the backup container must be private ("None").`);
        }
      } else if ((S3.publicAccessBlock as readonly string[]).includes(args.type)) {
        const off = PAB_FLAGS.filter((f) => props[f] !== true);
        if (off.length > 0) report(`${off.join(", ")} must be true to keep the backup bucket private.`);
      } else if (PUBLIC_ACLS.includes(String(props.acl))) {
        report(`acl is "${String(props.acl)}"; the backup bucket must be private.`);
      }
    },
  ),
};

export const storageSecureTransport: ResourceValidationPolicy = {
  name: "storage-secure-transport",
  description:
    "Backup storage accepts HTTPS only, with TLS 1.2 or newer: backups and the account key travel " +
    "over this connection. (S3 is checked by storage-s3-bucket-controls: its TLS-only rule is a bucket policy.)",
  remediationSteps:
    'Set enableHttpsTrafficOnly: true (or leave it unset: the default is true) and minimumTlsVersion: "TLS1_2".',
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forTypes([TOKENS.storageAccount], (props, _args, report) => {
    if (props.enableHttpsTrafficOnly === false) {
      report("enableHttpsTrafficOnly is false; the backup account must refuse plain HTTP.");
    }
    const tls = props.minimumTlsVersion;
    if (tls !== "TLS1_2" && tls !== "TLS1_3") {
      report(
        `minimumTlsVersion is ${show(tls)}; it must be "TLS1_2" or newer (an unset value lets older clients ` +
          "negotiate TLS 1.0).",
      );
    }
  }),
};

export const storageVersioningEnabled: ResourceValidationPolicy = {
  name: "storage-versioning-enabled",
  description:
    "Blob/object versioning is on: an overwritten or deleted backup file (a bug, a wrong `velero backup " +
    "delete`, an attacker with the account key) stays recoverable as a previous version.",
  remediationSteps:
    "Azure: isVersioningEnabled: true on the BlobServiceProperties. S3: a BucketVersioning with " +
    'versioningConfiguration.status "Enabled".',
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forTypes([TOKENS.blobService, ...S3.versioning, ...S3.buckets], (props, args, report) => {
    if (args.type === TOKENS.blobService) {
      if (props.isVersioningEnabled !== true) {
        report(`isVersioningEnabled is ${show(props.isVersioningEnabled)}; blob versioning must be on.`);
      }
    } else if ((S3.versioning as readonly string[]).includes(args.type)) {
      const status = get(props, "versioningConfiguration", "status");
      if (status !== "Enabled")
        report(`versioningConfiguration.status is ${show(status)}; it must be "Enabled".`);
    } else {
      // Inline `versioning` on the bucket is deprecated; the BucketVersioning resource is checked above.
      if (props.versioning === undefined) return args.notApplicable("no inline versioning on the bucket");
      if (get(props, "versioning", "enabled") !== true) report("inline versioning.enabled must be true.");
    }
  }),
};

interface SoftDeleteConfig {
  minDays: number;
}

export const storageSoftDeleteEnabled: ResourceValidationPolicy = {
  name: "storage-soft-delete-enabled",
  description:
    "Blob and container soft delete are on for at least minDays: a deleted backup (or the whole container) " +
    "can be undeleted within that window. S3 has no soft delete; versioning covers it there.",
  remediationSteps:
    "Set deleteRetentionPolicy and containerDeleteRetentionPolicy to { enabled: true, days: >= minDays } " +
    "on the BlobServiceProperties (velero-dr:storage.softDeleteDays / containerSoftDeleteDays).",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minDays: {
        type: "integer",
        minimum: 1,
        maximum: 365,
        default: 7,
        description: "shortest accepted window",
      },
    },
  },
  validateResource: forTypes([TOKENS.blobService], (props, args, report) => {
    const { minDays } = configOf<SoftDeleteConfig>(args, { minDays: 7 });
    for (const key of ["deleteRetentionPolicy", "containerDeleteRetentionPolicy"]) {
      const policy = props[key];
      const days = num(get(policy, "days"));
      if (get(policy, "enabled") !== true) {
        report(`${key}.enabled must be true (soft delete is off).`);
      } else if (days === undefined || days < minDays) {
        report(
          `${key}.days is ${show(days)}; soft delete must keep deleted data for at least ${minDays} days.`,
        );
      }
    }
  }),
};

export const storageProtected: ResourceValidationPolicy = {
  name: "storage-protected",
  description:
    "The storage account, container and bucket are `protect`ed, so `pulumi destroy` or a refactoring that " +
    "drops them from the program cannot delete the backups. CrossGuard sees `protect` only: the " +
    "`retainOnDelete` option is not part of what the engine sends to policy packs, so it cannot count here.",
  remediationSteps:
    "Keep velero-dr:storage.protect true (the default). To retire a stack but keep its backups: " +
    "`pulumi state unprotect` then destroy; retainOnDelete keeps the storage in the cloud.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forTypes(
    [TOKENS.storageAccount, TOKENS.blobContainer, ...S3.buckets],
    (_props, args, report) => {
      if (!args.opts.protect) {
        report(
          "the resource is not protected: set protect: true. (retainOnDelete, if set, is not visible to " +
            "policy packs, and only protect makes `pulumi destroy` refuse to run.)",
        );
      }
    },
  ),
};

export const storagePolicies = [
  storageNoPublicAccess,
  storageSecureTransport,
  storageVersioningEnabled,
  storageSoftDeleteEnabled,
  storageProtected,
  s3BucketControls,
  storageRetention,
  ...storageImmutabilityPolicies,
  storageReplicaProduction,
];
