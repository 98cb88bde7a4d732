import { strict as assert } from "assert";
import { PolicyResource } from "@pulumi/policy";
import {
  s3BucketControls,
  storageImmutabilityPolicies,
  storageReplicaProduction,
  storageRetention,
} from "../../policies/rules/storage-stack";
import { azureStack, releaseProps, s3Stack, scheduleProps, T } from "./fixtures";
import { byType, checkStack, resource } from "./support";

const [immutableProduction, immutableRecommended] = storageImmutabilityPolicies;

describe("policies: storage (stack rules)", () => {
  describe("storage-retention-covers-backup-ttl", () => {
    it("passes 90-day version retention and 30-day immutability against a 720h TTL", async () => {
      assert.deepEqual((await checkStack(storageRetention, azureStack())).violations, []);
    });

    it("passes retention equal to the TTL, rounded up to whole days", async () => {
      const stack = azureStack({ ttl: "721h", versionDays: 31, immutabilityDays: 31 });
      assert.deepEqual((await checkStack(storageRetention, stack)).violations, []);
    });

    it("reports version retention and immutability shorter than the longest TTL, on the right resource", async () => {
      const stack = azureStack({ versionDays: 7, immutabilityDays: 14, replica: false });
      const o = await checkStack(storageRetention, stack);
      assert.deepEqual(o.violations, [
        'lifecycle rule "expire-old-backup-versions" deletes previous blob versions after 7 days, shorter than ' +
          'the longest backup TTL (720h0m0s of Schedule "dash-daily" = 30 days).',
        'the container immutability policy ends after 14 days, shorter than the longest backup TTL (720h0m0s of Schedule "dash-daily" = 30 days).',
      ]);
      assert.deepEqual(o.urns, [byType(stack, T.lifecycle)[0].urn, byType(stack, T.immutability)[0].urn]);
    });

    it("takes the longest of several schedules, and the server default for a schedule without ttl", async () => {
      const stack = azureStack({ versionDays: 40, immutabilityDays: 40, replica: false });
      const weekly = scheduleProps("2160h");
      weekly.metadata.name = "dash-weekly";
      stack.push(resource({ type: T.schedule, name: "weekly", props: weekly }));
      assert.deepEqual((await checkStack(storageRetention, stack)).violations, [
        'lifecycle rule "expire-old-backup-versions" deletes previous blob versions after 40 days, shorter than ' +
          'the longest backup TTL (2160h of Schedule "dash-weekly" = 90 days).',
        'the container immutability policy ends after 40 days, shorter than the longest backup TTL (2160h of Schedule "dash-weekly" = 90 days).',
      ]);
      const noTtl = azureStack({ ttl: null, versionDays: 20, immutabilityDays: null, replica: false });
      assert.deepEqual(
        (await checkStack(storageRetention, noTtl, { defaultBackupTtlHours: 480 })).violations,
        [],
      );
      assert.equal(
        (await checkStack(storageRetention, noTtl)).violations.length,
        1,
        "default 720h > 20 days",
      );
    });

    it("reports lifecycle rules that delete or archive current backups before the TTL", async () => {
      const stack = azureStack();
      const lifecycle = byType(stack, T.lifecycle)[0];
      lifecycle.props.policy.rules[0].definition.actions.baseBlob = {
        tierToArchive: { daysAfterModificationGreaterThan: 10 },
        delete: { daysAfterModificationGreaterThan: 365, daysAfterLastAccessTimeGreaterThan: 5 },
      };
      assert.deepEqual((await checkStack(storageRetention, stack)).violations, [
        'lifecycle rule "expire-old-backup-versions" deletes current backup blobs after 5 days, shorter than ' +
          'the longest backup TTL (720h0m0s of Schedule "dash-daily" = 30 days).',
        'lifecycle rule "expire-old-backup-versions" archives current backup blobs (unreadable to Velero) after ' +
          '10 days, shorter than the longest backup TTL (720h0m0s of Schedule "dash-daily" = 30 days).',
      ]);
    });

    it("checks S3 lifecycle rules and Object Lock the same way", async () => {
      const stack = [...s3Stack({ lockDays: 7 }), resource({ type: T.schedule, props: scheduleProps() })];
      stack.push(
        resource({
          type: T.s3Lifecycle,
          name: "lifecycle",
          props: {
            rules: [
              { id: "noncurrent", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 10 } },
              { id: "glacier", status: "Enabled", transitions: [{ days: 20, storageClass: "GLACIER" }] },
              { id: "off", status: "Disabled", expiration: { days: 1 } },
            ],
          },
        }),
      );
      const ttl = 'the longest backup TTL (720h0m0s of Schedule "dash-daily" = 30 days)';
      assert.deepEqual((await checkStack(storageRetention, stack)).violations, [
        `lifecycle rule "noncurrent" expires noncurrent versions after 10 days, shorter than ${ttl}.`,
        `lifecycle rule "glacier" moves objects to GLACIER after 20 days, shorter than ${ttl}.`,
        `the Object Lock default retention ends after 7 days, shorter than ${ttl}.`,
      ]);
    });

    it("is not applicable without a Schedule", async () => {
      const stack = azureStack().filter((r) => r.type !== T.schedule);
      assert.equal(
        (await checkStack(storageRetention, stack)).notApplicable,
        "no Velero Schedule in this stack: no backup TTL to compare with",
      );
    });
  });

  describe("storage-immutability-production / storage-immutability-recommended", () => {
    it("passes production storage with a container immutability policy", async () => {
      assert.deepEqual((await checkStack(immutableProduction, azureStack())).violations, []);
      assert.deepEqual(
        (await checkStack(immutableProduction, s3Stack({ lockDays: 30, production: true }))).violations,
        [],
      );
    });

    it("reports production storage without immutability (mandatory)", async () => {
      const stack = azureStack({ immutabilityDays: null, replica: false });
      const o = await checkStack(immutableProduction, stack);
      assert.equal(immutableProduction.enforcementLevel, "mandatory");
      assert.deepEqual(o.violations, [
        'storage account "backups-account" has no time-based immutability (no BlobContainerImmutabilityPolicy on ' +
          "its container, no account-level version immutability): anyone holding the account key, which Velero's " +
          "plugin lists, can delete every backup.",
      ]);
      assert.deepEqual(o.urns, [stack[0].urn]);
      const s3 = await checkStack(immutableProduction, s3Stack({ production: true }));
      assert.deepEqual(s3.violations, [
        'bucket "backups" has no Object Lock default retention (objectLockEnabled: true at creation and a ' +
          "BucketObjectLockConfiguration): whoever holds Velero's credentials can delete every backup.",
      ]);
    });

    it("accepts account-level version immutability", async () => {
      const stack = azureStack({ immutabilityDays: null, replica: false });
      stack[0].props.immutableStorageWithVersioning = {
        enabled: true,
        immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 30 },
      };
      assert.deepEqual((await checkStack(immutableProduction, stack)).violations, []);
    });

    it("only advises immutability on non-production storage", async () => {
      const stack = azureStack({ production: false, immutabilityDays: null });
      assert.equal(immutableRecommended.enforcementLevel, "advisory");
      assert.equal((await checkStack(immutableRecommended, stack)).violations.length, 1);
      assert.match(
        (await checkStack(immutableProduction, stack)).notApplicable ?? "",
        /no production storage/,
      );
      assert.match(
        (await checkStack(immutableRecommended, azureStack())).notApplicable ?? "",
        /no non-production/,
      );
    });
  });

  describe("storage-s3-bucket-controls", () => {
    it("passes a bucket with all its companions", async () => {
      assert.deepEqual((await checkStack(s3BucketControls, s3Stack())).violations, []);
    });

    it("reports each missing or ineffective companion on the bucket", async () => {
      const stack = s3Stack().filter((r) => r.type !== T.publicAccessBlock);
      byType(stack, T.sse)[0].props.rules = [];
      byType(stack, T.bucketPolicy)[0].props.policy = JSON.stringify({ Statement: [{ Effect: "Allow" }] });
      const o = await checkStack(s3BucketControls, stack);
      assert.deepEqual(o.violations, [
        'bucket "backups" lacks a BucketPublicAccessBlock.',
        'bucket "backups" lacks default encryption (sseAlgorithm "AES256", "aws:kms" or "aws:kms:dsse").',
        'bucket "backups" lacks a bucket policy denying requests without TLS ("aws:SecureTransport": "false").',
      ]);
      assert.ok(o.urns.every((u) => u === stack[0].urn));
    });

    it("is not applicable without S3 buckets", async () => {
      const o = await checkStack(s3BucketControls, [resource({ type: T.release, props: releaseProps() })]);
      assert.equal(o.notApplicable, "no S3 bucket in this stack");
    });
  });
});

