import { z } from "zod";
import { named } from "../../model/values";
import * as names from "../../model/names";
import { buildAwsBslConfig, buildAwsVslConfig } from "../../velero/locations";
import type { SourceOutputs } from "../../config/destination-schema";
import type { DestinationLocations, DestinationSupport } from "../backend";
import { BackupLocation, readLocation } from "../kit/read-location";

/**
 * The read side of an AWS source, as plain data: what a destination reads of the source's outputs
 * (the bucket, its region and key, and the replica in the recovery region) and where its Velero
 * reads (`backup.location`). The parts of the backend's `DestinationSupport` that concern the
 * backups' location: `sourceOutputKeys`, `replica` and `locations`; the rest of the AWS
 * destination (cluster target, Velero's IAM role) plugs these in.
 */

const awsStorageOutput = {
  bucketName: named(names.S3_BUCKET),
  region: named(names.AWS_REGION),
  /** SSE-KMS key of the bucket ("" for SSE-S3). */
  kmsKeyArn: z.string().default(""),
};

/** What a destination reads of an AWS source stack's outputs. */
export const awsSourceOutputKeys = {
  aws: z.looseObject({
    region: named(names.AWS_REGION),
    accountId: named(names.AWS_ACCOUNT_ID),
  }),
  storage: z.looseObject({
    ...awsStorageOutput,
    /** The bucket's region (older sources name only aws.region, which is the same). */
    region: named(names.AWS_REGION).optional(),
    prefix: z.string().default(""),
    /** The replica in the recovery region (sources with `storage.replica`; absent on older ones). */
    replica: z.looseObject(awsStorageOutput).optional(),
  }),
};

export type AwsSourceOutputs = z.output<z.ZodObject<typeof awsSourceOutputKeys>>;

/** The bucket a destination reads the backups from (`backup.location`). */
export interface AwsReadBucket {
  location: BackupLocation;
  bucketName: string;
  region: string;
  kmsKeyArn: string;
}

/** The source's replica, as messages name it. */
export const awsReplicaOf: NonNullable<DestinationSupport["replica"]> = (o) => {
  const r = (o as unknown as AwsSourceOutputs).storage.replica;
  return r ? { where: `\`${r.bucketName}\` (${r.region})` } : undefined;
};

/**
 * Where an AWS destination reads: `backup.location` as set, else the replica when the source has
 * one, else the primary. A replica asked for that the source does not have is refused (validation
 * says so first, naming the key; this is the last line).
 */
export function awsReadBucket(outputs: unknown, choice: BackupLocation | undefined): AwsReadBucket {
  const s = outputs as AwsSourceOutputs;
  const location = readLocation({ replica: awsReplicaOf }, outputs as SourceOutputs, choice);
  const replica = s.storage.replica;
  if (location === "replica") {
    if (!replica) {
      throw new Error(
        'velero-dr:backup.location: got "replica", but the source\'s outputs have no storage.replica (the source stack has no velero-dr:storage.replica); set velero-dr:backup.location: primary, or give the source a replica and run its `pulumi up` first',
      );
    }
    return { location, bucketName: replica.bucketName, region: replica.region, kmsKeyArn: replica.kmsKeyArn };
  }
  return {
    location,
    bucketName: s.storage.bucketName,
    region: s.storage.region ?? s.aws.region,
    kmsKeyArn: s.storage.kmsKeyArn,
  };
}

/** The destination's `backup.location` (undefined: the default). */
function backupLocationOf(cfg: object | undefined): BackupLocation | undefined {
  return (cfg as { backup?: { location?: BackupLocation } } | undefined)?.backup?.location;
}

/**
 * The BSL/VSL of an AWS destination: the bucket `backup.location` chooses, in its own region (the
 * replica's is the recovery region), with its key; EBS snapshots stay in the source's region
 * (they restore only there: the cross-region guard refuses snapshot-only volumes elsewhere).
 */
export function awsDestinationLocations(outputs: unknown, cfg?: object): DestinationLocations {
  const s = outputs as AwsSourceOutputs;
  const read = awsReadBucket(outputs, backupLocationOf(cfg));
  return {
    provider: "aws",
    pluginImage: AWS_PLUGIN_IMAGE,
    bsl: {
      bucket: read.bucketName,
      prefix: s.storage.prefix || undefined,
      config: buildAwsBslConfig({
        region: read.region,
        kmsKeyArn: read.kmsKeyArn || undefined,
        ...endpointOf(cfg),
      }),
    },
    vsl: { config: buildAwsVslConfig({ region: s.aws.region }) },
  };
}

/** The destination's `aws.s3Url` / `aws.s3ForcePathStyle`, as the BSL builder takes them. */
function endpointOf(cfg: object | undefined): { s3Url?: string; forcePathStyle?: boolean } {
  const a = (cfg as { aws?: { s3Url?: string; s3ForcePathStyle?: boolean } } | undefined)?.aws;
  return a?.s3Url ? { s3Url: a.s3Url, forcePathStyle: a.s3ForcePathStyle } : {};
}

/** The AWS plugin's image (the backend's `pluginImage`; its tag is the source's). */
export const AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws";
