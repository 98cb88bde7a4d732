import { strict as assert } from "assert";
import { readStackFile } from "../../components/config/stack-file";
import { validateStackConfig } from "../../stacks/config";
import { ONPREM, plainOccurrences, Registered, resolve, RunResult, secretPaths } from "../support/harness";
import { exampleSourceOutputs, runDestination } from "../support/examples";
import { runbook } from "../support/runbook";
import { ancestors } from "../../tools/bench/graph";
import { buildGraph } from "../../tools/bench/recorded";

const STACK = "example-destination-s3compat";

/**
 * A destination restoring from an S3-compatible store (example-destination-s3compat under mocks,
 * its StackReference answered by example-source-s3compat): the store and bucket from the source's
 * outputs, the BSL ReadOnly until promotion, the destination's own key pair as a secret, no
 * snapshot location, no Azure settings and nothing of any cloud.
 */
describe("destination stack on an S3-compatible store (example-destination-s3compat under mocks)", () => {
  let run: RunResult;
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);
  const deps = (r: Registered) => run.recorder.dependencyNames(r);
  const step = (id: string) => one("command:local:Command", `restore-${id}`);

  before(async () => {
    run = await runDestination(STACK);
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
  });

  it("validates without an azure section: the store's settings come from the source stack", () => {
    const cfg = validateStackConfig(readStackFile(STACK));
    assert.equal(cfg.role, "destination");
    assert.equal(cfg.cloud, "s3compat");
    assert.equal((cfg as unknown as Record<string, unknown>).azure, undefined);
    assert.equal(
      (cfg as unknown as Record<string, unknown>).s3compatCredentials,
      undefined,
      "no secret in the plain config",
    );
  });

  it("registers nothing of a cloud: the cluster by kubeconfig, Velero, the chain, the schedules", () => {
    const types = [...new Set(run.recorder.resources.map((r) => r.type))];
    assert.deepEqual(
      types.filter(
        (t) =>
          !/^(kubernetes:|pulumi:providers:kubernetes$|command:local:|velero-dr:|pulumi:pulumi:StackReference$)/.test(
            t,
          ),
      ),
      [],
    );
    assert.equal(
      one("pulumi:pulumi:StackReference").inputs.name,
      "organization/velero-dr/example-source-s3compat",
    );
  });

  it("installs Velero with the source's plugin and store, the BSL ReadOnly, no snapshot location", () => {
    const r = one("kubernetes:helm.sh/v3:Release").inputs;
    assert.equal(r.version, "3.1.6");
    assert.equal(r.values.image.tag, "v1.10.3");
    assert.equal(r.values.initContainers[0].image, "velero/velero-plugin-for-aws:v1.6.2");
    assert.equal(r.values.configuration.provider, "aws");
    const bsl = r.values.configuration.backupStorageLocation;
    assert.equal(bsl.accessMode, "ReadOnly");
    assert.equal(bsl.bucket, "dash-backups");
    assert.equal(bsl.prefix, "dash-enterprise");
    assert.deepEqual(bsl.config, {
      region: "us-east-1",
      s3ForcePathStyle: "true",
      s3Url: "https://minio.backup.example.com:9000",
    });
    assert.equal(r.values.snapshotsEnabled, false);
    assert.equal(r.values.configuration.volumeSnapshotLocation, undefined);
  });

  it("gives Velero the destination's own key pair as a secret, never in plain text", async () => {
    const secret = one("kubernetes:core/v1:Secret", "velero-credentials");
    assert.match(
      secret.inputs.stringData.cloud,
      /^\[default\]\naws_access_key_id=.+\naws_secret_access_key=.+\n$/,
    );
    assert.ok(secretPaths(secret.raw).some((p) => p.startsWith("stringData")));
    for (const r of run.recorder.resources) {
      assert.deepEqual(plainOccurrences(r.raw, ONPREM.secretAccessKey), [], `${r.type} ${r.name}`);
    }
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    assert.ok(!JSON.stringify(value).includes(ONPREM.secretAccessKey));
  });

  it("temporary credentials (a rehearsal's read-only key from an STS): the session token reaches Velero's credentials file, as a secret", async () => {
    const token = "FwoGZXIvYXdzEXAMPLEsessionTOKEN0123456789";
    const temp = await runDestination(
      STACK,
      (c) => {
        c["velero-dr:s3compatCredentials"] = JSON.stringify({
          accessKeyId: "ASIAEXAMPLETEMP",
          secretAccessKey: "temporary-secret-key-1",
          sessionToken: token,
        });
      },
      ["s3compatCredentials"],
    );
    if (temp.error) throw temp.error;
    const secret = temp.recorder.one("kubernetes:core/v1:Secret", "velero-credentials");
    assert.equal(
      secret.inputs.stringData.cloud,
      `[default]\naws_access_key_id=ASIAEXAMPLETEMP\naws_secret_access_key=temporary-secret-key-1\naws_session_token=${token}\n`,
    );
    for (const r of temp.recorder.resources) {
      assert.deepEqual(plainOccurrences(r.raw, token), [], `${r.type} ${r.name}`);
    }
  });

  it("installs nothing before the guard; the location's wait and the restore wait for no grant (there is none)", () => {
    const guard = "restore-guard-different-cluster";
    assert.ok(deps(one("velero-dr:velero:VeleroInstall")).includes(guard));
    const g = buildGraph(run.recorder.resources);
    for (const n of Object.values(g.nodes).filter((x) => x.type.startsWith("kubernetes:") && !x.read)) {
      assert.ok(
        ancestors(g.needs, n.key).has(`command:local:Command::${guard}`),
        `${n.key} waits for the guard`,
      );
    }
    assert.ok(deps(step("wait-bsl-available")).includes("velero-release"));
    assert.equal(
      step("guard-different-cluster").inputs.environment.SOURCE_API_SERVER,
      ONPREM.sourceApiServer,
    );
    assert.ok(deps(step("restore")).includes("restore-wait-backup"));
  });

  it("cuts DNS over with RFC 2136, the TSIG secret a secret", () => {
    const publish = step("dns-publish");
    assert.equal(publish.inputs.environment.DNS_SERVER, "ns1.example.com");
    assert.equal(publish.inputs.environment.DNS_TSIG_KEY_NAME, "velero-dr.");
    assert.ok(secretPaths(publish.raw).some((p) => p.startsWith("environment")));
  });

  it("creates the destination's schedules after the health check, without a snapshot location", () => {
    const schedule = one("kubernetes:velero.io/v1:Schedule");
    assert.equal(schedule.inputs.spec.template.snapshotVolumes, false);
    assert.equal(schedule.inputs.spec.template.volumeSnapshotLocations, undefined);
    assert.ok(
      ancestors(buildGraph(run.recorder.resources).needs, run.recorder.urnOf(schedule)).has(
        "command:local:Command::restore-dash-health",
      ),
    );
  });

  it("prints its runbook offline (npm run runbook), the secrets not needed", () => {
    const r = runbook(STACK);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Remove dash\.example\.com from DNS \(RFC 2136\)/);
    assert.match(r.stdout, /stack `organization\/velero-dr\/example-source-s3compat`/);
  });

  it("refuses a source stack that backs up elsewhere (its outputs name another cloud)", async () => {
    const azure = await exampleSourceOutputs("example-source-azure");
    const r = await runDestination(STACK, () => undefined, [], { sourceOutputs: azure });
    assert.match(
      r.asyncErrors.map((e) => e.message).join("\n"),
      /stack organization\/velero-dr\/example-source-s3compat backs up to azure storage, but this destination restores from s3compat/,
    );
    assert.equal(r.recorder.byType("kubernetes:helm.sh/v3:Release").length, 0, "Velero is not installed");
  });

  it("reads the store from outputs typed in as well (the source's state lost)", async () => {
    const outputs = await exampleSourceOutputs("example-source-s3compat");
    const edited = await runDestination(STACK, (c) => {
      c["velero-dr:source"] = JSON.stringify({
        outputs: {
          ...outputs,
          s3compat: { ...(outputs.s3compat as object), endpoint: "https://minio.site-b.example.com" },
        },
      });
    });
    if (edited.error) throw edited.error;
    const bsl = edited.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values.configuration
      .backupStorageLocation;
    assert.equal(bsl.config.s3Url, "https://minio.site-b.example.com");
    assert.equal(bsl.accessMode, "ReadOnly");
  });
});
