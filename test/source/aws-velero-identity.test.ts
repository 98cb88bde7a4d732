import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AwsVeleroIdentity, type AwsVeleroIdentityArgs } from "../../components/identity/aws-velero-identity";
import { type Constructed, constructUnderMocks } from "../support/harness";

/**
 * AwsVeleroIdentity's IRSA inputs under mocks: missing ones refused before anything registers,
 * and an Output that resolves to nothing never becomes a trust policy naming "undefined".
 */

const ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";

const irsa = (over: Partial<AwsVeleroIdentityArgs> = {}): AwsVeleroIdentityArgs => ({
  name: "velero-dr-test",
  partition: "aws",
  bucketName: "backups",
  mode: "irsa",
  oidcProviderArn: ARN,
  oidcIssuer: ISSUER,
  namespace: "velero",
  rotationDays: 90,
  tags: {},
  ...over,
});

function run(args: AwsVeleroIdentityArgs): Promise<Constructed<AwsVeleroIdentity>> {
  return constructUnderMocks("identity-test", () => new AwsVeleroIdentity("id", args));
}

describe("AwsVeleroIdentity (IRSA inputs)", function () {
  this.timeout(60_000);

  it("trusts the given OIDC provider and issuer for Velero's service account", async () => {
    const { recorder, error, asyncErrors } = await run(irsa());
    assert.equal(error, undefined);
    assert.deepEqual(asyncErrors, []);
    const trust = recorder.one("aws:iam/role:Role").inputs.assumeRolePolicy as string;
    assert.ok(trust.includes(ARN) && trust.includes(`${ISSUER}:sub`), trust);
  });

  it("refuses irsa without oidcProviderArn or oidcIssuer before anything is registered", async () => {
    for (const over of [{ oidcProviderArn: undefined }, { oidcIssuer: undefined }]) {
      const { recorder, error } = await run(irsa(over));
      assert.match(error?.message ?? "", /AwsVeleroIdentity "id": irsa needs oidcProviderArn and oidcIssuer/);
      assert.deepEqual(
        recorder.resources.map((r) => `${r.type} ${r.name}`),
        [],
      );
    }
  });

  it("an Output resolving to nothing fails the role with a clear error, never a trust policy naming 'undefined'", async () => {
    for (const over of [
      { oidcIssuer: pulumi.output(undefined as unknown as string) },
      { oidcProviderArn: pulumi.output("") },
    ]) {
      const { recorder, error, asyncErrors } = await run(irsa(over));
      assert.equal(error, undefined);
      const key = "oidcIssuer" in over ? "oidcIssuer" : "oidcProviderArn";
      assert.ok(
        asyncErrors.some((e) =>
          new RegExp(`AwsVeleroIdentity "id": irsa needs .*but ${key} resolved to nothing`).test(e.message),
        ),
        asyncErrors.map((e) => e.message).join("\n") || "no error",
      );
      assert.deepEqual(recorder.byType("aws:iam/role:Role"), []);
    }
  });
});
