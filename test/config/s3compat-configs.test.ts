import { strict as assert } from "assert";
import { ONPREM, runProgram, stackFileConfig } from "../support/harness";
import { exampleSourceOutputs } from "../support/examples";

/**
 * Bad configurations of the s3compat backend, source and destination: each fails before any
 * resource is registered, with a message naming the leaf key, the value (never a secret's) and
 * the fix.
 */

type Config = Record<string, string>;
type Edit = (c: Config, secrets: string[]) => void;

const SOURCE = "example-source-s3compat";
const DESTINATION = "example-destination-s3compat";

const json = (c: Config, key: string) => JSON.parse(c[`velero-dr:${key}`] ?? "{}") as Record<string, unknown>;
const set =
  (key: string, value: unknown): Edit =>
  (c) => {
    c[`velero-dr:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  };
const drop =
  (key: string): Edit =>
  (c) => {
    delete c[`velero-dr:${key}`];
  };
const merge =
  (key: string, patch: Record<string, unknown>): Edit =>
  (c) => {
    c[`velero-dr:${key}`] = JSON.stringify({ ...json(c, key), ...patch });
  };
const credentials = (patch: Record<string, unknown>): Edit =>
  set("s3compatCredentials", {
    accessKeyId: ONPREM.accessKeyId,
    secretAccessKey: ONPREM.secretAccessKey,
    ...patch,
  });

interface BadCase {
  name: string;
  edits: Edit[];
  expect: RegExp[];
  /** Must not appear in the message (a secret's value). */
  hidden?: string[];
}

const SOURCE_CASES: BadCase[] = [
  {
    name: "no s3compat settings",
    edits: [drop("s3compat")],
    expect: [
      /velero-dr:s3compat: is required; expected a map of settings \(endpoint, bucket, region, \.\.\.\) with cloud s3compat/,
    ],
  },
  {
    name: "an endpoint that is no URL",
    edits: [merge("s3compat", { endpoint: "minio:9000" })],
    expect: [
      /velero-dr:s3compat\.endpoint: got "minio:9000"; expected the store's S3 endpoint, an http:\/\/ or https:\/\/ URL such as https:\/\/minio\.example\.com:9000/,
    ],
  },
  {
    name: "an ftp endpoint",
    edits: [merge("s3compat", { endpoint: "ftp://minio.example.com" })],
    expect: [
      /velero-dr:s3compat\.endpoint: got "ftp:\/\/minio\.example\.com"; expected the store's S3 endpoint, an http:\/\/ or https:\/\/ URL/,
    ],
  },
  {
    name: "an endpoint with credentials in it (not echoed)",
    edits: [merge("s3compat", { endpoint: "https://admin:hunter2secret@minio.example.com" })],
    expect: [
      /velero-dr:s3compat\.endpoint: contains credentials \(a user or password before '@'; the value is not shown\); put them in the secret velero-dr:s3compatCredentials instead/,
    ],
    hidden: ["hunter2secret", "admin"],
  },
  {
    // Refused for its credentials before its scheme: the scheme's message would repeat the value.
    name: "an s3:// endpoint with credentials in it (not echoed)",
    edits: [merge("s3compat", { endpoint: "s3://AKIAEXAMPLEKEY1:hunter2secret@minio.example.com" })],
    expect: [/velero-dr:s3compat\.endpoint: contains credentials .*velero-dr:s3compatCredentials instead/],
    hidden: ["hunter2secret", "AKIAEXAMPLEKEY1"],
  },
  {
    // Does not parse as a URL (bad port; a '/' in the password ends the authority early).
    name: "an unparsable endpoint with credentials in it (not echoed)",
    edits: [merge("s3compat", { endpoint: "https://minioadmin:hunter2/secret@minio.example.com:badport" })],
    expect: [/velero-dr:s3compat\.endpoint: contains credentials /],
    hidden: ["hunter2", "minioadmin", "badport"],
  },
  {
    name: "an endpoint with a trailing slash",
    edits: [merge("s3compat", { endpoint: "https://minio.example.com/" })],
    expect: [
      /velero-dr:s3compat\.endpoint: got "https:\/\/minio\.example\.com\/"; expected the store's S3 endpoint without a query, fragment or trailing '\/' \(e\.g\. https:\/\/minio\.example\.com\)/,
    ],
  },
  {
    name: "plain http on a production stack",
    edits: [merge("s3compat", { endpoint: "http://minio.example.com:9000" })],
    expect: [
      /velero-dr:s3compat\.endpoint: got "http:\/\/minio\.example\.com:9000"; a production stack's backups must not travel unencrypted: use the store's https:\/\/ endpoint/,
    ],
  },
  {
    name: "no region",
    edits: [
      (c) => c["velero-dr:s3compat"] && set("s3compat", { ...json(c, "s3compat"), region: undefined })(c, []),
    ],
    expect: [/velero-dr:s3compat\.region: is required/],
  },
  {
    name: "a region with a space",
    edits: [merge("s3compat", { region: "us east" })],
    expect: [/velero-dr:s3compat\.region: got "us east"; expected the store's region name/],
  },
  {
    name: "a bucket name S3 refuses",
    edits: [merge("s3compat", { bucket: "Dash_Backups" })],
    expect: [
      /velero-dr:s3compat\.bucket: got "Dash_Backups"; expected 3-63 lowercase letters, digits, '\.' and '-'/,
    ],
  },
  {
    name: "path style as a string",
    edits: [merge("s3compat", { forcePathStyle: "yes" })],
    expect: [/velero-dr:s3compat\.forcePathStyle: got "yes" \(string\); expected a boolean/],
  },
  {
    name: "a public URL that is none",
    edits: [merge("s3compat", { publicUrl: "downloads" })],
    expect: [
      /velero-dr:s3compat\.publicUrl: got "downloads"; expected the store's public S3 endpoint, an http:\/\/ or https:\/\/ URL/,
    ],
  },
  {
    name: "checksumAlgorithm with plugin v1.6.2 (the key arrived in v1.10.0)",
    edits: [merge("s3compat", { checksumAlgorithm: "" })],
    expect: [
      /velero-dr:s3compat\.checksumAlgorithm: got ""; velero-plugin-for-aws v1\.6\.2 does not know checksumAlgorithm \(it arrived in v1\.10\.0\) and refuses to start with a key it does not know; remove it/,
    ],
  },
  {
    name: "a checksum algorithm the plugin has not",
    edits: [merge("s3compat", { checksumAlgorithm: "MD5" })],
    expect: [
      /velero-dr:s3compat\.checksumAlgorithm: got "MD5"; expected one of "", "CRC32", "CRC32C", "SHA1", "SHA256"/,
    ],
  },
  {
    name: "the plugin's own key name",
    edits: [merge("s3compat", { s3Url: "https://minio.example.com" })],
    expect: [/velero-dr:s3compat\.s3Url: unknown key/],
  },
  {
    name: "no key pair",
    edits: [drop("s3compatCredentials")],
    expect: [
      /velero-dr:s3compatCredentials: is required with cloud s3compat; set it with `pulumi config set --secret velero-dr:s3compatCredentials/,
    ],
  },
  {
    name: "the key pair in plain text",
    edits: [(_c, secrets) => secrets.splice(secrets.indexOf("velero-dr:s3compatCredentials"), 1)],
    expect: [
      /velero-dr:s3compatCredentials: is stored in plain text; set it again with `pulumi config set --secret velero-dr:s3compatCredentials`/,
    ],
  },
  {
    name: "a key pair without its secret key",
    edits: [set("s3compatCredentials", { accessKeyId: ONPREM.accessKeyId })],
    expect: [/velero-dr:s3compatCredentials\.secretAccessKey: is required/],
    hidden: [ONPREM.accessKeyId],
  },
  {
    name: "an access key id with a space (not echoed)",
    edits: [credentials({ accessKeyId: "velero dash" })],
    expect: [
      /velero-dr:s3compatCredentials\.accessKeyId: expected the store's access key id: 3-128 printable characters without spaces \(the value is secret and not shown\)/,
    ],
    hidden: ["velero dash", ONPREM.secretAccessKey],
  },
  {
    name: "a secret key too short (not echoed)",
    edits: [credentials({ secretAccessKey: "short" })],
    expect: [
      /velero-dr:s3compatCredentials\.secretAccessKey: expected the store's secret access key: 8-256 printable/,
    ],
    hidden: ['short"', ONPREM.accessKeyId],
  },
  {
    name: "a key pair that is not a map (not echoed)",
    edits: [set("s3compatCredentials", "velero:topsecretvalue")],
    expect: [/velero-dr:s3compatCredentials: got a value; expected a map of settings/],
    hidden: ["topsecretvalue"],
  },
  {
    name: "storage protection, which is the store's",
    edits: [merge("storage", { protect: false })],
    expect: [
      /velero-dr:storage\.protect: does not apply to cloud s3compat: the bucket exists already and the stack never creates or changes it; set this on the store; remove it/,
    ],
  },
  {
    name: "version retention, which is the store's",
    edits: [merge("storage", { versionRetentionDays: 30 })],
    expect: [/velero-dr:storage\.versionRetentionDays: does not apply to cloud s3compat/],
  },
  {
    name: "an Azure storage key",
    edits: [merge("storage", { accountName: "velerodr01" })],
    expect: [
      /velero-dr:storage\.accountName: applies to cloud azure only; remove it \(an s3compat bucket is not the stack's: only storage\.prefix applies\)/,
    ],
  },
  {
    name: "a replica (the store's own replication, not the stack's)",
    edits: [merge("storage", { replica: { region: "eu-central-1" } })],
    expect: [
      /velero-dr:storage\.replica: applies to cloud azure or aws only; remove it \(an s3compat bucket is not the stack's: only storage\.prefix applies\)/,
    ],
  },
  {
    name: "alert e-mails (no cloud alert on a store)",
    edits: [merge("alerting", { emails: ["oncall@example.com"] })],
    expect: [
      /velero-dr:alerting\.emails: does not apply to cloud s3compat: there is no storage-side \(cloud\) alert/,
    ],
  },
  {
    name: "a cloud alert asked for",
    edits: [merge("alerting", { cloudAlert: true })],
    expect: [/velero-dr:alerting\.cloudAlert: does not apply to cloud s3compat/],
  },
  {
    name: "identity settings (a static key pair has none)",
    edits: [set("identity", { rotationDays: 30 })],
    expect: [
      /velero-dr:identity: does not apply to cloud s3compat: Velero uses the static key pair of velero-dr:s3compatCredentials/,
    ],
  },
  {
    name: "an AKS cluster",
    edits: [set("cluster", { aksName: "a", aksResourceGroup: "rg" })],
    expect: [
      /velero-dr:cluster\.aksName: applies to cloud azure only; on s3compat set a kubeconfig secret/,
      /velero-dr:cluster\.aksResourceGroup: applies to cloud azure only/,
    ],
  },
  {
    name: "no kubeconfig",
    edits: [drop("kubeconfig")],
    expect: [
      /velero-dr:cluster: no cluster access: set a kubeconfig with `pulumi config set --secret velero-dr:kubeconfig < file`/,
    ],
  },
  {
    name: "Azure settings on an s3compat stack",
    edits: [
      set("azure", {
        subscriptionId: "00000000-0000-0000-0000-000000000000",
        tenantId: "00000000-0000-0000-0000-000000000000",
        location: "westeurope",
      }),
    ],
    expect: [/velero-dr:azure: applies to cloud azure only; remove it/],
  },
  {
    name: "a plugin that does not pair with Velero 1.10",
    edits: [merge("velero", { pluginVersion: "v1.10.0" })],
    expect: [
      /velero-dr:velero\.pluginVersion: got "v1\.10\.0"; velero-plugin-for-aws v1\.10\.0 is of the v1\.10\.x line, made for Velero 1\.14, but velero\.version v1\.10\.3 needs a v1\.6\.x plugin/,
    ],
  },
];

const DESTINATION_CASES: BadCase[] = [
  {
    name: "a read-only key pair with promotion",
    edits: [set("s3compat", { readOnlyCredentials: true })],
    expect: [
      /velero-dr:s3compat\.readOnlyCredentials: got true with restore\.promoteToPrimary true: a promoted destination writes backups, which a read-only key cannot; set restore\.promoteToPrimary: false/,
    ],
  },
  {
    name: "backup.location: replica without s3compat.replica (the store replicates on its own: the destination names it)",
    edits: [merge("backup", { location: "replica" })],
    expect: [
      /velero-dr:backup\.location: got "replica", but velero-dr:s3compat\.replica is not set: an S3-compatible store replicates on its own .*set velero-dr:s3compat\.replica \{endpoint, bucket, region\} .*or velero-dr:backup\.location: primary/,
    ],
  },
  {
    name: "a replica endpoint that is no URL",
    edits: [
      set("s3compat", { replica: { endpoint: "minio-dr:9000", bucket: "dash-backups", region: "dr" } }),
    ],
    expect: [
      /velero-dr:s3compat\.replica\.endpoint: got "minio-dr:9000"; expected the replica store's S3 endpoint, an http:\/\/ or https:\/\/ URL/,
    ],
  },
  {
    name: "a replica without its region",
    edits: [
      set("s3compat", { replica: { endpoint: "https://minio-dr.example.com:9000", bucket: "dash-backups" } }),
    ],
    expect: [
      /velero-dr:s3compat\.replica\.region: is required: the region the replica store signs requests with/,
    ],
  },
  {
    name: "a replica reached over http by a production destination",
    edits: [
      set("s3compat", {
        replica: { endpoint: "http://minio-dr.example.com:9000", bucket: "dash-backups", region: "dr" },
      }),
    ],
    expect: [
      /velero-dr:s3compat\.replica\.endpoint: got "http:\/\/minio-dr\.example\.com:9000"; a production stack's backups must not travel unencrypted/,
    ],
  },
  {
    name: "a replica endpoint with a credential in it (not shown)",
    edits: [
      set("s3compat", {
        replica: {
          endpoint: "https://admin:hunter22@minio-dr.example.com",
          bucket: "dash-backups",
          region: "dr",
        },
      }),
    ],
    expect: [/velero-dr:s3compat\.replica\.endpoint: contains credentials \(.*not shown\)/],
    hidden: ["hunter22"],
  },
  {
    name: "store settings on the destination (they come from the source)",
    edits: [set("s3compat", { endpoint: "https://minio.example.com" })],
    expect: [/velero-dr:s3compat\.endpoint: unknown key/],
  },
  {
    name: "Azure settings on an s3compat destination",
    edits: [
      set("azure", {
        subscriptionId: "00000000-0000-0000-0000-000000000000",
        tenantId: "00000000-0000-0000-0000-000000000000",
        location: "westeurope",
      }),
    ],
    expect: [/velero-dr:azure: applies to cloud azure only; remove it/],
  },
  {
    name: "a new AKS cluster",
    edits: [set("cluster", { create: { kubernetesVersion: "1.29" } })],
    expect: [/velero-dr:cluster\.create: applies to cloud azure only; on s3compat set a kubeconfig secret/],
  },
  {
    name: "no key pair",
    edits: [drop("s3compatCredentials")],
    expect: [/velero-dr:s3compatCredentials: is required with cloud s3compat/],
  },
  {
    name: "Azure DNS without its subscription (no azure settings to take it from)",
    edits: [
      set("dns", {
        provider: "azure",
        baseDomain: "dash.example.com",
        zone: "example.com",
        azure: { resourceGroupName: "dns-rg" },
      }),
      drop("dnsTsigSecret"),
    ],
    expect: [
      /velero-dr:dns\.azure\.subscriptionId: is required when the stack has no velero-dr:azure settings: the DNS zone's subscription \(GUID\)/,
    ],
  },
];

async function outputsCase(
  name: string,
  edit: (o: Record<string, any>) => void,
  expect: RegExp[],
): Promise<BadCase> {
  const outputs = structuredClone(await exampleSourceOutputs(SOURCE)) as Record<string, any>;
  edit(outputs);
  return { name, edits: [set("source", { outputs })], expect };
}

async function fails(stack: string, c: BadCase): Promise<void> {
  const { config, secretKeys } = stackFileConfig(stack);
  for (const e of c.edits) e(config, secretKeys);
  const run = await runProgram(`bad-${stack}`, config, secretKeys);
  const message = run.error?.message ?? "";
  for (const re of c.expect) assert.match(message, re);
  for (const h of c.hidden ?? []) assert.ok(!message.includes(h), `the message shows ${h}: ${message}`);
  assert.equal(run.recorder.resources.length, 0, "nothing registered");
}

describe("s3compat configurations: each bad value refused up front, naming its key", () => {
  describe(SOURCE, () => {
    for (const c of SOURCE_CASES) it(`refuses ${c.name}`, () => fails(SOURCE, c));

    it("takes the profile's file-system backup (no snapshots here): the node agent, every pod volume copied", async () => {
      const { config, secretKeys } = stackFileConfig(SOURCE);
      const run = await runProgram("fs-s3compat", config, secretKeys);
      if (run.error) throw run.error;
      const values = run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values;
      assert.equal(values.deployNodeAgent, true);
      assert.equal(values.configuration.uploaderType, "restic", "Dash Enterprise's uploader (its profile)");
      const schedules = run.recorder.byType("kubernetes:velero.io/v1:Schedule");
      assert.ok(schedules.length > 0);
      for (const schedule of schedules) {
        assert.equal(schedule.inputs.spec.template.defaultVolumesToFsBackup, true);
        assert.equal(schedule.inputs.spec.template.snapshotVolumes, false);
      }
    });
  });

  describe(DESTINATION, () => {
    for (const c of DESTINATION_CASES) it(`refuses ${c.name}`, () => fails(DESTINATION, c));

    it("refuses source outputs typed in without the store, of another cloud, or with a key the plugin has not", async () => {
      for (const c of [
        await outputsCase("no store", (o) => delete o.s3compat, [
          /velero-dr:source\.outputs\.s3compat: is required/,
        ]),
        await outputsCase("a bad endpoint", (o) => (o.s3compat.endpoint = "minio"), [
          /velero-dr:source\.outputs\.s3compat\.endpoint: got "minio"; expected the store's S3 endpoint/,
        ]),
        await outputsCase("an Azure source", (o) => (o.cloud = "azure"), [
          /velero-dr:source\.outputs\.cloud: got "azure": the source stack backs up to azure storage, but this destination restores from s3compat; set velero-dr:cloud to the source's cloud/,
        ]),
        await outputsCase(
          "checksumAlgorithm with plugin v1.6.2",
          (o) => (o.s3compat.checksumAlgorithm = ""),
          [
            /velero-dr:source\.outputs\.s3compat\.checksumAlgorithm: got ""; velero-plugin-for-aws v1\.6\.2 does not know checksumAlgorithm/,
          ],
        ),
      ]) {
        await fails(DESTINATION, c);
      }
    });

    it("accepts checksumAlgorithm from a source whose plugin knows it (v1.10+), and a read-only key without promotion", async () => {
      const outputs = structuredClone(await exampleSourceOutputs(SOURCE)) as Record<string, any>;
      outputs.s3compat.checksumAlgorithm = "";
      outputs.velero.pluginVersion = "v1.10.0";
      const { config, secretKeys } = stackFileConfig(DESTINATION);
      set("source", { outputs })(config, secretKeys);
      set("s3compat", { readOnlyCredentials: true })(config, secretKeys);
      set("restore", { promoteToPrimary: false })(config, secretKeys);
      const run = await runProgram("ok-s3compat", config, secretKeys);
      if (run.error) throw run.error;
      const release = run.recorder.one("kubernetes:helm.sh/v3:Release").inputs;
      assert.equal(release.values.configuration.backupStorageLocation.config.checksumAlgorithm, "");
      assert.equal(release.values.initContainers[0].image, "velero/velero-plugin-for-aws:v1.10.0");
      assert.equal(
        run.recorder.byType("kubernetes:velero.io/v1:Schedule").length,
        0,
        "not promoted: no schedules",
      );
    });
    it("accepts a read-only key in a rehearsal (which never promotes), the promotion key left out", async () => {
      const { config, secretKeys } = stackFileConfig(DESTINATION);
      set("s3compat", { readOnlyCredentials: true })(config, secretKeys);
      const restore = JSON.parse(config["velero-dr:restore"] ?? "{}");
      delete restore.promoteToPrimary;
      config["velero-dr:restore"] = JSON.stringify(restore);
      delete config["velero-dr:dns"];
      config["velero-dr:mode"] = "rehearsal";
      const run = await runProgram("rehearsal-s3compat", config, secretKeys);
      if (run.error) throw run.error;
      assert.equal(run.recorder.byType("kubernetes:velero.io/v1:Schedule").length, 0);
    });
  });
});
