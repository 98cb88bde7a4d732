import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { exampleSourceOutputs } from "../support/examples";
import { stackFileConfig } from "../support/harness";

/**
 * Each stack loads only the code of its role and cloud: an Azure source does not load the AWS
 * provider nor the AWS components, an AWS source nothing of Azure, a destination none of the
 * source's storage, identity-per-cloud and alerting code (and a source none of the restore chain).
 * Every module load costs evaluation time on each `pulumi preview`/`up` (docs/PERFORMANCE.md).
 *
 * Each example runs under the mocks in a fresh process, as the bench runs it (the program's
 * modules must not be in this process's cache already), and reports which of these were loaded.
 */

const ROOT = path.join(__dirname, "..", "..");
const own = (f: string) => path.join(ROOT, f);

const AWS = [
  "@pulumi/aws/s3",
  "@pulumi/aws/iam",
  "@pulumi/aws/eks",
  "@pulumi/aws/provider",
  "@pulumi/aws/sns",
];
const AZURE = [
  "@pulumi/azure-native/storage",
  "@pulumi/azure-native/monitor",
  "@pulumi/azure-native/containerservice",
  "@pulumi/azure-native/authorization",
  "@pulumi/azuread",
];
// Each backend's source part, and the EKS target's lookup (AWS only).
const SOURCE_AWS = [
  own("components/backends/aws/source.ts"),
  own("components/storage/aws-backup-storage.ts"),
  own("components/identity/eks-access.ts"),
];
const SOURCE_AZURE = [
  own("components/backends/azure/source.ts"),
  own("components/storage/azure-backup-storage.ts"),
];
const SOURCE_ONLY = [
  own("stacks/source.ts"),
  own("stacks/source-common.ts"),
  own("components/apps/app-preparation.ts"),
];
const DESTINATION_ONLY = [
  own("stacks/destination.ts"),
  own("components/backends/azure/destination.ts"),
  own("components/restore/restore-chain.ts"),
  own("components/config/destination-schema.ts"),
];
const S3COMPAT_SOURCE = [own("components/backends/s3compat/source.ts")];
const S3COMPAT_DESTINATION = [own("components/backends/s3compat/destination.ts")];
const CANDIDATES = [
  ...AWS,
  ...AZURE,
  ...SOURCE_AWS,
  ...SOURCE_AZURE,
  ...SOURCE_ONLY,
  ...DESTINATION_ONLY,
  ...S3COMPAT_SOURCE,
  ...S3COMPAT_DESTINATION,
];

function loadedBy(stack: string, sourceOutputs?: Record<string, unknown>): string[] {
  const r = spawnSync(
    process.execPath,
    [
      "-r",
      own("tools/bench/pulumi-register.js"),
      own("tools/bench/eval-child.ts"),
      // The config as the Pulumi CLI hands it over (parsed from the stack file by the caller).
      JSON.stringify({
        mode: "program",
        stack,
        candidates: CANDIDATES,
        sourceOutputs,
        config: stackFileConfig(stack),
      }),
    ],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() as string) as {
    loaded: string[];
    resources: number;
  };
  assert.ok(out.resources > 0, `${stack} registered resources`);
  return out.loaded;
}

describe("stacks load only their role's and cloud's code", function () {
  this.timeout(120000);

  it("an Azure source stack loads nothing of AWS, nor the destination's code", () => {
    const loaded = loadedBy("example-source-azure");
    assert.deepEqual(
      loaded.filter((m) => [...AWS, ...SOURCE_AWS, ...DESTINATION_ONLY].includes(m)),
      [],
    );
    for (const m of [...SOURCE_AZURE, ...SOURCE_ONLY, "@pulumi/azuread"]) assert.ok(loaded.includes(m), m);
  });

  it("an AWS source stack loads nothing of Azure, nor the destination's code", () => {
    const loaded = loadedBy("example-source-aws");
    assert.deepEqual(
      loaded.filter((m) => [...AZURE, ...SOURCE_AZURE, ...DESTINATION_ONLY].includes(m)),
      [],
    );
    for (const m of [...SOURCE_AWS, ...SOURCE_ONLY, "@pulumi/aws/s3"]) assert.ok(loaded.includes(m), m);
  });

  it("an s3compat source stack loads no cloud SDK at all (only Kubernetes), nor the destination's code", () => {
    const loaded = loadedBy("example-source-s3compat");
    assert.deepEqual(
      loaded.filter((m) =>
        [
          ...AWS,
          ...AZURE,
          ...SOURCE_AWS,
          ...SOURCE_AZURE,
          ...DESTINATION_ONLY,
          ...S3COMPAT_DESTINATION,
        ].includes(m),
      ),
      [],
    );
    for (const m of [...S3COMPAT_SOURCE, ...SOURCE_ONLY]) assert.ok(loaded.includes(m), m);
  });

  it("an s3compat destination stack loads no cloud SDK, nor the Azure backend's nor the source's code", async () => {
    const loaded = loadedBy(
      "example-destination-s3compat",
      await exampleSourceOutputs("example-source-s3compat"),
    );
    assert.deepEqual(
      loaded.filter((m) =>
        [
          ...AWS,
          ...AZURE,
          ...SOURCE_AWS,
          ...SOURCE_AZURE,
          ...SOURCE_ONLY,
          ...S3COMPAT_SOURCE,
          own("components/backends/azure/destination.ts"),
        ].includes(m),
      ),
      [],
    );
    for (const m of [
      ...S3COMPAT_DESTINATION,
      own("stacks/destination.ts"),
      own("components/restore/restore-chain.ts"),
    ]) {
      assert.ok(loaded.includes(m), m);
    }
  });

  it("a destination stack loads none of the source's code, nor AWS", async () => {
    const loaded = loadedBy("example-destination-azure", await exampleSourceOutputs());
    assert.deepEqual(
      loaded.filter((m) =>
        [
          ...AWS,
          ...SOURCE_AWS,
          ...SOURCE_AZURE,
          ...SOURCE_ONLY,
          ...S3COMPAT_SOURCE,
          ...S3COMPAT_DESTINATION,
        ].includes(m),
      ),
      [],
    );
    for (const m of [...DESTINATION_ONLY, "@pulumi/azure-native/containerservice"]) {
      assert.ok(loaded.includes(m), m);
    }
  });
});
