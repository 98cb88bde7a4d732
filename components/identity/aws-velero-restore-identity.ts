import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import {
  buildIrsaTrustPolicy,
  buildResticLockPolicy,
  buildVeleroEbsRestorePolicy,
  buildVeleroReadPolicy,
  buildVeleroWritePolicy,
  PolicyDocument,
  VELERO_SERVICE_ACCOUNT,
} from "./aws-iam";

/** The bucket a destination reads (and, once promoted, writes). */
export interface AwsBucketGrant {
  partition: string;
  bucket: string;
  kmsKeyArn?: string;
  prefix: string;
}

export interface AwsVeleroRestoreIdentityArgs {
  /** IAM role name. */
  name: string;
  /** The destination cluster's IAM OIDC provider (an Output where the stack creates it). */
  oidcProviderArn: pulumi.Input<string>;
  /** Velero's namespace: the trusted subject is `system:serviceaccount:<namespace>:velero-server`. */
  namespace: string;
  /** The bucket read, from the source's outputs. */
  bucket: pulumi.Input<AwsBucketGrant>;
  /** The EBS snapshots' region: volumes are created from them only there. */
  snapshotRegion: pulumi.Input<string>;
  /**
   * The source's file-system backups may be restic's: restic writes (and deletes) its lock objects
   * to read its repository, so those objects, and only those, are granted.
   */
  resticLocks: boolean;
  tags: Record<string, string>;
}

/** `oidc.eks.<region>.amazonaws.com/id/<id>` of an OIDC provider ARN. */
export function issuerOfProviderArn(arn: string): string {
  return arn.split(":oidc-provider/")[1] ?? "";
}

/**
 * Velero's IAM role on a destination, assumed through IRSA by Velero's service account only: while
 * the restore runs it can read the bucket (GetObject, ListBucket, Decrypt) and create volumes
 * from EBS snapshots in their region, nothing more. Each grant is its own policy and attachment,
 * so what uses one waits for that one.
 */
export class AwsVeleroRestoreIdentity extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;
  /** The read grant on the bucket (what the location's readiness waits for). */
  public readonly readGrant: iam.RolePolicyAttachment;

  constructor(name: string, args: AwsVeleroRestoreIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:identity:AwsVeleroRestoreIdentity", name, {}, opts);
    const role = new iam.Role(
      `${name}-role`,
      {
        name: args.name,
        path: "/velero-dr/",
        description: `Velero in namespace ${args.namespace} on a destination, assumed through IRSA`,
        assumeRolePolicy: pulumi.output(args.oidcProviderArn).apply((arn) =>
          JSON.stringify(
            buildIrsaTrustPolicy({
              oidcProviderArn: arn,
              oidcIssuer: issuerOfProviderArn(arn),
              namespace: args.namespace,
              serviceAccount: VELERO_SERVICE_ACCOUNT,
            }),
          ),
        ),
        tags: args.tags,
      },
      // What the identity waits for (the guard, on a cluster that may be the source): every grant
      // is attached to this role, so waits with it.
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.roleName = role.name;
    const bucket = pulumi.output(args.bucket);
    const grant = (suffix: string, description: string, doc: pulumi.Output<PolicyDocument>) => {
      const policy = new iam.Policy(
        `${name}-${suffix}`,
        {
          name: `${args.name}-${suffix}`.slice(0, 128),
          path: "/velero-dr/",
          description,
          policy: doc.apply((d) => JSON.stringify(d)),
          tags: args.tags,
        },
        { parent: this },
      );
      return new iam.RolePolicyAttachment(
        `${name}-${suffix}`,
        { role: role.name, policyArn: policy.arn },
        { parent: this },
      );
    };
    this.readGrant = grant(
      "read",
      "Velero on a destination: read the backup bucket, nothing else of it",
      bucket.apply((b) => buildVeleroReadPolicy(b)),
    );
    const grants = [
      this.readGrant,
      grant(
        "volumes",
        "Velero on a destination: volumes from EBS snapshots, in the snapshots' region only",
        pulumi.output(args.snapshotRegion).apply((r) => buildVeleroEbsRestorePolicy(r)),
      ),
    ];
    if (args.resticLocks) {
      grants.push(
        grant(
          "restic-locks",
          "Velero on a destination: restic's repository locks only (restic locks a repository to read it)",
          bucket.apply((b) => buildResticLockPolicy(b)),
        ),
      );
    }
    // The annotation is what Velero runs with; it waits for nothing but the role: the location's
    // readiness waits for the read grant, the restore for every grant.
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn, grants: grants.map((g) => g.id) });
  }
}

export interface AwsVeleroWriteGrantArgs {
  /** The role to grant (AwsVeleroRestoreIdentity's). */
  roleName: pulumi.Input<string>;
  policyName: string;
  bucket: pulumi.Input<AwsBucketGrant>;
  /** The destination's region: its own volumes' snapshots are taken there. */
  region: string;
  tags: Record<string, string>;
}

/**
 * Promotion's grant: once the restore is done the destination writes its own backups to the
 * bucket it restored from, and snapshots its volumes in its region. Created after the restore
 * chain (the component's dependsOn), before the Schedules.
 */
export class AwsVeleroWriteGrant extends pulumi.ComponentResource {
  public readonly attachment: iam.RolePolicyAttachment;

  constructor(name: string, args: AwsVeleroWriteGrantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:identity:AwsVeleroWriteGrant", name, {}, opts);
    const policy = new iam.Policy(
      `${name}-policy`,
      {
        name: args.policyName.slice(0, 128),
        path: "/velero-dr/",
        description: "Velero on a promoted destination: write its backups to the bucket it restored from",
        policy: pulumi
          .output(args.bucket)
          .apply((b) => JSON.stringify(buildVeleroWritePolicy({ ...b, region: args.region }))),
        tags: args.tags,
      },
      // Children do not inherit the component's dependsOn: the grant waits for the restore itself.
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.attachment = new iam.RolePolicyAttachment(
      `${name}-attachment`,
      { role: args.roleName, policyArn: policy.arn },
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.registerOutputs({ policyArn: policy.arn });
  }
}
