import { strict as assert } from "assert";
import {
  storageNoPublicAccess,
  storageProtected,
  storageSecureTransport,
  storageSoftDeleteEnabled,
  storageVersioningEnabled,
} from "../../policies/rules/storage";
import { accountProps, blobServiceProps, releaseProps, T } from "./fixtures";
import { checkResource } from "./support";

describe("policies: storage (resource rules)", () => {
  describe("storage-no-public-access", () => {
    it("passes a private account, container, public access block and bucket", async () => {
      for (const spec of [
        { type: T.account, props: accountProps() },
        { type: T.container, props: { containerName: "velero", publicAccess: "None" } },
        { type: T.container, props: { containerName: "velero" } },
        {
          type: T.publicAccessBlock,
          props: {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          },
        },
        { type: T.bucket, props: { bucket: "b", acl: "private" } },
      ]) {
        assert.deepEqual((await checkResource(storageNoPublicAccess, spec)).violations, [], spec.type);
      }
    });

    it("reports public blob access, an unset flag, a public container, an open block and a public ACL", async () => {
      const account = { ...accountProps(), allowBlobPublicAccess: true };
      assert.deepEqual(
        (await checkResource(storageNoPublicAccess, { type: T.account, props: account })).violations,
        [
          "allowBlobPublicAccess is true; it must be false so no container of the backup account can ever be made public.",
        ],
      );
      const unset = accountProps();
      delete unset.allowBlobPublicAccess;
      assert.deepEqual(
        (await checkResource(storageNoPublicAccess, { type: T.account, props: unset })).violations,
        [
          "allowBlobPublicAccess is not set; it must be false so no container of the backup account can ever be made public.",
        ],
      );
      const container = { type: T.container, props: { publicAccess: "Blob" } };
      assert.deepEqual((await checkResource(storageNoPublicAccess, container)).violations, [
        'publicAccess is "Blob"; the backup container must be private ("None").',
      ]);
      const pab = { type: T.publicAccessBlock, props: { blockPublicAcls: true, blockPublicPolicy: true } };
      assert.deepEqual((await checkResource(storageNoPublicAccess, pab)).violations, [
        "ignorePublicAcls, restrictPublicBuckets must be true to keep the backup bucket private.",
      ]);
      const bucket = { type: T.bucket, props: { acl: "public-read" } };
      assert.deepEqual((await checkResource(storageNoPublicAccess, bucket)).violations, [
        'acl is "public-read"; the backup bucket must be private.',
      ]);
    });

    it("is not applicable to other resources", async () => {
      const o = await checkResource(storageNoPublicAccess, { type: T.release, props: releaseProps() });
      assert.match(o.notApplicable ?? "", /^applies to azure-native:storage:StorageAccount/);
    });
  });

  describe("storage-secure-transport", () => {
    it("passes HTTPS-only with TLS 1.2 (and with HTTPS left at its default)", async () => {
      const defaulted = accountProps();
      delete defaulted.enableHttpsTrafficOnly;
      for (const props of [accountProps(), defaulted, { ...accountProps(), minimumTlsVersion: "TLS1_3" }]) {
        assert.deepEqual(
          (await checkResource(storageSecureTransport, { type: T.account, props })).violations,
          [],
        );
      }
    });

    it("reports plain HTTP and an old or unset minimum TLS version", async () => {
      const props = { ...accountProps(), enableHttpsTrafficOnly: false, minimumTlsVersion: "TLS1_0" };
      assert.deepEqual((await checkResource(storageSecureTransport, { type: T.account, props })).violations, [
        "enableHttpsTrafficOnly is false; the backup account must refuse plain HTTP.",
        'minimumTlsVersion is "TLS1_0"; it must be "TLS1_2" or newer (an unset value lets older clients negotiate TLS 1.0).',
      ]);
      const unset = accountProps();
      delete unset.minimumTlsVersion;
      assert.deepEqual(
        (await checkResource(storageSecureTransport, { type: T.account, props: unset })).violations,
        [
          'minimumTlsVersion is not set; it must be "TLS1_2" or newer (an unset value lets older clients negotiate TLS 1.0).',
        ],
      );
    });

    it("is not applicable to containers (or S3: see storage-s3-bucket-controls)", async () => {
      assert.ok(
        (await checkResource(storageSecureTransport, { type: T.container, props: {} })).notApplicable,
      );
      assert.ok((await checkResource(storageSecureTransport, { type: T.bucket, props: {} })).notApplicable);
    });
  });

  describe("storage-versioning-enabled", () => {
    it("passes blob versioning, an enabled BucketVersioning and inline versioning", async () => {
      for (const spec of [
        { type: T.blobService, props: blobServiceProps() },
        { type: T.bucketVersioning, props: { versioningConfiguration: { status: "Enabled" } } },
        { type: T.bucket, props: { versioning: { enabled: true } } },
      ]) {
        assert.deepEqual((await checkResource(storageVersioningEnabled, spec)).violations, [], spec.type);
      }
    });

    it("reports versioning off", async () => {
      const blob = { type: T.blobService, props: { ...blobServiceProps(), isVersioningEnabled: false } };
      assert.deepEqual((await checkResource(storageVersioningEnabled, blob)).violations, [
        "isVersioningEnabled is false; blob versioning must be on.",
      ]);
      const s3 = { type: T.bucketVersioning, props: { versioningConfiguration: { status: "Suspended" } } };
      assert.deepEqual((await checkResource(storageVersioningEnabled, s3)).violations, [
        'versioningConfiguration.status is "Suspended"; it must be "Enabled".',
      ]);
      const inline = { type: T.bucket, props: { versioning: { enabled: false } } };
      assert.deepEqual((await checkResource(storageVersioningEnabled, inline)).violations, [
        "inline versioning.enabled must be true.",
      ]);
    });

    it("is not applicable to a bucket without inline versioning, or to an account", async () => {
      assert.equal(
        (await checkResource(storageVersioningEnabled, { type: T.bucket, props: {} })).notApplicable,
        "no inline versioning on the bucket",
      );
      assert.ok(
        (await checkResource(storageVersioningEnabled, { type: T.account, props: accountProps() }))
          .notApplicable,
      );
    });
  });

  describe("storage-soft-delete-enabled", () => {
    it("passes 30-day blob and container soft delete", async () => {
      const o = await checkResource(storageSoftDeleteEnabled, {
        type: T.blobService,
        props: blobServiceProps(),
      });
      assert.deepEqual(o.violations, []);
    });

    it("reports soft delete off, or shorter than minDays (default 7, configurable)", async () => {
      const props = {
        ...blobServiceProps(),
        deleteRetentionPolicy: { enabled: false },
        containerDeleteRetentionPolicy: { enabled: true, days: 3 },
      };
      assert.deepEqual(
        (await checkResource(storageSoftDeleteEnabled, { type: T.blobService, props })).violations,
        [
          "deleteRetentionPolicy.enabled must be true (soft delete is off).",
          "containerDeleteRetentionPolicy.days is 3; soft delete must keep deleted data for at least 7 days.",
        ],
      );
      const strict = await checkResource(
        storageSoftDeleteEnabled,
        { type: T.blobService, props: blobServiceProps() },
        { minDays: 60 },
      );
      assert.deepEqual(strict.violations, [
        "deleteRetentionPolicy.days is 30; soft delete must keep deleted data for at least 60 days.",
        "containerDeleteRetentionPolicy.days is 30; soft delete must keep deleted data for at least 60 days.",
      ]);
    });

    it("is not applicable to S3 (versioning covers deletes there)", async () => {
      assert.ok((await checkResource(storageSoftDeleteEnabled, { type: T.bucket, props: {} })).notApplicable);
    });
  });

  describe("storage-protected", () => {
    it("passes protected storage", async () => {
      for (const type of [T.account, T.container, T.bucket]) {
        assert.deepEqual(
          (await checkResource(storageProtected, { type, props: {}, protect: true })).violations,
          [],
        );
      }
    });

    it("reports unprotected storage, saying why retainOnDelete cannot count", async () => {
      assert.deepEqual(
        (await checkResource(storageProtected, { type: T.account, props: accountProps() })).violations,
        [
          "the resource is not protected: set protect: true. (retainOnDelete, if set, is not visible to policy " +
            "packs, and only protect makes `pulumi destroy` refuse to run.)",
        ],
      );
    });

    it("is not applicable to resources that hold no backup data themselves", async () => {
      assert.ok((await checkResource(storageProtected, { type: T.lifecycle, props: {} })).notApplicable);
    });
  });
});
