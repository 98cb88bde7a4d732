import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, Recorder, settle, stackFileConfig } from "../support/harness";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { readRawConfig } from "../../stacks/config";
import { sourceProgram } from "../../stacks/source";

/**
 * Credential rotation, one `pulumi up` per rotation period: the program is run twice under
 * mocks with clocks one period apart, as two consecutive updates would run it.
 *
 * What the engine does with the difference is Pulumi's contract, not ours: a resource whose
 * logical name (AWS key) or replace-on-change input (Azure rotateWhenChanged) changed is created
 * first, dependents are updated to it, and the old one is deleted at the end of the update. What
 * these tests prove is our half: a new period yields a new credential, the cluster Secret is
 * built from the new one and waits for it, and nothing forces delete-before-create.
 */

const DAY = 24 * 3600 * 1000;

async function runSourceAt(stack: string, config: Record<string, string>, now: Date): Promise<Recorder> {
  const recorder = new Recorder();
  await pulumi.runtime.setMocks(recorder.mocks(), PROJECT, stack, false);
  recorder.hook();
  pulumi.runtime.setAllConfig(config, []);
  const cfg = validateConfig(readRawConfig());
  if (cfg.role !== "source") throw new Error("expected a source stack");
  sourceProgram(cfg, { now });
  await settle();
  await new Promise((r) => setTimeout(r, 50));
  return recorder;
}

function awsUserConfig(): Record<string, string> {
  const { config } = stackFileConfig("example-source-aws");
  const aws = JSON.parse(config["velero-dr:aws"]);
  delete aws.oidcProviderArn;
  config["velero-dr:aws"] = JSON.stringify({ ...aws, identity: "user" });
  config["velero-dr:identity"] = JSON.stringify({ rotationDays: 30 });
  return config;
}

describe("credential rotation (two consecutive updates, one period apart)", () => {
  // One day into a 30-day period, so "a day later" stays in the same period.
  const t0 = new Date(Math.floor(Date.UTC(2031, 0, 10) / (30 * DAY)) * 30 * DAY + DAY);
  const t1 = new Date(t0.getTime() + 30 * DAY);

  describe("AWS access key", () => {
    let earlier: Recorder;
    let after: Recorder;
    let same: Recorder;

    before(async () => {
      earlier = await runSourceAt("rot-aws", awsUserConfig(), t0);
      same = await runSourceAt("rot-aws", awsUserConfig(), new Date(t0.getTime() + DAY));
      after = await runSourceAt("rot-aws", awsUserConfig(), t1);
    });

    const key = (r: Recorder) => r.one("aws:iam/accessKey:AccessKey");
    const secretFile = (r: Recorder) => r.one("kubernetes:core/v1:Secret").inputs.stringData.cloud as string;

    it("keeps the key within a period (no churn on every update)", () => {
      assert.equal(key(same).name, key(earlier).name);
      assert.equal(secretFile(same), secretFile(earlier));
    });

    it("registers a new key in the next period, for the same user", () => {
      assert.notEqual(key(after).name, key(earlier).name);
      assert.match(key(after).name, /^velero-identity-key-p30d-\d+$/);
      assert.equal(key(after).inputs.user, key(earlier).inputs.user);
      // The old key is simply no longer registered: the engine deletes it after the update.
      assert.equal(after.byType("aws:iam/accessKey:AccessKey").length, 1);
    });

    it("updates the cluster Secret in the same update: new key id, waiting for the new key", () => {
      const newId = `aws_access_key_id=AKIA`;
      assert.notEqual(secretFile(after), secretFile(earlier));
      assert.ok(secretFile(after).includes(newId));
      const secret = after.one("kubernetes:core/v1:Secret");
      assert.ok(after.dependencyNames(secret).includes(key(after).name));
      assert.ok(!after.dependencyNames(secret).includes(key(earlier).name));
    });

    it("rolls the Velero pod onto the new key and re-checks the BSL with it", () => {
      const annotation = (r: Recorder) =>
        r.one("kubernetes:helm.sh/v3:Release").inputs.values.podAnnotations["velero-dr/credentials-revision"];
      assert.notEqual(annotation(after), annotation(earlier));
      const check = after.one("command:local:Command", "bsl-available");
      assert.ok(after.dependencyNames(check).includes("velero-credentials"));
    });
  });

  describe("Azure service principal password", () => {
    let earlier: Recorder;
    let after: Recorder;
    const config = () => {
      const { config } = stackFileConfig("example-source-azure");
      config["velero-dr:identity"] = JSON.stringify({ rotationDays: 30 });
      return config;
    };

    before(async () => {
      earlier = await runSourceAt("rot-azure", config(), t0);
      after = await runSourceAt("rot-azure", config(), t1);
    });

    const password = (r: Recorder) => r.one("azuread:index/applicationPassword:ApplicationPassword");

    it("changes rotateWhenChanged (a replacement) and moves the end date one period on", () => {
      assert.notEqual(
        password(after).inputs.rotateWhenChanged.rotation,
        password(earlier).inputs.rotateWhenChanged.rotation,
      );
      assert.equal(
        Date.parse(password(after).inputs.endDate) - Date.parse(password(earlier).inputs.endDate),
        30 * DAY,
      );
    });

    it("the cluster Secret is built from the password resource, so it follows the replacement", () => {
      const secret = after.one("kubernetes:core/v1:Secret");
      assert.ok(after.dependencyNames(secret).includes(password(after).name));
    });
  });
});
