import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { markSecretInputs, PACKAGE_NAME } from "../../plugin/provider";
import {
  checkedKubeconfig,
  credentialsFile,
  EXPOSED_KEYS,
  VeleroSource,
  VeleroSourceArgs,
} from "../../plugin/velero-source";
import {
  constructUnderMocks,
  fakeKubeconfig,
  plainOccurrences,
  Recorder,
  secretPaths,
} from "../support/harness";
import {
  ObjectType,
  PackageSchema,
  PLUGIN,
  schemaFromPlugin,
  SchemaType,
} from "../support/component-package";

/**
 * The multi-language component package (plugin/): the schema its provider serves over gRPC (the
 * SDK's own inference of plugin/*.ts, what `pulumi package add` turns into a Python, Go or YAML
 * SDK), the YAML example checked against that schema, and the component under mocks.
 */

const ROOT = path.join(__dirname, "..", "..");
const TOKEN = `${PACKAGE_NAME}:index:VeleroSource`;
const EXAMPLE = path.join(ROOT, "examples", "yaml-source", "Pulumi.yaml");

/** The object type a `$ref` names (`#/types/<token>`). */
function typeOf(schema: PackageSchema, ref: string): ObjectType {
  const m = /^#\/types\/(.+)$/.exec(ref);
  assert.ok(m, `not a local type reference: ${ref}`);
  const t = schema.types[m[1]];
  assert.ok(t, `the schema has no type ${m[1]}`);
  return t;
}

/** Every `$ref` in the schema, with where it is. */
function refs(v: unknown, at = ""): [string, string][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => refs(x, `${at}[${i}]`));
  if (v && typeof v === "object") {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) =>
      k === "$ref" && typeof x === "string" ? [[at, x] as [string, string]] : refs(x, `${at}.${k}`),
    );
  }
  return [];
}

const SECRET_WORDS = /secret|password|token|kubeconfig|credential|accesskey/i;

