import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { AwsVeleroRestoreIdentity, AwsVeleroWriteGrant } from "../../identity/aws-velero-restore-identity";
import type { DestinationBackend } from "../backend";
import {
  AwsSourceOutputs,
  awsOf,
  awsReadBucket,
  backupLocationOf,
  destinationRoleName,
  IRSA_ANNOTATION,
  partitionOfRegion,
} from "./destination-config";

/**
 * The destination's read side of S3 (loaded only by an AWS destination stack): the stack's AWS
 * provider, Velero's IRSA role that can only read the bucket while the restore runs, and, once
 * promoted, the grant to write that bucket.
 */
export const awsDestination: DestinationBackend = {
  // One explicit provider, in the destination's region, refusing any other account.
  context: (cfg) => {
    const aws = awsOf(cfg);
    return {
      aws: {
        provider: new AwsProvider("aws", { region: aws.region, allowedAccountIds: [aws.accountId] }),
        region: aws.region,
        accountId: aws.accountId,
        partition: partitionOfRegion(aws.region),
      },
    };
  },
  access: ({ cfg, source, target, after, context, tags }) => {
    const aws = awsOf(cfg);
    const provider = context.aws?.provider;
    const s = source as unknown as pulumi.Output<AwsSourceOutputs>;
    const oidcProviderArn = target.oidcProviderArn ?? aws.oidcProviderArn;
    if (oidcProviderArn === undefined) {
      throw new Error(
        "velero-dr: an AWS destination's cluster has no IAM OIDC provider (aws.oidcProviderArn)",
      );
    }
    // From typed-in outputs it is known whether the source copies volumes with restic; from a
    // stack reference it is not yet, and restic's lock objects are granted.
    const uploader = cfg.source.outputs?.velero.uploaderType;
    const identity = new AwsVeleroRestoreIdentity(
      "velero-identity",
      {
        name: destinationRoleName(cfg),
        oidcProviderArn,
        namespace: cfg.velero.namespace,
        bucket: s.apply((o) => ({ partition: partitionOfRegion(aws.region), ...readOf(o, cfg) })),
        snapshotRegion: s.apply((o) => o.aws.region),
        resticLocks: uploader === undefined || uploader === "restic",
        tags,
      },
      { ...(provider ? { providers: [provider] } : {}), ...(after.length > 0 ? { dependsOn: after } : {}) },
    );
    return {
      credentialsFile: undefined,
      serviceAccountAnnotations: identity.roleArn.apply((arn) => ({ [IRSA_ANNOTATION]: arn })),
      storageAccess: [identity.readGrant],
      restoreAccess: [identity],
    };
  },
  promote: ({ cfg, source, context, after, tags }) => {
    const aws = awsOf(cfg);
    const s = source as unknown as pulumi.Output<AwsSourceOutputs>;
    const provider = context.aws?.provider;
    const grant = new AwsVeleroWriteGrant(
      "velero-write",
      {
        roleName: destinationRoleName(cfg),
        policyName: `${destinationRoleName(cfg)}-write`,
        bucket: s.apply((o) => ({ partition: partitionOfRegion(aws.region), ...readOf(o, cfg) })),
        region: aws.region,
        tags,
      },
      { ...(provider ? { providers: [provider] } : {}), dependsOn: after },
    );
    return [grant];
  },
};

/** The bucket read (and written once promoted): the backend's one resolution. */
function readOf(o: AwsSourceOutputs, cfg: object) {
  const r = awsReadBucket(o, backupLocationOf(cfg));
  return { bucket: r.bucket, kmsKeyArn: r.kmsKeyArn, prefix: r.prefix };
}
