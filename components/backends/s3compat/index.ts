import { z } from "zod";
import { named, show } from "../../model/values";
import * as names from "../../model/names";
import type { SourceCommon } from "../../config/validate";
import type { SourceOutputs } from "../../config/destination-schema";
import type { TargetIssue } from "../../targets/target";
import { DEFAULT_VERSIONS, minorOf } from "../../velero/versions";
import { buildS3CompatBslConfig } from "../../velero/locations";
import { endpointProblem } from "../kit/endpoint";
import type { DestinationLocations, DestinationSupport, RefusedKey, StorageBackend } from "../backend";

/**
 * An S3-compatible store (`velero-dr:cloud: s3compat`): MinIO, Ceph RGW or any other S3 API, on
 * premises or air-gapped. The bucket exists already (the stack never creates, changes or deletes
 * it); Velero reaches it through velero-plugin-for-aws with a static key pair from the secret
 * `velero-dr:s3compatCredentials`. No volume snapshots (no snapshot API to call): volume contents
 * travel as file-system backups (the node agent), into the same bucket. No cloud SDK: the stack's
 * only provider is Kubernetes. The config part (this file) is plain zod; the Pulumi
 * code is in source.ts and destination.ts, loaded on use.
 */

/** The secret key holding Velero's key pair on the store. */
export const CREDENTIALS_KEY = "s3compatCredentials";

/** First plugin line that knows `checksumAlgorithm` (velero-plugin-for-aws v1.10.0). */
const CHECKSUM_PLUGIN_MINOR = [1, 10];

/** An endpoint of the store: the shared check (kit/endpoint), credentials refused first and never echoed. */
const endpointUrl = (what: string) =>
  z.string().superRefine((v, ctx) => {
    const problem = endpointProblem(v, {
      what,
      example: "https://minio.example.com:9000",
      credentialsAdvice: `put them in the secret velero-dr:${CREDENTIALS_KEY} instead`,
    });
    // No `input` on the issue: the value may hold a credential, and nothing downstream needs it.
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

/** The region requests to a store are signed with (required, see `region` below). */
const signingRegion = (what: string) =>
  z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? `is required: the region ${what} signs requests with (MinIO: its MINIO_REGION, us-east-1 unless set; Ceph RGW: the zonegroup's api_name)`
          : undefined,
    })
    .pipe(named(names.S3COMPAT_REGION));

/** `velero-dr:s3compat` of a source: the store and bucket Velero writes to. */
export const s3compatSection = z.strictObject({
  /** The store's S3 endpoint (BSL `s3Url`). */
  endpoint: endpointUrl("the store's S3 endpoint"),
  /** An existing bucket: the stack never creates, changes or deletes it. */
  bucket: named(names.S3COMPAT_BUCKET),
  /**
   * The region requests are signed with. Required: plugin v1.6.2 looks a region up only on AWS
   * (without `s3Url`), and its aws-sdk-go refuses to sign without one.
   */
  region: signingRegion("the store"),
  /** Path-style addressing (BSL `s3ForcePathStyle`): what MinIO and Ceph RGW serve without wildcard DNS. */
  forcePathStyle: z.boolean().default(true),
  /** Where clients (the velero CLI) reach the store for downloads, if not at `endpoint` (BSL `publicUrl`). */
  publicUrl: endpointUrl("the store's public S3 endpoint").optional(),
  /**
   * Upload checksums (BSL `checksumAlgorithm`, "" turns them off): plugin v1.10+ only; v1.6.x (the
   * line Velero 1.10 runs) does not know the key and refuses to start with it.
   */
  checksumAlgorithm: z.enum(["", "CRC32", "CRC32C", "SHA1", "SHA256"]).optional(),
});

export type S3CompatSection = z.output<typeof s3compatSection>;

/**
 * `velero-dr:s3compat.replica` of a destination: the store's own copy of the source's bucket at the
 * recovery site. An S3-compatible store replicates on its own (MinIO bucket or site replication,
 * Ceph RGW multisite): the source stack never sets it up and its outputs do not know it, so the
 * destination names it. Replication keeps the objects' keys: the source's `storage.prefix` applies.
 */
export const s3compatReplicaSection = z.strictObject({
  /** The replica store's S3 endpoint (BSL `s3Url`). */
  endpoint: endpointUrl("the replica store's S3 endpoint"),
  /** The bucket the store replicates the source's bucket into. */
  bucket: named(names.S3COMPAT_BUCKET),
  region: signingRegion("the replica store"),
  forcePathStyle: z.boolean().default(true),
  /** Where clients reach the replica for downloads, if not at `endpoint` (BSL `publicUrl`). */
  publicUrl: endpointUrl("the replica store's public S3 endpoint").optional(),
});