describe("component package (plugin/): velero-dr for Python, Go and YAML programs", function () {
  this.timeout(300_000);
  let schema: PackageSchema;

  before(async () => {
    schema = await schemaFromPlugin();
  });

  it("is a source-based plugin package: PulumiPlugin.yaml runtime nodejs, package.json name and main, the repository's SDK", () => {
    const manifest = parseYaml(fs.readFileSync(path.join(PLUGIN, "PulumiPlugin.yaml"), "utf8"));
    assert.deepEqual(manifest, { runtime: "nodejs" });
    const pkg = JSON.parse(fs.readFileSync(path.join(PLUGIN, "package.json"), "utf8"));
    assert.equal(pkg.name, PACKAGE_NAME);
    assert.ok(fs.existsSync(path.join(PLUGIN, pkg.main)), `package.json main ${pkg.main} does not exist`);
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.equal(pkg.version, root.version, "the package's version follows the project's");
    // No dependencies of its own: the components resolve @pulumi/pulumi from the repository's
    // node_modules, so the provider and the components share one SDK (one ComponentResource class).
    assert.equal(pkg.dependencies, undefined);
    assert.equal(
      require.resolve("@pulumi/pulumi", { paths: [PLUGIN] }),
      require.resolve("@pulumi/pulumi", { paths: [path.join(ROOT, "components")] }),
    );
  });

  it("serves the schema of package velero-dr with one component, velero-dr:index:VeleroSource", () => {
    assert.equal(schema.name, "velero-dr");
    assert.equal(
      schema.version,
      JSON.parse(fs.readFileSync(path.join(PLUGIN, "package.json"), "utf8")).version,
    );
    assert.deepEqual(Object.keys(schema.resources), [TOKEN]);
    assert.equal(schema.resources[TOKEN].isComponent, true);
    for (const [at, ref] of refs(schema)) {
      assert.ok(
        ref.startsWith("#/types/velero-dr:index:"),
        `${at}: ${ref} is not one of the package's types`,
      );
      typeOf(schema, ref);
    }
  });

  it("has the inputs a user needs, with their types and which are required", () => {
    const r = schema.resources[TOKEN];
    assert.deepEqual(r.requiredInputs, ["kubeconfig", "s3compat", "s3compatCredentials", "schedules"]);
    assert.deepEqual(Object.keys(r.inputProperties).sort(), [
      "bslCheck",
      "firstBackup",
      "kubeconfig",
      "prefix",
      "s3compat",
      "s3compatCredentials",
      "schedules",
      "velero",
    ]);
    assert.equal(r.inputProperties.kubeconfig.type, "string");
    assert.equal(r.inputProperties.firstBackup.type, "boolean");
    const store = typeOf(schema, r.inputProperties.s3compat.$ref!);
    assert.deepEqual(store.required, ["bucket", "endpoint", "region"]);
    assert.equal(store.properties.forcePathStyle.type, "boolean");
    const creds = typeOf(schema, r.inputProperties.s3compatCredentials.$ref!);
    assert.deepEqual(creds.required, ["accessKeyId", "secretAccessKey"]);
    assert.equal(creds.properties.secretAccessKey.type, "string");
    const schedules = r.inputProperties.schedules;
    assert.equal(schedules.type, "array");
    const schedule = typeOf(schema, schedules.items!.$ref!);
    assert.deepEqual(schedule.required, ["cron", "name", "namespaces"]);
    assert.deepEqual(schedule.properties.namespaces, {
      type: "array",
      items: { type: "string", plain: true },
      plain: true,
      description: schedule.properties.namespaces.description,
    });
    const velero = typeOf(schema, r.inputProperties.velero.$ref!);
    assert.deepEqual(velero.required, []);
    assert.equal(velero.properties.nodeAgent.type, "boolean");
    assert.equal(velero.properties.helmTimeoutSeconds.type, "number");
    assert.equal(velero.properties.version.type, "string");
    for (const [name, p] of Object.entries(r.inputProperties)) {
      assert.ok(p.description || p.$ref, `input ${name} has no description`);
    }
  });

  it("validates exactly the nested keys the schema exposes (the args check and the inference agree)", () => {
    const r = schema.resources[TOKEN];
    for (const [section, keys] of Object.entries(EXPOSED_KEYS)) {
      const t = typeOf(schema, r.inputProperties[section].$ref!);
      assert.deepEqual(Object.keys(t.properties).sort(), [...keys].sort(), `args.${section}`);
    }
  });

  it("marks the secret inputs secret, and nothing secret is a plain input or an output", () => {
    const r = schema.resources[TOKEN];
    const secret = Object.entries(r.inputProperties)
      .filter(([, p]) => p.secret)
      .map(([k]) => k)
      .sort();
    assert.deepEqual(secret, ["kubeconfig", "s3compatCredentials"]);
    // A secret-looking key anywhere else (a nested type reached other than through a secret input,
    // or an output) would carry a secret as plain text.
    const underSecret = new Set(
      Object.values(r.inputProperties)
        .filter((p) => p.secret && p.$ref)
        .map((p) => p.$ref!.replace("#/types/", "")),
    );
    for (const [token, t] of Object.entries(schema.types)) {
      if (underSecret.has(token)) continue;
      for (const k of Object.keys(t.properties)) {
        assert.ok(!SECRET_WORDS.test(k), `${token}.${k} looks secret but is not under a secret input`);
      }
    }
    for (const k of Object.keys(r.inputProperties)) {
      if (!r.inputProperties[k].secret)
        assert.ok(!SECRET_WORDS.test(k), `input ${k} looks secret but is not marked`);
    }
    assert.deepEqual(Object.keys(r.properties).sort(), [
      "apiServer",
      "bslName",
      "namespace",
      "scheduleNames",
    ]);
    assert.deepEqual(r.required, ["apiServer", "bslName", "namespace", "scheduleNames"]);
  });

  it("refuses to serve a schema whose listed secret input is missing (a renamed arg cannot lose its secret mark)", () => {
    const broken = JSON.parse(JSON.stringify(schema)) as PackageSchema;
    delete broken.resources[TOKEN].inputProperties.s3compatCredentials;
    assert.throws(
      () => markSecretInputs(JSON.stringify(broken)),
      /VeleroSource: no input property s3compatCredentials/,
    );
  });

  describe("the Pulumi YAML example (examples/yaml-source)", () => {
    const program = parseYaml(fs.readFileSync(EXAMPLE, "utf8")) as {
      runtime: string;
      packages: Record<string, string>;
      config: Record<string, { type: string; secret?: boolean; default?: unknown }>;
      resources: Record<string, { type: string; properties: Record<string, unknown> }>;
      outputs: Record<string, string>;
    };
    const interpolation = /^\$\{([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\}$/;

    /** Problems of a YAML value against a schema type; `secret`: every leaf must be secret config. */
    function check(value: unknown, t: SchemaType, at: string, secret: boolean): string[] {
      const ref = typeof value === "string" ? interpolation.exec(value) : null;
      if (ref && !ref[2]) {
        const c = program.config[ref[1]];
        if (!c) return [`${at}: \${${ref[1]}} is not a config key of the program`];
        if (secret && !c.secret) return [`${at}: a secret input from config ${ref[1]}, which is not secret`];
        return c.type === (t.type ?? "object")
          ? []
          : [`${at}: config ${ref[1]} is a ${c.type}, expected ${t.type}`];
      }
      if (secret && t.$ref === undefined) return [`${at}: a secret input written in plain text`];
      if (t.$ref) {
        const o = typeOf(schema, t.$ref);
        if (!value || typeof value !== "object" || Array.isArray(value)) return [`${at}: expected a map`];
        const v = value as Record<string, unknown>;
        return [
          ...Object.keys(v)
            .filter((k) => !(k in o.properties))
            .map((k) => `${at}.${k}: not a property of ${t.$ref}`),
          ...(o.required ?? []).filter((k) => !(k in v)).map((k) => `${at}.${k}: required`),
          ...Object.entries(v)
            .filter(([k]) => k in o.properties)
            .flatMap(([k, x]) =>
              check(x, o.properties[k], `${at}.${k}`, secret || Boolean(o.properties[k].secret)),
            ),
        ];
      }
      switch (t.type) {
        case "string":
          return typeof value === "string" ? [] : [`${at}: expected a string`];
        case "boolean":
          return typeof value === "boolean" ? [] : [`${at}: expected a boolean`];
        case "number":
        case "integer":
          return typeof value === "number" ? [] : [`${at}: expected a number`];
        case "array":
          return Array.isArray(value)
            ? value.flatMap((x, i) => check(x, t.items!, `${at}[${i}]`, secret))
            : [`${at}: expected a list`];
        default:
          return [`${at}: type ${t.type} not checked`];
      }
    }

    it("adds the package from the plugin directory (what `pulumi package add ../../plugin` records)", () => {
      assert.equal(program.runtime, "yaml");
      const dir = path.resolve(path.dirname(EXAMPLE), program.packages["velero-dr"]);
      assert.equal(dir, PLUGIN);
    });

    it("declares a VeleroSource whose properties all exist in the generated schema, with the right types and every required one", () => {
      const sources = Object.entries(program.resources).filter(([, r]) => r.type === TOKEN);
      assert.equal(sources.length, 1);
      const r = schema.resources[TOKEN];
      const [name, res] = sources[0];
      const problems = [
        ...r.requiredInputs.filter((k) => !(k in res.properties)).map((k) => `${name}.${k}: required`),
        ...Object.entries(res.properties).flatMap(([k, v]) =>
          k in r.inputProperties
            ? check(v, r.inputProperties[k], `${name}.${k}`, Boolean(r.inputProperties[k].secret))
            : [`${name}.${k}: not an input of ${TOKEN}`],
        ),
      ];
      assert.deepEqual(problems, []);
      for (const [k, v] of Object.entries(program.outputs)) {
        const m = interpolation.exec(v);
        assert.ok(m && m[1] === name && m[2], `output ${k}: ${v} is not a property of ${name}`);
        assert.ok(m[2] in r.properties, `output ${k}: ${TOKEN} has no output ${m[2]}`);
      }
    });

    it("the check itself refuses a plain-text secret, a missing required key and an unknown property", () => {
      const r = schema.resources[TOKEN];
      assert.deepEqual(check("plain kubeconfig", r.inputProperties.kubeconfig, "k", true), [
        "k: a secret input written in plain text",
      ]);
      assert.deepEqual(
        check(
          { accessKeyId: "${s3AccessKeyId}", secretAccessKey: "verysecret" },
          r.inputProperties.s3compatCredentials,
          "c",
          true,
        ),
        ["c.secretAccessKey: a secret input written in plain text"],
      );
      assert.deepEqual(
        check({ bucket: "b", region: "r", endpint: "x" }, r.inputProperties.s3compat, "s", false),
        [`s.endpint: not a property of ${r.inputProperties.s3compat.$ref}`, "s.endpoint: required"],
      );
      assert.deepEqual(check("${s3Endpoint}", r.inputProperties.kubeconfig, "k", true), [
        "k: a secret input from config s3Endpoint, which is not secret",
      ]);
    });
  });
});

describe("VeleroSource (plugin/velero-source.ts) under mocks", function () {
  this.timeout(120_000);
  const SECRET_KEY = "fake-secret-access-key-7f2a";
  const args = (over: Partial<VeleroSourceArgs> = {}): VeleroSourceArgs => ({
    kubeconfig: pulumi.secret(fakeKubeconfig("https://source.example.com:6443")),
    s3compat: { endpoint: "https://minio.example.com:9000", bucket: "velero-backups", region: "us-east-1" },
    s3compatCredentials: pulumi.secret({ accessKeyId: "velero-key", secretAccessKey: SECRET_KEY }),
    prefix: "prod",
    velero: { nodeAgent: true, defaultVolumesToFsBackup: true },
    schedules: [{ name: "daily", cron: "0 2 * * *", namespaces: ["shop"] }],
    ...over,
  });

  async function run(
    a: unknown,
  ): Promise<{ recorder: Recorder; source?: VeleroSource; error?: Error; asyncErrors: Error[] }> {
    const r = await constructUnderMocks("yaml-source", () => new VeleroSource("src", a as VeleroSourceArgs));
    return { recorder: r.recorder, source: r.component, error: r.error, asyncErrors: r.asyncErrors };
  }

  it("registers Velero and its Schedules on the kubeconfig's cluster, the key pair only as a secret", async () => {
    const { recorder, source } = await run(args());
    assert.ok(source);
    const types = recorder.resources.map((r) => r.type);
    for (const t of [
      TOKEN,
      "pulumi:providers:kubernetes",
      "velero-dr:velero:VeleroInstall",
      "kubernetes:core/v1:Namespace",
      "kubernetes:core/v1:Secret",
      "kubernetes:helm.sh/v3:Release",
      "velero-dr:velero:VeleroSchedules",
      "kubernetes:velero.io/v1:Schedule",
    ]) {
      assert.ok(types.includes(t), `${t} not registered (got ${types.join(", ")})`);
    }
    const release = recorder.one("kubernetes:helm.sh/v3:Release");
    const bsl = release.inputs.values.configuration.backupStorageLocation;
    assert.equal(bsl.bucket, "velero-backups");
    assert.equal(bsl.prefix, "prod");
    assert.equal(bsl.config.s3Url, "https://minio.example.com:9000");
    const schedule = recorder.one("kubernetes:velero.io/v1:Schedule");
    assert.deepEqual(schedule.inputs.spec.template.includedNamespaces, ["shop"]);
    assert.equal(schedule.inputs.spec.template.defaultVolumesToFsBackup, true);
    const secret = recorder.one("kubernetes:core/v1:Secret");
    assert.deepEqual(secretPaths(secret.raw), ["stringData"]);
    assert.deepEqual(secretPaths(recorder.one("pulumi:providers:kubernetes").raw), ["kubeconfig"]);
    for (const r of recorder.resources) {
      assert.deepEqual(
        plainOccurrences(r.raw, SECRET_KEY),
        [],
        `${r.type} ${r.name} holds the key in plain text`,
      );
    }
    assert.deepEqual(await new Promise((r) => source.scheduleNames.apply(r)), ["daily"]);
    assert.equal(await new Promise((r) => source.apiServer.apply(r)), "https://source.example.com:6443");
  });

  it("makes plain-text secret args secret (a YAML or Python caller may pass a plain string)", async () => {
    const { recorder } = await run(
      args({
        kubeconfig: fakeKubeconfig(),
        s3compatCredentials: { accessKeyId: "velero-key", secretAccessKey: SECRET_KEY },
      }),
    );
    assert.deepEqual(secretPaths(recorder.one("kubernetes:core/v1:Secret").raw), ["stringData"]);
    assert.deepEqual(secretPaths(recorder.one("pulumi:providers:kubernetes").raw), ["kubeconfig"]);
    for (const r of recorder.resources) assert.deepEqual(plainOccurrences(r.raw, SECRET_KEY), []);
  });

  it("refuses bad args before registering anything, naming each key, its value and the fix", async () => {
    const { recorder, error } = await run({
      ...args(),
      s3compat: { endpoint: "minio:9000", bucket: "velero-backups", region: "us-east-1" },
      schedules: [{ name: "daily", cron: "0 25 * * *" }],
      velero: { defaultVolumesToFsBackup: true, version: "v1.12.0" },
      extra: 1,
    });
    assert.ok(error, "no error");
    assert.match(
      error.message,
      /velero-dr:index:VeleroSource "src": \d+ problems in its args; nothing was registered/,
    );
    assert.match(
      error.message,
      /args\.s3compat\.endpoint: got "minio:9000"; expected the store's S3 endpoint, an http:\/\/ or https:\/\/ URL/,
    );
    assert.match(error.message, /args\.schedules\[0\]\.cron: got "0 25 \* \* \*"/);
    assert.match(error.message, /args\.extra: unknown key/);
    const hidden = await run({ ...args(), s3compat: { ...args().s3compat, checksumAlgorithm: "CRC32" } });
    assert.match(
      hidden.error!.message,
      /args\.s3compat\.checksumAlgorithm: unknown key; known keys here: bucket, endpoint, forcePathStyle, publicUrl, region/,
    );
    const typo = await run({ ...args(), velero: { nodAgent: true } });
    assert.match(typo.error!.message, /args\.velero\.nodAgent: unknown key; did you mean "nodeAgent"\?/);
    assert.equal(typo.error!.message.match(/nodAgent/g)!.length, 1, typo.error!.message);
    const noNamespaces = await run({
      ...args(),
      schedules: [{ name: "daily", cron: "@daily" }],
      velero: { defaultVolumesToFsBackup: true, version: "v1.12.0" },
    });
    assert.match(
      noNamespaces.error!.message,
      /args\.schedules\[0\]\.namespaces: is required; expected the namespaces to back up/,
    );
    assert.match(
      noNamespaces.error!.message,
      /args\.velero\.defaultVolumesToFsBackup: is true but velero\.nodeAgent is not; set velero\.nodeAgent: true/,
    );
    assert.match(
      noNamespaces.error!.message,
      /args\.velero\.version: got "v1\.12\.0"; this program runs Velero 1\.10 only/,
    );
    assert.deepEqual(
      recorder.resources.map((r) => `${r.type} ${r.name}`),
      [],
    );
  });

  it("refuses an endpoint with credentials in it before its scheme or port, without showing them", async () => {
    for (const endpoint of [
      "s3://AKIAEXAMPLEKEY1:hunter2secret@minio.example.com",
      "https://AKIAEXAMPLEKEY1:hunter2secret@minio.example.com:badport",
    ]) {
      const { recorder, error } = await run({ ...args(), s3compat: { ...args().s3compat, endpoint } });
      assert.ok(error, `${endpoint}: no error`);
      assert.match(
        error.message,
        /args\.s3compat\.endpoint: contains credentials \(.*not shown\); put them in the secret args\.s3compatCredentials instead/,
      );
      assert.ok(!error.message.includes("hunter2secret"), error.message);
      assert.ok(!error.message.includes("AKIAEXAMPLEKEY1"), error.message);
      assert.deepEqual(recorder.resources, []);
    }
  });

  it("a bad key pair or kubeconfig: nothing reaches the cluster (no Kubernetes object), the secret not shown", async () => {
    for (const bad of [
      { s3compatCredentials: pulumi.secret({ accessKeyId: "velero-key", secretAccessKey: "short-1" }) },
      { kubeconfig: pulumi.secret("users: [not closed") },
    ]) {
      const { recorder, error, asyncErrors } = await run({ ...args(), ...bad });
      const message = [error, ...asyncErrors].map((e) => e?.message ?? "").join("\n");
      assert.match(message, /VeleroSource "src": args\.(s3compatCredentials\.secretAccessKey|kubeconfig): /);
      assert.ok(!message.includes("short-1") && !message.includes("not closed"), message);
      const onCluster = recorder.resources.filter((r) => r.type.startsWith("kubernetes:"));
      assert.deepEqual(
        onCluster.map((r) => `${r.type} ${r.name}`),
        [],
      );
    }
  });

  it("refuses an unusable kubeconfig and key pair without showing them", () => {
    assert.throws(
      () => checkedKubeconfig("src", "users: [not closed"),
      (e: Error) =>
        /^velero-dr:index:VeleroSource "src": args\.kubeconfig: is not a usable kubeconfig/.test(e.message) &&
        !e.message.includes("not closed"),
    );
    assert.throws(
      () => credentialsFile("src", { accessKeyId: "velero-key", secretAccessKey: "short-1" }),
      (e: Error) =>
        /^velero-dr:index:VeleroSource "src": args\.s3compatCredentials\.secretAccessKey: expected the store's secret access key/.test(
          e.message,
        ) && !e.message.includes("short-1"),
    );
    assert.match(
      credentialsFile("src", { accessKeyId: "velero-key", secretAccessKey: SECRET_KEY }),
      /^\[default\]\naws_access_key_id=velero-key\naws_secret_access_key=fake-secret-access-key-7f2a\n$/,
    );
  });
});
