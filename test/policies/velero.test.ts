import { strict as assert } from "assert";
import {
  veleroLocationConfigKeys,
  veleroNoPlaintextCredentials,
  veleroVersionsCompatible,
  veleroVersionsPinned,
} from "../../policies/rules/velero";
import { releaseProps, T } from "./fixtures";
import { checkResource } from "./support";

const release = (props: Record<string, any>) => ({ type: T.release, props });

describe("policies: velero", () => {
  describe("velero-versions-pinned", () => {
    it("passes exact chart, server and plugin versions (and a local chart archive)", async () => {
      assert.deepEqual((await checkResource(veleroVersionsPinned, release(releaseProps()))).violations, []);
      const local = { ...releaseProps(), chart: "./charts/velero-3.1.6.tgz", version: undefined };
      assert.deepEqual((await checkResource(veleroVersionsPinned, release(local))).violations, []);
    });

    it("reports a chart range, a latest server tag and an untagged plugin", async () => {
      const props = releaseProps();
      props.version = "^3.1";
      props.values.image.tag = "latest";
      props.values.initContainers[0].image = "velero/velero-plugin-for-microsoft-azure";
      assert.deepEqual((await checkResource(veleroVersionsPinned, release(props))).violations, [
        'chart version "^3.1" is not an exact version (x.y.z).',
        'values.image.tag "latest" is not an exact vX.Y.Z tag.',
        "plugin image velero/velero-plugin-for-microsoft-azure has no tag; pin an exact vX.Y.Z tag.",
      ]);
      const empty = releaseProps();
      empty.values.image.tag = "";
      assert.deepEqual((await checkResource(veleroVersionsPinned, release(empty))).violations, [
        'values.image.tag "" is not an exact vX.Y.Z tag.',
      ]);
    });

    it("checks a local chart directory of any name that deploys the Velero image; not another chart's", async () => {
      const local: Record<string, any> = { ...releaseProps(), chart: "/opt/charts/vdr", version: undefined };
      local.values.image.tag = "latest";
      assert.deepEqual((await checkResource(veleroVersionsPinned, release(local))).violations, [
        'values.image.tag "latest" is not an exact vX.Y.Z tag.',
      ]);
      const mirrored: Record<string, any> = {
        ...releaseProps(),
        chart: "./vendor/backup",
        version: undefined,
      };
      mirrored.values.image.repository = "registry.corp.example/velero/velero";
      mirrored.values.image.tag = "latest";
      assert.equal((await checkResource(veleroVersionsPinned, release(mirrored))).violations.length, 1);
      const other: Record<string, any> = {
        ...releaseProps(),
        chart: "/opt/charts/ingress",
        version: undefined,
      };
      other.values.image.repository = "registry.k8s.io/ingress-nginx/controller";
      assert.ok((await checkResource(veleroVersionsPinned, release(other))).notApplicable);
    });

    it("is not applicable to other charts and other resources", async () => {
      const other = { ...releaseProps(), chart: "ingress-nginx" };
      assert.equal(
        (await checkResource(veleroVersionsPinned, release(other))).notApplicable,
        'chart "ingress-nginx" is not Velero',
      );
      assert.ok((await checkResource(veleroVersionsPinned, { type: T.schedule, props: {} })).notApplicable);
    });
  });

  describe("velero-versions-compatible", () => {
    it("passes Velero v1.10.3 + plugin v1.6.2 + chart 3.1.6, on Azure and AWS", async () => {
      for (const p of [releaseProps("azure"), releaseProps("aws")]) {
        assert.deepEqual((await checkResource(veleroVersionsCompatible, release(p))).violations, []);
      }
    });

    it("reports a plugin that does not pair, a chart that cannot run 1.10, and a missing plugin", async () => {
      const plugin = releaseProps();
      plugin.values.initContainers[0].image = "velero/velero-plugin-for-microsoft-azure:v1.8.0";
      assert.deepEqual((await checkResource(veleroVersionsCompatible, release(plugin))).violations, [
        "plugin v1.8.0 does not pair with Velero v1.10.3; use a v1.6.x plugin.",
      ]);
      const chart = { ...releaseProps(), version: "12.1.0" };
      assert.deepEqual((await checkResource(veleroVersionsCompatible, release(chart))).violations, [
        "chart 12.1.0 is not supported: the Helm values are built for chart 3.x (3.1.6 runs Velero 1.10).",
      ]);
      const none = releaseProps();
      none.values.initContainers = [];
      assert.deepEqual((await checkResource(veleroVersionsCompatible, release(none))).violations, [
        'no velero-plugin-for-microsoft-azure init container for provider "azure".',
      ]);
    });

    it("checks the pairing alone for a local chart directory", async () => {
      const local: Record<string, any> = {
        ...releaseProps(),
        chart: "/opt/charts/velero",
        version: undefined,
      };
      local.values.image.tag = "v1.12.0";
      assert.deepEqual((await checkResource(veleroVersionsCompatible, release(local))).violations, [
        "plugin v1.6.2 does not pair with Velero v1.12.0; use a v1.8.x plugin.",
      ]);
    });

    it("is not applicable while versions are not pinned (velero-versions-pinned reports that)", async () => {
      const props = releaseProps();
      props.values.image.tag = "latest";
      const o = await checkResource(veleroVersionsCompatible, release(props));
      assert.equal(o.notApplicable, "versions are not pinned (see velero-versions-pinned)");
    });
  });

  describe("velero-no-plaintext-credentials", () => {
    it("passes an existing Secret, and IRSA with useSecret false", async () => {
      assert.deepEqual(
        (await checkResource(veleroNoPlaintextCredentials, release(releaseProps()))).violations,
        [],
      );
      const irsa = releaseProps("aws");
      irsa.values.credentials = { useSecret: false };
      irsa.values.serviceAccount = {
        server: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/velero" } },
      };
      assert.deepEqual((await checkResource(veleroNoPlaintextCredentials, release(irsa))).violations, []);
    });

    it("reports secretContents, credential-looking env vars, and a secret the chart would build", async () => {
      const props = releaseProps();
      props.values.credentials = {
        useSecret: true,
        secretContents: { cloud: "AZURE_CLIENT_SECRET=hunter2" },
        extraEnvVars: { AZURE_CLIENT_SECRET: "hunter2", LOG_FORMAT: "json" },
      };
      assert.deepEqual((await checkResource(veleroNoPlaintextCredentials, release(props))).violations, [
        "values.credentials.secretContents puts the cloud credentials in plain Helm values.",
        "values.credentials.extraEnvVars.AZURE_CLIENT_SECRET looks like a credential in plain Helm values.",
        "credentials.existingSecret is not set: the chart would build the Secret from Helm values.",
      ]);
      const noIrsa = releaseProps("aws");
      noIrsa.values.credentials = { useSecret: false };
      assert.deepEqual((await checkResource(veleroNoPlaintextCredentials, release(noIrsa))).violations, [
        "credentials.useSecret is false without IRSA (serviceAccount.server.annotations eks.amazonaws.com/role-arn).",
      ]);
    });

    it("is not applicable to other resources", async () => {
      assert.ok(
        (await checkResource(veleroNoPlaintextCredentials, { type: T.command, props: {} })).notApplicable,
      );
    });
  });

  describe("velero-bsl-config-keys", () => {
    it("passes the keys the program builds (Azure) and documented AWS keys", async () => {
      assert.deepEqual(
        (await checkResource(veleroLocationConfigKeys, release(releaseProps("azure")))).violations,
        [],
      );
      const aws = releaseProps("aws");
      aws.values.configuration.backupStorageLocation.config = {
        region: "eu-west-1",
        s3ForcePathStyle: "true",
        s3Url: "http://minio:9000",
      };
      assert.deepEqual((await checkResource(veleroLocationConfigKeys, release(aws))).violations, []);
    });

    it("reports keys plugin 1.6.2 refuses (useAAD on Azure, checksumAlgorithm on AWS)", async () => {
      const azure = releaseProps("azure");
      azure.values.configuration.backupStorageLocation.config.useAAD = "true";
      assert.deepEqual((await checkResource(veleroLocationConfigKeys, release(azure))).violations, [
        'backupStorageLocation "default" has config keys velero/velero-plugin-for-microsoft-azure:v1.6.2 does not ' +
          "accept: useAAD (accepted: resourceGroup, storageAccount, subscriptionId, storageAccountKeyEnvVar, " +
          "blockSizeInBytes, credentialsFile).",
      ]);
      const aws = releaseProps("aws");
      aws.values.configuration.backupStorageLocation.config.checksumAlgorithm = "";
      aws.values.configuration.volumeSnapshotLocation.config.s3Url = "x";
      const o = await checkResource(veleroLocationConfigKeys, release(aws));
      assert.equal(o.violations.length, 2);
      assert.match(
        o.violations[0],
        /does not accept: checksumAlgorithm \(accepted: region, s3ForcePathStyle/,
      );
      assert.match(
        o.violations[1],
        /^volumeSnapshotLocation "default" has config keys .* does not accept: s3Url \(accepted: region, profile\)\.$/,
      );
    });

    it("is not applicable to a plugin line without a known key list", async () => {
      const props = releaseProps();
      props.values.initContainers[0].image = "velero/velero-plugin-for-microsoft-azure:v1.8.0";
      const o = await checkResource(veleroLocationConfigKeys, release(props));
      assert.equal(o.notApplicable, "no location whose plugin version has a known key list");
    });
  });
});
