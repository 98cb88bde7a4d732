import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { importCheck } from "./support";

/**
 * The consumer test (`npm run test:package`, its own CI step: it packs, installs and compiles, too
 * slow for `npm test`): the package as a user gets it. `npm run build:package` and `npm pack`, then examples/consumer/ - a Pulumi TypeScript program of its own - copied to a
 * temporary folder with the tarball, `npm install`ed (from the npm cache where it can be), compiled
 * by tsc against the package's declarations, and run under Pulumi's mocks; its registrations are
 * checked here.
 */

const ROOT = path.join(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "examples", "consumer");
const PROJECT = "velero-dr-consumer";

interface Registration {
  type: string;
  name: string;
  custom: boolean;
  provider?: string;
  urn?: string;
  inputs: Record<string, any>;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

describe("the packed component package, installed and used by a program of its own (examples/consumer)", function () {
  let work: string;
  let app: string;
  let tarballFiles: string[];
  let resources: Registration[];
  let outputs: Record<string, unknown>;
  const npm = "npm";

  before(function () {
    work = mkdtempSync(path.join(tmpdir(), "velero-dr-consumer-"));
    // Built first, then packed without prepack (which would build again and print into the JSON).
    run(npm, ["run", "-s", "build:package"], ROOT);
    const packed = JSON.parse(
      run(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", work], ROOT),
    ) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarballFiles = packed[0].files.map((f) => f.path).sort();
    app = path.join(work, "consumer");
    mkdirSync(path.join(app, "test"), { recursive: true });
    for (const f of ["package.json", "Pulumi.yaml", "tsconfig.json", "index.ts", "test/mocks.ts"]) {
      copyFileSync(path.join(EXAMPLE, f), path.join(app, f));
    }
    copyFileSync(path.join(work, packed[0].filename), path.join(app, "velero-dr.tgz"));
    run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], app);
    run(
      process.execPath,
      [require.resolve("typescript/bin/tsc", { paths: [app] }), "-p", "tsconfig.json"],
      app,
    );
    const out = run(process.execPath, ["bin/test/mocks.js"], app).trim().split("\n").pop() ?? "";
    ({ resources, outputs } = JSON.parse(out) as {
      resources: Registration[];
      outputs: Record<string, unknown>;
    });
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const one = (type: string, name: string): Registration => {
    const found = resources.filter((r) => r.type === type && r.name === name);
    assert.equal(
      found.length,
      1,
      `one ${type} ${name} (registered: ${resources.map((r) => r.name).join(", ")})`,
    );
    return found[0];
  };
  /** The type of a resource's parent, from its URN (`...::<parent types>$<type>::<name>`). */
  const parentType = (r: Registration): string | undefined => {
    const qualified = (r.urn ?? "").split("::").slice(-2)[0].split("$");
    return qualified.length > 1 ? qualified[qualified.length - 2] : undefined;
  };

  it("the tarball holds the compiled package only: JavaScript, declarations, script bodies, README", () => {
    const outside = tarballFiles.filter(
      (f) => !f.startsWith("dist/") && !["package.json", "README.md"].includes(f),
    );
    assert.deepEqual(outside, []);
    assert.deepEqual(
      tarballFiles.filter((f) => !/\.(js|d\.ts|sh)$/.test(f) && f.startsWith("dist/")),
      [],
      "nothing but .js, .d.ts and .sh under dist/",
    );
    assert.ok(!tarballFiles.some((f) => /\/(test|drill|examples)\//.test(f)), "no tests, drills or examples");
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, string | Record<string, string>>;
    };
    for (const [sub, target] of Object.entries(pkg.exports)) {
      if (typeof target === "string") continue;
      for (const file of Object.values(target))
        assert.ok(tarballFiles.includes(file.slice(2)), `${sub}: ${file}`);
    }
  });

  it("compiles against the declarations with node16 resolution (exports) and the classic one (typesVersions)", () => {
    // The first compile (before) used node16 (examples/consumer/tsconfig.json); the Pulumi templates' own
    // tsconfig resolves modules the classic way, which reads typesVersions instead of exports.
    const tsc = require.resolve("typescript/bin/tsc", { paths: [app] });
    run(
      process.execPath,
      [tsc, "-p", "tsconfig.json", "--noEmit", "--module", "commonjs", "--moduleResolution", "node10"],
      app,
    );
  });

  it("importing any module of the installed package registers nothing, reads no config, throws nothing", () => {
    const modules = filesBelow(path.join(app, "node_modules", "velero-dr", "dist")).filter((f) =>
      f.endsWith(".js"),
    );
    assert.ok(modules.length > 50, `${modules.length} modules`);
    assert.deepEqual(importCheck(modules, false), { registered: [], config: [], invoked: [], failed: [] });
  });

  it("registers the source stack's components, under the program's stack", () => {
    const components = resources
      .filter((r) => !r.custom)
      .map((r) => `${r.type}::${r.name}`)
      .sort();
    assert.deepEqual(components, [
      "velero-dr:apps:AppPreparation::app",
      "velero-dr:identity:AwsVeleroIdentity::velero-identity",
      "velero-dr:monitoring:AwsBackupAlarm::backup-alert",
      "velero-dr:monitoring:VeleroPrometheusRule::alerting",
      "velero-dr:storage:AwsBackupStorage::backups",
      "velero-dr:velero:VeleroInstall::velero",
      "velero-dr:velero:VeleroSchedules::schedules",
    ]);
    for (const c of resources.filter((r) => !r.custom)) {
      assert.match(
        c.urn ?? "",
        new RegExp(`^urn:pulumi:dev::${PROJECT}::${c.type.replace(/[$]/g, "\\$")}::`),
        c.name,
      );
    }
  });

  it("parents every resource to its component, and the components' children take the providers given in opts", () => {
    const k8sProvider = one("pulumi:providers:kubernetes", "cluster");
    const awsProvider = one("pulumi:providers:aws", "aws");
    assert.equal(k8sProvider.inputs.enableServerSideApply, "true");
    const k8s = [
      ["kubernetes:core/v1:Namespace", "velero-ns", "velero-dr:velero:VeleroInstall"],
      ["kubernetes:core/v1:Secret", "velero-credentials", "velero-dr:velero:VeleroInstall"],
      ["kubernetes:helm.sh/v3:Release", "velero-release", "velero-dr:velero:VeleroInstall"],
    ];
    for (const [type, name, parent] of k8s) {
      const r = one(type, name);
      assert.equal(parentType(r), parent, `${name}'s parent`);
      assert.match(r.provider ?? "", /::pulumi:providers:kubernetes::cluster::/, `${name}'s provider`);
    }
    const schedules = resources.filter((r) => r.type.startsWith("kubernetes:velero.io/v1:Schedule"));
    assert.ok(schedules.length > 0, "Schedules");
    for (const s of schedules) {
      assert.equal(parentType(s), "velero-dr:velero:VeleroSchedules");
      assert.match(s.provider ?? "", /::pulumi:providers:kubernetes::cluster::/);
    }
    const aws = [
      ["aws:s3/bucket:Bucket", "backups-bucket", "velero-dr:storage:AwsBackupStorage"],
      ["aws:iam/user:User", "velero-identity-user", "velero-dr:identity:AwsVeleroIdentity"],
      ["aws:iam/policy:Policy", "velero-identity-policy", "velero-dr:identity:AwsVeleroIdentity"],
    ];
    for (const [type, name, parent] of aws) {
      const r = one(type, name);
      assert.equal(parentType(r), parent, `${name}'s parent`);
      assert.match(r.provider ?? "", /::pulumi:providers:aws::aws::/, `${name}'s provider`);
    }
    assert.equal(awsProvider.inputs.region, "eu-west-1");
    // Nothing is left at the stack's root but the program's own providers.
    const unparented = resources.filter((r) => r.custom && parentType(r) === undefined).map((r) => r.type);
    assert.deepEqual(unparented.sort(), ["pulumi:providers:aws", "pulumi:providers:kubernetes"]);
  });

  it("builds the Velero install and the schedules from the package's builders and the profile", () => {
    const release = one("kubernetes:helm.sh/v3:Release", "velero-release");
    const values = release.inputs.values as Record<string, any>;
    assert.deepEqual(values.configuration.backupStorageLocation, {
      name: "default",
      provider: "aws",
      bucket: "velero-consumer-backups",
      default: true,
      accessMode: "ReadWrite",
      config: { region: "eu-west-1" },
    });
    assert.deepEqual(values.credentials, { useSecret: true, existingSecret: "cloud-credentials" });
    assert.equal(release.inputs.chart, "velero");
    const bucket = one("aws:s3/bucket:Bucket", "backups-bucket");
    assert.equal(bucket.inputs.bucket, "velero-consumer-backups");
    const names = resources
      .filter((r) => r.type === "kubernetes:velero.io/v1:Schedule")
      .map((r) => (r.inputs.metadata as { name: string }).name)
      .sort();
    assert.deepEqual([...(outputs.scheduleNames as string[])].sort(), names);
    assert.equal(outputs.bucket, "velero-consumer-backups");
  });
});