export type S3CompatReplica = z.output<typeof s3compatReplicaSection>;

/** `velero-dr:s3compat` of a destination, optional (the store itself comes from the source's outputs). */
export const s3compatDestinationSection = z.strictObject({
  /**
   * The destination's key pair can only read the bucket: the store itself then refuses every
   * write while the restore runs. Such a key cannot write backups, so it excludes promotion.
   */
  readOnlyCredentials: z.boolean().default(false),
  /**
   * The replica of the source's bucket in the recovery region, read by default when set
   * (`backup.location: primary` reads the source's store instead). The destination's key pair
   * (`velero-dr:s3compatCredentials`) is then a key of the replica's store.
   */
  replica: s3compatReplicaSection.optional(),
});

type S3CompatDestinationSection = z.output<typeof s3compatDestinationSection>;

const KEY_CHARS = /^[\x21-\x7e]+$/;
const keyPart = (what: string, min: number, max: number) =>
  z.string().refine((v) => v.length >= min && v.length <= max && KEY_CHARS.test(v), {
    error: `expected ${what}: ${min}-${max} printable characters without spaces (the value is secret and not shown)`,
  });

/** `velero-dr:s3compatCredentials` (secret): Velero's key pair on the store. */
export const s3compatCredentials = z.strictObject(
  {
    accessKeyId: keyPart("the store's access key id", 3, 128),
    secretAccessKey: keyPart("the store's secret access key", 8, 256),
    // Temporary credentials (an STS's AssumeRole, e.g. a read-only key for a rehearsal) come
    // with a session token; the AWS shared-credentials file carries it as aws_session_token.
    sessionToken: keyPart("the temporary credentials' session token", 16, 8192).optional(),
  },
  {
    error:
      "expected a map { accessKeyId, secretAccessKey } (and sessionToken for temporary credentials; the value is secret and not shown)",
  },
);

export type S3CompatCredentials = z.output<typeof s3compatCredentials>;

/** The s3compat settings, resolved. */
export type S3CompatConfig = S3CompatSection;

/** The validated, fully-defaulted configuration of an s3compat source stack: plain data. */
export interface S3CompatSourceConfig extends SourceCommon {
  cloud: "s3compat";
  s3compat: S3CompatConfig;
  /** Only `storage.prefix` applies: the bucket is not the stack's. */
  storage: SourceCommon["storage"];
}

/** What a destination reads of an s3compat source stack's outputs. */
export const s3compatSourceOutputKeys = {
  s3compat: z.looseObject({
    endpoint: endpointUrl("the store's S3 endpoint"),
    region: named(names.S3COMPAT_REGION),
    forcePathStyle: z.boolean().default(true),
    publicUrl: z.string().default(""),
    checksumAlgorithm: z.enum(["", "CRC32", "CRC32C", "SHA1", "SHA256"]).optional(),
  }),
  storage: z.looseObject({
    bucket: named(names.S3COMPAT_BUCKET),
    prefix: z.string().default(""),
  }),
};

export type S3CompatSourceOutputs = z.output<z.ZodObject<typeof s3compatSourceOutputKeys>>;

/** Whether plugin `tag` knows BSL `checksumAlgorithm`. */
export function pluginKnowsChecksum(tag: string): boolean {
  const [major, minor] = (minorOf(tag) ?? "0.0").split(".").map(Number);
  return (
    major > CHECKSUM_PLUGIN_MINOR[0] ||
    (major === CHECKSUM_PLUGIN_MINOR[0] && minor >= CHECKSUM_PLUGIN_MINOR[1])
  );
}

function checksumIssue(path: (string | number)[], value: string, plugin: string): TargetIssue {
  return {
    path,
    message: `got ${show(value)}; velero-plugin-for-aws ${plugin} does not know checksumAlgorithm (it arrived in v1.10.0) and refuses to start with a key it does not know; remove it`,
  };
}

const NOT_THE_STACKS =
  "the bucket exists already and the stack never creates or changes it; set this on the store";
const NO_CLOUD_ALERT =
  "there is no storage-side (cloud) alert on an S3-compatible store; the in-cluster PrometheusRule still alerts (route it with Alertmanager)";
const STATIC_KEY = `Velero uses the static key pair of velero-dr:${CREDENTIALS_KEY} (rotate it on the store and set the secret again)`;

const refusedOnSource: Record<string, RefusedKey> = {
  "storage.protect": { why: NOT_THE_STACKS },
  "storage.versionRetentionDays": { why: `${NOT_THE_STACKS} (its versioning and lifecycle rules)` },
  identity: { why: STATIC_KEY },
  "alerting.cloudAlert": { why: NO_CLOUD_ALERT, when: (v) => v === true },
  "alerting.emails": { why: NO_CLOUD_ALERT },
  alertWebhooks: { why: NO_CLOUD_ALERT },
};

