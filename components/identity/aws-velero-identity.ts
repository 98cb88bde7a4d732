import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import {
  buildAwsCredentialsFile,
  buildIrsaTrustPolicy,
  buildVeleroIamPolicy,
  VELERO_SERVICE_ACCOUNT,
} from "./aws-iam";
import { rotationWindow } from "./rotation";

export interface AwsVeleroIdentityArgs {
  /** IAM role (irsa) or user (user) name. */
  name: string;
  partition: string;
  bucketName: pulumi.Input<string>;
  /** The bucket's SSE-KMS key, when it has one (an Output where the program creates the key). */
  kmsKeyArn?: pulumi.Input<string>;
  mode: "irsa" | "user";
  /**
   * IRSA: the cluster's IAM OIDC provider, and its issuer host/path (trust condition prefix); Outputs
   * where the program creates the cluster (EksCluster.oidcProviderArn).
   */
  oidcProviderArn?: pulumi.Input<string>;
  oidcIssuer?: pulumi.Input<string>;
  /** Velero's namespace: the trusted subject is `system:serviceaccount:<namespace>:velero-server`. */
  namespace: string;
  /** User mode: the access key is replaced when this many days have passed (create-before-delete). */
  rotationDays: number;
  /** Clock for rotation; tests pass a fixed date. */
  now?: Date;
  tags: Record<string, string>;
}

/**
 * Velero's AWS identity: an IAM policy with exactly the plugin's documented actions on this
 * bucket (and the KMS key when set), attached either to an IRSA role that only Velero's service
 * account can assume, or to an IAM user whose access key is rotated.
 *
 * Key rotation: the access key's logical name carries the rotation period, so a new period
 * registers a new key. Pulumi creates it, then updates what depends on it (the credentials
 * Secret, the Velero pod's rollout annotation, the BSL check), and deletes the old key only at
 * the end of that same `pulumi up`, once nothing refers to it any more.
 */
export class AwsVeleroIdentity extends pulumi.ComponentResource {
  public readonly policyArn: pulumi.Output<string>;
  /** IRSA: the role the service account annotation names. */
  public readonly roleArn?: pulumi.Output<string>;
  /** User mode: the shared credentials file (Secret key `cloud`). Secret. */
  public readonly credentialsFile?: pulumi.Output<string>;
  /** User mode: changes with every rotation (rolls the Velero pod onto the new key). */
  public readonly credentialsRevision?: string;
  public readonly accessKeyId?: pulumi.Output<string>;

  constructor(name: string, args: AwsVeleroIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before the component or any child registers: bad input leaves nothing behind.
    if (args.mode === "irsa" && (!args.oidcProviderArn || !args.oidcIssuer)) {
      throw new Error(
        `AwsVeleroIdentity "${name}": irsa needs oidcProviderArn and oidcIssuer (the cluster's IAM OIDC provider and its issuer); pass both, or mode "user"`,
      );
    }
    super("velero-dr:identity:AwsVeleroIdentity", name, {}, opts);
    const policy = new iam.Policy(
      `${name}-policy`,
      {
        name: args.name,
        path: "/velero-dr/",
        description: "Velero (velero-plugin-for-aws v1.6.2): EBS snapshots and the backup bucket only",
        policy: pulumi
          .all([args.bucketName, args.kmsKeyArn])
          .apply(([bucket, kmsKeyArn]) =>
            JSON.stringify(buildVeleroIamPolicy({ partition: args.partition, bucket, kmsKeyArn })),
          ),
        tags: args.tags,
      },
      { parent: this },
    );
    this.policyArn = policy.arn;

    if (args.mode === "irsa") {
      const role = new iam.Role(
        `${name}-role`,
        {
          name: args.name,
          path: "/velero-dr/",
          description: `Velero in namespace ${args.namespace}, assumed through IRSA`,
          assumeRolePolicy: pulumi
            .all([args.oidcProviderArn, args.oidcIssuer])
            .apply(([oidcProviderArn, oidcIssuer]) => {
              // The inputs were set above, but an Output may still resolve to nothing: a trust
              // policy naming "undefined" would let no one (or the wrong provider) assume the role.
              if (!oidcProviderArn || !oidcIssuer) {
                const missing = [!oidcProviderArn && "oidcProviderArn", !oidcIssuer && "oidcIssuer"].filter(
                  Boolean,
                );
                throw new Error(
                  `AwsVeleroIdentity "${name}": irsa needs oidcProviderArn and oidcIssuer, but ${missing.join(" and ")} resolved to nothing; pass the cluster's IAM OIDC provider ARN and issuer`,
                );
              }
              return JSON.stringify(
                buildIrsaTrustPolicy({
                  oidcProviderArn,
                  oidcIssuer,
                  namespace: args.namespace,
                  serviceAccount: VELERO_SERVICE_ACCOUNT,
                }),
              );
            }),
          tags: args.tags,
        },
        { parent: this },
      );
      const attachment = new iam.RolePolicyAttachment(
        `${name}-attachment`,
        { role: role.name, policyArn: policy.arn },
        { parent: this },
      );
      // The annotation is what Velero runs with: waiting for the attachment keeps Velero from
      // starting with a role that cannot yet read the bucket.
      this.roleArn = pulumi.all([role.arn, attachment.id]).apply(([arn]) => arn);
      this.registerOutputs({ policyArn: this.policyArn, roleArn: this.roleArn });
      return;
    }

    const user = new iam.User(
      `${name}-user`,
      { name: args.name, path: "/velero-dr/", tags: args.tags },
      { parent: this },
    );
    const attachment = new iam.UserPolicyAttachment(
      `${name}-attachment`,
      { user: user.name, policyArn: policy.arn },
      { parent: this },
    );
    const window = rotationWindow(args.now ?? new Date(), args.rotationDays);
    const key = new iam.AccessKey(
      `${name}-key-${window.key}`,
      { user: user.name },
      { parent: this, additionalSecretOutputs: ["secret"] },
    );
    this.accessKeyId = key.id;
    this.credentialsRevision = window.key;
    this.credentialsFile = pulumi.secret(
      pulumi
        .all([key.id, key.secret, attachment.id])
        .apply(([accessKeyId, secretAccessKey]) => buildAwsCredentialsFile({ accessKeyId, secretAccessKey })),
    );
    this.registerOutputs({ policyArn: this.policyArn, credentialsFile: this.credentialsFile });
  }
}
