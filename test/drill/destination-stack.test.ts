import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, rmSync, statSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { s3compatDestinationLocations } from "../../components/backends/s3compat";
import { readStackFile } from "../../components/config/stack-file";
import { validateStackConfig } from "../../stacks/config";
import { buildRestoreChain } from "../../components/restore/chain";
import { DrillTarget, DrillWorld } from "../../drill/scenario";
import { AppDrill } from "../../drill/app-kit/app-drill";
import { DESTINATION_PORTS, LocalCluster, SOURCE_PORTS } from "../../drill/lib/kube";
import { drillBslConfig } from "../../drill/lib/velero";
import { dashEnterpriseApp } from "../../apps/dash-enterprise";
import { CodedxDrill } from "../../apps/codedx/drill";
import { NebariDrill } from "../../apps/nebari/drill";
import { EdaDrill } from "../../apps/eda/drill";
import type { SourceOutputs } from "../../components/config/destination-schema";
import { fakeKubeconfig } from "../support/harness";

/**
 * The drill's chain input comes the product's way (issue #14, item 5): the destination stack config
 * a user would write (cloud s3compat on the drill's MinIO, a kubeconfig, RFC 2136 on its BIND, the
 * app and its settings) is written as a real stack file, read back, validated and turned into the
 * chain input by destinationChainInput, as the stack and the runbook do. No process is started here.
 */

const DASH: DrillTarget = {
  definition: dashEnterpriseApp,
  app: { builderTimeoutMinutes: 15 },
  schedule: "dash-daily",
  baseDomain: "dash.example.com",
};

const dirs: string[] = [];

function world(pluginVersion = "v1.14.3"): DrillWorld {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "velero-dr-drill-stack-"));
  dirs.push(workDir);
  const w = new DrillWorld({
    bin: "/nonexistent",
    plugins: "/nonexistent",
    pluginVersion,
    workDir,
    log: () => {},
  });
  w.source = new LocalCluster("source", SOURCE_PORTS, workDir, "/nonexistent", w.procs);
  w.sourceUid = "5f0c1d2e-3b4a-4c5d-8e6f-708192a3b4c5";
  w.dest = new LocalCluster("destination", DESTINATION_PORTS, workDir, "/nonexistent", w.procs);
  w.dest.kubeconfig = fakeKubeconfig(w.dest.server);
  return w;
}