/** The store a destination reads the backups from (`backup.location`). */
export interface S3CompatReadStore {
  location: "primary" | "replica";
  endpoint: string;
  bucket: string;
  region: string;
}

/** A destination's s3compat settings and `backup.location` (plain config). */
function readChoice(cfg: object | undefined): {
  replica?: S3CompatReplica;
  choice?: "primary" | "replica";
} {
  const c = cfg as { s3compat?: S3CompatDestinationSection; backup?: { location?: "primary" | "replica" } };
  return { replica: c?.s3compat?.replica, choice: c?.backup?.location };
}

/**
 * Where an s3compat destination reads: `backup.location` as set, else the replica when
 * `s3compat.replica` names one, else the source's store. (A replica asked for without one is
 * refused by the destination's check before this.)
 */
export function s3compatReadStore(outputs: unknown, cfg?: object): S3CompatReadStore {
  const s = outputs as S3CompatSourceOutputs;
  const { replica, choice } = readChoice(cfg);
  if (replica && choice !== "primary") {
    return {
      location: "replica",
      endpoint: replica.endpoint,
      bucket: replica.bucket,
      region: replica.region,
    };
  }
  return {
    location: "primary",
    endpoint: s.s3compat.endpoint,
    bucket: s.storage.bucket,
    region: s.s3compat.region,
  };
}

/** The BSL of an s3compat destination, from the source's outputs and `backup.location` (no VSL). */
export function s3compatDestinationLocations(outputs: unknown, cfg?: object): DestinationLocations {
  const s = outputs as S3CompatSourceOutputs;
  const { replica } = readChoice(cfg);
  const read = s3compatReadStore(outputs, cfg);
  const store =
    read.location === "replica" && replica
      ? {
          endpoint: replica.endpoint,
          region: replica.region,
          forcePathStyle: replica.forcePathStyle,
          publicUrl: replica.publicUrl,
          // The same plugin writes and reads: the source's setting holds on the replica.
          checksumAlgorithm: s.s3compat.checksumAlgorithm,
        }
      : { ...s.s3compat, publicUrl: s.s3compat.publicUrl || undefined };
  return {
    provider: "aws",
    pluginImage: s3compat.pluginImage,
    bsl: {
      bucket: read.bucket,
      // Replication keeps the keys: the source's prefix on either store.
      prefix: s.storage.prefix || undefined,
      config: buildS3CompatBslConfig(store),
    },
  };
}

/** Velero's key pair on the store, as the runbook shows it (never its value). */
const describeS3CompatAccess: DestinationSupport["describeAccess"] = ({ cfg, source }) => {
  const section = (cfg as unknown as { s3compat?: z.output<typeof s3compatDestinationSection> }).s3compat;
  const read = s3compatReadStore(source, cfg);
  return {
    summary:
      "Velero reaches the store with a static key pair: no cloud identity is created. The key pair is the secret you set; the stack writes it only into Velero's credentials Secret:",
    rows: [
      [
        "Key pair",
        `the secret \`velero-dr:${CREDENTIALS_KEY}\` (\`pulumi config get velero-dr:${CREDENTIALS_KEY}\`); never shown`,
      ],
      [
        "Backups read from",
        read.location === "replica"
          ? `the replica \`${read.bucket}\` at \`${read.endpoint}\` (\`s3compat.replica\`, filled by the store's own replication): the key pair is a key of that store; nothing is read from the source's store`
          : `the source's store \`${read.endpoint}\`, bucket \`${read.bucket}\``,
      ],
      [
        "Writes",
        section?.readOnlyCredentials
          ? "the key may only read the bucket (`s3compat.readOnlyCredentials`): the store itself refuses writes"
          : "the key may write: the bucket is read-only to Velero by the location's access mode (ReadOnly) until it is promoted",
      ],
      [
        "Credentials file (Secret key `cloud`)",
        "`[default]`, `aws_access_key_id=` and `aws_secret_access_key=` of the key pair",
      ],
    ],
  };
};

