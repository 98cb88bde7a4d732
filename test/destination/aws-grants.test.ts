import { strict as assert } from "assert";
import {
  buildResticLockPolicy,
  buildVeleroEbsRestorePolicy,
  buildVeleroReadPolicy,
  buildVeleroWritePolicy,
  PolicyDocument,
} from "../../components/identity/aws-iam";
import { awsDestinationFindings, awsReadBucket } from "../../components/backends/aws/destination-config";
import type { CommandResult, PreflightContext } from "../../components/model/preflight";
import { awsPluginV1_6_2IamStatements } from "../upstream/velero-plugins";

const BUCKET = "dash-backups";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-0000-0000-000000000000";

/** (action, resource) pairs an IAM document allows. */
function grants(...docs: PolicyDocument[]): string[] {
  return docs
    .flatMap((d) => d.Statement)
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => [s.Action].flat().flatMap((a) => [s.Resource ?? ""].flat().map((r) => `${a} ${r}`)))
    .sort();
}

/**
 * A destination's grants against velero-plugin-for-aws v1.6.2's documented policy: while restoring
 * only its reads (and volumes from snapshots); once promoted, together, exactly the documented set
 * on the bucket — nothing of another bucket, nothing the plugin does not call.
 */
describe("AWS destination grants (pure builders, against the plugin's documented policy)", () => {
  const documented = grants({
    Version: "2012-10-17",
    Statement: awsPluginV1_6_2IamStatements(BUCKET) as never,
  });

  it("reads with GetObject and ListBucket only, on that bucket; Decrypt on its key with SSE-KMS", () => {
    assert.deepEqual(grants(buildVeleroReadPolicy({ partition: "aws", bucket: BUCKET })), [
      `s3:GetObject arn:aws:s3:::${BUCKET}/*`,
      `s3:ListBucket arn:aws:s3:::${BUCKET}`,
    ]);
    assert.ok(
      grants(buildVeleroReadPolicy({ partition: "aws", bucket: BUCKET, kmsKeyArn: KEY })).includes(
        `kms:Decrypt ${KEY}`,
      ),
    );
    for (const g of grants(buildVeleroReadPolicy({ partition: "aws", bucket: BUCKET }))) {
      assert.ok(documented.includes(g), `${g} is documented`);
    }
  });

  it("creates volumes from snapshots in the snapshots' region only, with documented actions", () => {
    const doc = buildVeleroEbsRestorePolicy("eu-west-1");
    for (const g of grants(doc)) assert.ok(documented.includes(g), `${g} is documented`);
    assert.deepEqual(doc.Statement[0].Condition, { StringEquals: { "aws:RequestedRegion": "eu-west-1" } });
    assert.ok(
      !grants(doc).some((g) => /Snapshot /.test(g) && !/Describe/.test(g)),
      "no snapshot is made or deleted",
    );
  });

  it("once promoted, read + volumes + write are exactly the documented policy on that bucket", () => {
    const all = grants(
      buildVeleroReadPolicy({ partition: "aws", bucket: BUCKET }),
      buildVeleroEbsRestorePolicy("eu-west-1"),
      buildVeleroWritePolicy({ partition: "aws", bucket: BUCKET, region: "eu-west-1" }),
    );
    assert.deepEqual(all, documented);
  });

  it("restic's lock objects only, under the prefix", () => {
    assert.deepEqual(grants(buildResticLockPolicy({ partition: "aws", bucket: BUCKET, prefix: "dash/" })), [
      `s3:DeleteObject arn:aws:s3:::${BUCKET}/dash/restic/*/locks/*`,
      `s3:PutObject arn:aws:s3:::${BUCKET}/dash/restic/*/locks/*`,
    ]);
    assert.deepEqual(grants(buildResticLockPolicy({ partition: "aws", bucket: BUCKET, prefix: "" })), [
      `s3:DeleteObject arn:aws:s3:::${BUCKET}/restic/*/locks/*`,
      `s3:PutObject arn:aws:s3:::${BUCKET}/restic/*/locks/*`,
    ]);
  });

  it("resolves the bucket read from the source's outputs, and refuses a replica the outputs do not have", () => {
    const outputs = {
      aws: { region: "eu-west-1", accountId: "123456789012" },
      storage: { bucketName: BUCKET, prefix: "", region: "eu-west-1", kmsKeyArn: "" },
    };
    assert.deepEqual(awsReadBucket(outputs, undefined), {
      location: "primary",
      bucket: BUCKET,
      region: "eu-west-1",
      kmsKeyArn: undefined,
      prefix: "",
    });
    assert.throws(
      () => awsReadBucket(outputs, "replica"),
      /backup\.location: got "replica", but the source's outputs have no storage\.replica/,
    );
  });

  it("pre-flight: the AWS CLI on PATH, logged in to aws.accountId", () => {
    const ctx = (has: boolean, answer: CommandResult): PreflightContext => ({
      has: () => has,
      run: () => answer,
      env: {},
      config: () => undefined,
      preview: false,
    });
    const as = (account: string) => ({ status: 0, stdout: JSON.stringify({ Account: account }), stderr: "" });
    assert.deepEqual(awsDestinationFindings("123456789012", ctx(true, as("123456789012"))), []);
    const other = awsDestinationFindings("123456789012", ctx(true, as("210987654321")));
    assert.match(
      other[0].message,
      /credentials are of account 210987654321, but velero-dr:aws\.accountId is 123456789012/,
    );
    const none = awsDestinationFindings(
      "123456789012",
      ctx(true, { status: 253, stdout: "", stderr: "\nUnable to locate credentials.\n" }),
    );
    assert.match(
      none[0].message,
      /no usable credentials \(aws sts get-caller-identity: Unable to locate credentials\.\)/,
    );
    assert.match(awsDestinationFindings("123456789012", ctx(false, as("x")))[0].message, /aws eks get-token/);
  });
});