describe("the drill's destination stack (its chain input through the stack config path)", () => {
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  it("writes a real stack file, secrets beside it (mode 600), none of them in the YAML", () => {
    const w = world();
    const f = w.writeDestinationStack(DASH);
    assert.equal(f.file, path.join(w.o.workDir, "stacks", "Pulumi.drill-destination.yaml"));
    const text = readFileSync(f.file, "utf8");
    const config = (parseYaml(text) as { config: Record<string, any> }).config;
    assert.equal(config["velero-dr:role"], "destination");
    assert.equal(config["velero-dr:cloud"], "s3compat");
    assert.equal(config["velero-dr:profile"], "dash-enterprise");
    assert.deepEqual(config["velero-dr:app"], { builderTimeoutMinutes: 15 });
    assert.equal(config["velero-dr:source"].outputs.s3compat.endpoint, "http://127.0.0.1:9000");
    assert.equal(config["velero-dr:source"].outputs.cluster.apiServer, "https://127.0.0.1:6443");
    assert.equal(config["velero-dr:dns"].rfc2136.port, 5353);
    for (const k of ["kubeconfig", "s3compatCredentials", "dnsTsigSecret"]) {
      assert.equal(config[`velero-dr:${k}`], undefined, k);
      assert.match(text, new RegExp(`#\\s+velero-dr:${k}`), `the header names ${k}`);
    }
    for (const secret of [w.minio.secretKey, w.bind.secret]) assert.ok(!text.includes(secret));
    assert.equal(statSync(f.secretsFile).mode & 0o777, 0o600);
    const secrets = JSON.parse(readFileSync(f.secretsFile, "utf8"));
    assert.equal(secrets.dnsTsigSecret, w.bind.secret);
    assert.deepEqual(secrets.s3compatCredentials, {
      accessKeyId: "velerodr",
      secretAccessKey: w.minio.secretKey,
    });
  });

  it("validates as the product validates it (validateStackConfig) and yields the drill's chain input", () => {
    const w = world();
    const chain = w.chainInputFor(DASH);
    assert.deepEqual(chain.dns, {
      provider: "rfc2136",
      baseDomain: "dash.example.com",
      zone: "example.com",
      ttlSeconds: 2,
      recordPrefixes: ["api", "ws", "git", "registry", "auth", "admin"],
      server: "127.0.0.1",
      port: 5353,
      keyName: "velero-dr-drill.",
      keyAlgorithm: "hmac-sha256",
    });
    assert.deepEqual(chain.timeouts, {
      bslSeconds: 600,
      backupSyncSeconds: 120,
      restoreSeconds: 600,
      loadBalancerSeconds: 900,
      healthSeconds: 120,
    });
    assert.deepEqual(chain.backup, { name: undefined, schedule: "dash-daily" });
    assert.equal(chain.sourceApiServer, "https://127.0.0.1:6443");
    assert.equal(chain.sourceClusterUid, "5f0c1d2e-3b4a-4c5d-8e6f-708192a3b4c5");
    assert.equal(chain.veleroNamespace, "velero");
    assert.equal(chain.bslName, "default");
    assert.equal(chain.promoteToPrimary, true);
    // The file it wrote is what the product reads: the full registry gives the same config.
    const f = path.join(w.o.workDir, "stacks");
    const input = readStackFile("drill-destination", f);
    const secrets = JSON.parse(readFileSync(path.join(f, "Pulumi.drill-destination.secrets.json"), "utf8"));
    const cfg = validateStackConfig({
      ...input,
      values: { ...input.values, ...secrets },
      secretKeys: [...input.secretKeys, ...Object.keys(secrets)],
    });
    assert.equal(cfg.role, "destination");
    assert.deepEqual(cfg.role === "destination" && cfg.dns, chain.dns);
  });

  it("takes changes as config edits: the gate confirmed, a named backup", () => {
    const w = world();
    const env = (edits: Record<string, unknown>) => buildRestoreChain(w.chainInputFor(DASH, edits)).env;
    assert.equal(env({}).KOTS_CONFIRMED, "false");
    assert.equal(env({ app: { kotsRedeployed: true } }).KOTS_CONFIRMED, "true");
    assert.equal(
      env({ app: { kotsRedeployed: true } }).BUILDER_TIMEOUT_SECONDS,
      "900",
      "the drill's app settings stay",
    );
    const named = w.chainInputFor(DASH, { backup: { name: "dash-daily-20261120000000" } });
    assert.deepEqual(named.backup, { name: "dash-daily-20261120000000", schedule: undefined });
  });

  it("is refused like any stack config: a bad value names its key", () => {
    const w = world();
    assert.throws(
      () =>
        w.chainInputFor(DASH, {
          dns: { provider: "rfc2136", baseDomain: "dash.example.com", zone: "example.com", ttlSeconds: 0 },
        }),
      /velero-dr:dns\.ttlSeconds: got 0; expected a whole number of seconds between 1 and 86400/,
    );
  });

  it("runs Velero on the same store settings the stack's s3compat backend reads from the source's outputs", () => {
    for (const plugin of ["v1.14.3", "v1.6.2"]) {
      const w = world(plugin);
      const outputs = w.sourceOutputs(DASH) as unknown as SourceOutputs;
      assert.deepEqual(s3compatDestinationLocations(outputs).bsl.config, drillBslConfig(w.minio, plugin));
      assert.equal(s3compatDestinationLocations(outputs).vsl, undefined);
      // Plugin v1.10+ gets checksumAlgorithm "" (MinIO refuses aws-chunked checksums); v1.6.x never
      // sees the key.
      assert.equal("checksumAlgorithm" in drillBslConfig(w.minio, plugin), plugin === "v1.14.3");
      w.chainInputFor(DASH);
    }
  });

  it("validates for every app's drill fixture, its settings as the fixture holds them", () => {
    const drills: AppDrill[] = [new CodedxDrill(), new NebariDrill(), new EdaDrill()];
    for (const d of drills) {
      const w = world();
      const chain = w.chainInputFor({
        definition: d.definition,
        app: d.appConfig,
        schedule: d.profile.schedules[0].name,
        baseDomain: d.baseDomain,
      });
      assert.equal(chain.app.name, d.app);
      assert.deepEqual(chain.app.profile, d.profile);
    }
  });
});