describe("policies: storage-replica-production", () => {
  const rule = storageReplicaProduction;
  const violations = async (stack: PolicyResource[]) => (await checkStack(rule, stack)).violations;

  it("is mandatory", () => {
    assert.equal(rule.enforcementLevel, "mandatory");
  });

  it("passes a production account replicated to another region (and its replica)", async () => {
    assert.deepEqual(await violations(azureStack()), []);
  });

  it("reports a production account without a replica, on that account", async () => {
    const o = await checkStack(rule, azureStack({ replica: false }));
    assert.deepEqual(o.violations, [
      'storage account "velerotest01" holds production backups but replicates them nowhere (no object replication policy on it into another account of the stack): when its region is lost, a destination has no backups to read.',
    ]);
    assert.ok(
      o.urns.every((u) => u?.endsWith("backups-account")),
      o.urns.join(", "),
    );
  });

  it("reports a replica in the primary's own region", async () => {
    const stack = azureStack();
    const replica = stack.find((r) => r.name === "replica-storage-account") as PolicyResource;
    replica.props.location = "WestEurope";
    assert.deepEqual(await violations(stack), [
      'storage account "velerotest01" replicates to "velerotest02" in its own region (westeurope): the replica is lost with the region it should survive.',
    ]);
  });

  it("does not count a policy registered on the replica only (Azure replicates from the source account's policy)", async () => {
    const stack = azureStack();
    const policy = stack.find((r) => r.name === "replica-policy-source") as PolicyResource;
    policy.props.accountName = "velerotest02";
    const v = await violations(stack);
    assert.ok(
      v.some((m) =>
        m.startsWith('storage account "velerotest01" holds production backups but replicates them nowhere'),
      ),
      v.join("\n"),
    );
  });

  it("does not apply to non-production storage", async () => {
    const o = await checkStack(rule, azureStack({ production: false }));
    assert.ok(o.notApplicable !== undefined);
  });
});

