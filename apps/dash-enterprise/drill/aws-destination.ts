import { BUCKET, NAMESPACE } from "../../../drill/lib/velero";
import type { ConfigEdits, DrillWorld } from "../../../drill/scenario";

/**
 * The AWS destination path of the drill (apps/dash-enterprise/test/aws-destination.e2e.ts): the
 * destination stack's edits that make the drill's destination a `cloud: aws` one — the source's
 * outputs as an AWS source exports them (the bucket the drill's source wrote, in MinIO), an
 * existing cluster by kubeconfig with its OIDC provider, S3 reached through `aws.s3Url` — and the
 * locations chart 3.1.6 makes of Velero's Helm values. No process is started here.
 */

/** The region the drill's MinIO signs as, and the source's and destination's. */
export const AWS_DRILL_REGION = "eu-west-1";
export const AWS_DRILL_ACCOUNT = "123456789012";
/** The OIDC provider a kubeconfig target on AWS names (nothing here assumes a role through it). */
const OIDC = `arn:aws:iam::${AWS_DRILL_ACCOUNT}:oidc-provider/oidc.eks.${AWS_DRILL_REGION}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;

/** The BSL and VSL chart 3.1.6 creates from the values (drill/engine/velero-chart's locations.yaml). */
export function chartLocations(values: Record<string, any>): unknown[] {
  const c = values.configuration;
  const b = c.backupStorageLocation;
  const out: unknown[] = [
    {
      apiVersion: "velero.io/v1",
      kind: "BackupStorageLocation",
      metadata: { name: b.name ?? "default", namespace: NAMESPACE },
      spec: {
        provider: b.provider ?? c.provider,
        ...(b.default ? { default: true } : {}),
        accessMode: b.accessMode ?? "ReadWrite",
        objectStorage: { bucket: b.bucket, ...(b.prefix ? { prefix: b.prefix } : {}) },
        ...(b.config ? { config: b.config } : {}),
      },
    },
  ];
  const v = c.volumeSnapshotLocation;
  if (values.snapshotsEnabled !== false && v?.name) {
    out.push({
      apiVersion: "velero.io/v1",
      kind: "VolumeSnapshotLocation",
      metadata: { name: v.name, namespace: NAMESPACE },
      spec: { provider: v.provider ?? c.provider, ...(v.config ? { config: v.config } : {}) },
    });
  }
  return out;
}

/**
 * The config edits of the drill's AWS destination (`DrillWorld.destinationStackConfig`), from the
 * drill's s3compat source outputs: the same Velero, schedules and cluster, the AWS keys of a source
 * whose bucket is the drill's, and the source's Kubernetes version (`sourceVersion`, as an EKS
 * source exports it).
 */
export function awsDestinationEdits(
  w: DrillWorld,
  target: Parameters<DrillWorld["sourceOutputs"]>[0],
  sourceVersion: string,
): ConfigEdits {
  const s = w.sourceOutputs(target) as Record<string, any>;
  return {
    cloud: "aws",
    source: {
      outputs: {
        cloud: "aws",
        profile: s.profile,
        velero: s.velero,
        schedules: s.schedules,
        cluster: { ...s.cluster, kubernetesVersion: sourceVersion },
        aws: { region: AWS_DRILL_REGION, accountId: AWS_DRILL_ACCOUNT },
        storage: { bucketName: BUCKET, region: AWS_DRILL_REGION, prefix: "", kmsKeyArn: "" },
      },
    },
    aws: {
      region: AWS_DRILL_REGION,
      accountId: AWS_DRILL_ACCOUNT,
      // A kubeconfig target on AWS names the cluster's OIDC provider, which Velero's role trusts.
      oidcProviderArn: OIDC,
      s3Url: w.minio.endpoint,
      s3ForcePathStyle: true,
    },
  };
}