export const s3compat: StorageBackend<S3CompatSourceConfig> = {
  name: "s3compat",
  label: "S3-compatible",
  section: s3compatSection,
  sectionKeys: "endpoint, bucket, region, ...",
  storageKeys: {},
  storageHint: "(an s3compat bucket is not the stack's: only storage.prefix applies)",
  pluginImage: "velero/velero-plugin-for-aws",
  defaultPluginVersion: DEFAULT_VERSIONS.awsPlugin,
  volumeSnapshots: false,
  // Velero's node agent copies volumes into the same bucket (kopia: its own S3 client on the BSL's
  // s3Url, path-style; drilled against MinIO in test/e2e/node-agent.e2e.ts).
  fileSystemBackup: true,
  secretKeys: {
    [CREDENTIALS_KEY]: {
      schema: s3compatCredentials,
      set: `pulumi config set --secret velero-dr:${CREDENTIALS_KEY} (then paste {"accessKeyId": "...", "secretAccessKey": "..."})`,
    },
  },
  refusedKeys: {
    source: refusedOnSource,
    destination: { identity: { why: STATIC_KEY } },
  },
  // On premises, any cluster: a kubeconfig.
  targets: { source: ["kubeconfig"], destination: ["kubeconfig"] },
  clusterHint: "on s3compat set a kubeconfig secret",
  checkSource: (c) => {
    const section = (c as unknown as { s3compat?: S3CompatSection }).s3compat;
    const issues: TargetIssue[] = [];
    if (!section) return issues;
    const plugin = c.velero.pluginVersion ?? DEFAULT_VERSIONS.awsPlugin;
    if (section.checksumAlgorithm !== undefined && !pluginKnowsChecksum(plugin)) {
      issues.push(checksumIssue(["s3compat", "checksumAlgorithm"], section.checksumAlgorithm, plugin));
    }
    if (c.production && section.endpoint.startsWith("http://")) {
      issues.push({
        path: ["s3compat", "endpoint"],
        message: `got ${show(section.endpoint)}; a production stack's backups must not travel unencrypted: use the store's https:// endpoint (or production: false for a lab)`,
      });
    }
    return issues;
  },
  resolveSource: (raw, common) => {
    const s = (raw as unknown as { s3compat: S3CompatSection }).s3compat;
    return {
      ...common,
      cloud: "s3compat",
      s3compat: { ...s },
      // Neither alerting target applies (refused above): no cloud alert.
      alerting: { ...common.alerting, cloudAlert: false },
    };
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  source: () => (require("./source") as typeof import("./source")).s3compatSource,
  destination: {
    sourceOutputKeys: s3compatSourceOutputKeys,
    section: s3compatDestinationSection,
    sectionRequired: false,
    // The store replicates on its own: the destination's settings name the replica.
    replicaDeclaredBy: "destination",
    replica: (_source, cfg) => {
      const r = (cfg as { s3compat?: { replica?: S3CompatReplica } } | undefined)?.s3compat?.replica;
      return r ? { where: `\`${r.bucket}\` at ${r.endpoint} (velero-dr:s3compat.replica)` } : undefined;
    },
    check: (c) => {
      const issues: TargetIssue[] = [];
      const section = (c as unknown as { s3compat?: z.output<typeof s3compatDestinationSection> }).s3compat;
      if (c.backup.location === "replica" && !section?.replica) {
        issues.push({
          path: ["backup", "location"],
          message: `got "replica", but velero-dr:s3compat.replica is not set: an S3-compatible store replicates on its own (MinIO bucket replication, Ceph RGW multisite), so the destination names the replica; set velero-dr:s3compat.replica {endpoint, bucket, region} (the replica's store, the key pair of velero-dr:${CREDENTIALS_KEY} a key there), or velero-dr:backup.location: primary`,
        });
      }
      if (section?.replica && c.production && section.replica.endpoint.startsWith("http://")) {
        issues.push({
          path: ["s3compat", "replica", "endpoint"],
          message: `got ${show(section.replica.endpoint)}; a production stack's backups must not travel unencrypted: use the replica store's https:// endpoint (or production: false for a lab)`,
        });
      }
      if (section?.readOnlyCredentials && c.restore.promoteToPrimary && c.mode !== "rehearsal") {
        issues.push({
          path: ["s3compat", "readOnlyCredentials"],
          message:
            "got true with restore.promoteToPrimary true: a promoted destination writes backups, which a read-only key cannot; set restore.promoteToPrimary: false or give the destination a key that may write",
        });
      }
      return issues;
    },
    checkSourceOutputs: (o) => {
      const outputs = o as S3CompatSourceOutputs & SourceOutputs;
      const checksum = outputs.s3compat.checksumAlgorithm;
      return checksum !== undefined && !pluginKnowsChecksum(outputs.velero.pluginVersion)
        ? [checksumIssue(["s3compat", "checksumAlgorithm"], checksum, outputs.velero.pluginVersion)]
        : [];
    },
    targetContext: () => ({}),
    locations: s3compatDestinationLocations,
    describeAccess: describeS3CompatAccess,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    load: () => (require("./destination") as typeof import("./destination")).s3compatDestination,
  },
};