describe("policies: storage-replica-production (S3)", () => {
  const rule = storageReplicaProduction;
  const violations = async (stack: PolicyResource[]) => (await checkStack(rule, stack)).violations;

  it("passes a production bucket replicated to a bucket of the stack in another region (and that replica)", async () => {
    assert.deepEqual(
      await violations(s3Stack({ production: true, lockDays: 30, replica: { region: "eu-central-1" } })),
      [],
    );
  });

  it("reports a production bucket without a replica, on that bucket", async () => {
    const stack = s3Stack({ production: true, lockDays: 30 });
    const o = await checkStack(rule, stack);
    assert.deepEqual(o.violations, [
      'S3 bucket "velero-backups" holds production backups but replicates them nowhere (no enabled S3 replication rule on it into another bucket of the stack): when its region is lost, a destination has no backups to read.',
    ]);
    assert.deepEqual(o.urns, [byType(stack, T.bucket)[0].urn]);
  });

  it("reports a replica in the primary's own region (the providers' regions)", async () => {
    assert.deepEqual(await violations(s3Stack({ production: true, replica: { region: "eu-west-1" } })), [
      'S3 bucket "velero-backups" replicates to "velero-backups-replica" in its own region (eu-west-1): the replica is lost with the region it should survive.',
    ]);
  });

  it("a bucket's own region input wins over its provider's", async () => {
    const stack = s3Stack({ production: true, replica: { region: "eu-central-1" } });
    (stack.find((r) => r.name === "replica-storage-bucket") as PolicyResource).props.region = "eu-west-1";
    assert.equal((await violations(stack)).length, 1);
  });

  it("does not count a disabled rule, nor a rule into a bucket outside the stack", async () => {
    const disabled = s3Stack({ production: true, replica: { region: "eu-central-1" } });
    const config = byType(disabled, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")[0];
    config.props.rules[0].status = "Disabled";
    assert.match(
      (await violations(disabled))[0],
      /S3 bucket "velero-backups" holds production backups but replicates them nowhere/,
    );
    const elsewhere = s3Stack({ production: true, replica: { region: "eu-central-1" } });
    byType(
      elsewhere,
      "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    )[0].props.rules[0].destination.bucket = "arn:aws:s3:::someone-elses-bucket";
    const v = await violations(elsewhere);
    assert.ok(
      v.some((m) =>
        /S3 bucket "velero-backups" holds production backups but replicates them nowhere/.test(m),
      ),
      v.join("\n"),
    );
  });

  it("does not apply to non-production buckets", async () => {
    const o = await checkStack(rule, s3Stack());
    assert.equal(o.notApplicable, "no production backup storage in this stack");
  });
});
