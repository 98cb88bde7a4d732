import { strict as assert } from "assert";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { stringify as toYaml } from "yaml";
import { engineToolchain, toolchain } from "../../../drill/lib/toolchain";
import { BUCKET, NAMESPACE } from "../../../drill/lib/velero";
import { veleroChart } from "../../../drill/engine/velero-chart";
import { EngineRun, EngineWorkspace } from "../../../drill/engine/workspace";
import { LocalCluster } from "../../../drill/lib/kube";
import { waitFor } from "../../../drill/lib/procs";
import { dashEnterprise } from "../profile";
import { checkRestore, DashWorld } from "../drill/scenario";

const STACK = "drill-source";
const DEST = "drill-destination";
const DEST_KILL = "drill-destination-killed";

function output(r: EngineRun): string {
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * The source stack under the real Pulumi engine: `pulumi up` of a Dash Enterprise source stack
 * (s3compat on the drill's MinIO, the source cluster by kubeconfig) installs Velero with the
 * program's values (the chart stand-in, drill/engine/velero-chart), its Schedule, checks the
 * location and takes the first backup — with the drill's out-of-cluster Velero server doing what
 * the in-cluster pod does (KWOK runs no containers).
 */
describe("real engine: Dash Enterprise backed up and recovered by pulumi up", function () {
  this.timeout(30 * 60 * 1000);
  let w: DashWorld;
  let ws: EngineWorkspace;
  let up: EngineRun;
  const log: string[] = [];
  let c: LocalCluster;
  let chartPath = "";
  let tools: ReturnType<typeof toolchain>;

  /** A destination stack on the drill's current destination cluster, as an operator sets it up. */
  const initDestination = (stack: string) => {
    const { values, secrets } = w.destinationConfig(w.target);
    values.source = { stack: `organization/velero-dr/${STACK}` };
    values.velero = { namespace: NAMESPACE, chartPath, helmTimeoutSeconds: 300 };
    const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [`velero-dr:${k}`, v]));
    const init = ws.initStack(stack, toYaml({ config }));
    assert.equal(init.code, 0, output(init));
    for (const [k, v] of Object.entries(secrets)) {
      const value = typeof v === "string" ? v : JSON.stringify(v);
      const r = ws.pulumiSync(["config", "set", "--secret", `velero-dr:${k}`, "-s", stack], { input: value });
      assert.equal(r.code, 0, output(r));
    }
  };

  before(async () => {
    const workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `engine-source-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    tools = toolchain();
    w = new DashWorld({ ...tools, workDir, log: (l) => log.push(l) });
    await w.startServices();
    await w.startSource();
    w.installFixture();
    c = w.source as LocalCluster;
    chartPath = veleroChart(workDir, path.join(tools.bin, "velero"));

    ws = new EngineWorkspace(path.join(workDir, "engine"), engineToolchain(), {
      extraPath: [tools.bin],
      // The chain's waits poll every second instead of every 10 s (as the drill's runner does).
      env: { VELERO_DR_POLL_SECONDS: "1" },
    });
    const config = {
      "velero-dr:role": "source",
      "velero-dr:cloud": "s3compat",
      "velero-dr:profile": dashEnterprise.name,
      // The drill's MinIO speaks http on loopback; production stacks must use https.
      "velero-dr:production": false,
      "velero-dr:s3compat": {
        endpoint: w.minio.endpoint,
        bucket: BUCKET,
        region: w.minio.region,
        forcePathStyle: true,
      },
      "velero-dr:velero": {
        namespace: NAMESPACE,
        version: "v1.10.3",
        chartVersion: "3.1.6",
        // The vendor's pin (the default for v1.10.3). The drill's server loads the AWS plugin it can
        // build here in its place (drill/versions.env says why): the stack stays as a user writes it.
        pluginVersion: "v1.6.2",
        chartPath,
        helmTimeoutSeconds: 300,
      },
      "velero-dr:schedules": [{ name: "dash-daily", cron: "0 0 * * *", ttl: "720h" }],
      "velero-dr:firstBackup": true,
    };
    const init = ws.initStack(STACK, toYaml({ config }));
    assert.equal(init.code, 0, output(init));
    const secrets: Record<string, string> = {
      "velero-dr:kubeconfig": c.kubeconfig,
      "velero-dr:s3compatCredentials": JSON.stringify({
        accessKeyId: w.minio.accessKey,
        secretAccessKey: w.minio.secretKey,
      }),
    };
    for (const [k, v] of Object.entries(secrets)) {
      const r = ws.pulumiSync(["config", "set", "--secret", k, "-s", STACK], { input: v });
      assert.equal(r.code, 0, output(r));
    }
    // The drill's Velero server plays the in-cluster pod: it starts once the stack's Deployment
    // has a ready pod, and finds the location the chart creates as the pod would.
    let done = false;
    const server = w.velero.startWhenDeployed("velero-source", c, w.minio, { stopped: () => done });
    up = await ws.pulumi(["up", "--yes", "-s", STACK]);
    done = true;
    await server;
  });

  after(async () => {
    await w?.stopAll();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`${output(up)}\n${log.join("\n")}`);
  });

  it("pulumi up succeeds: Velero from the chart with the program's values, Available on the store", () => {
    assert.equal(up.code, 0, output(up));
    const d = c.getJson(["-n", NAMESPACE, "get", "deployment", "velero"]);
    const pod = d.spec.template.spec;
    assert.equal(pod.containers[0].image, "velero/velero:v1.10.3");
    assert.deepEqual(
      pod.initContainers.map((i: { image: string }) => i.image),
      ["velero/velero-plugin-for-aws:v1.6.2"],
    );
    const bsl = c.getJson(["-n", NAMESPACE, "get", "bsl", "default"]);
    assert.equal(bsl.spec.accessMode, "ReadWrite");
    assert.equal(bsl.spec.objectStorage.bucket, BUCKET);
    assert.equal(bsl.spec.config.s3Url, w.minio.endpoint);
    assert.equal(bsl.status.phase, "Available");
  });

  it("the profile's Schedule exists and the first backup completed, its objects in the store", () => {
    const schedules = c.getJson(["-n", NAMESPACE, "get", "schedules.velero.io"]).items;
    assert.deepEqual(
      schedules.map((s: { metadata: { name: string } }) => s.metadata.name),
      ["dash-daily"],
    );
    assert.deepEqual(schedules[0].spec.template.includedNamespaces, dashEnterprise.namespaces);
    const backups = c.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items;
    assert.equal(backups.length, 1, JSON.stringify(backups.map((b: { metadata: unknown }) => b.metadata)));
    assert.equal(backups[0].status.phase, "Completed");
    assert.equal(backups[0].metadata.labels["velero.io/schedule-name"], "dash-daily");
  });

  it("a second pulumi up changes nothing and takes no second backup", () => {
    const again = ws.pulumiSync(["up", "--yes", "-s", STACK]);
    assert.equal(again.code, 0, output(again));
    assert.doesNotMatch(again.stdout, /\b(created|updated|replaced|deleted)\b.*command:local:Command/);
    const backups = c.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items;
    assert.equal(backups.length, 1);
  });
  it("the source is lost; pulumi up of a destination stack (StackReference to the source) stops at the KOTS gate", async () => {
    w.backupName = c.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items[0].metadata.name;
    await w.loseSource();
    const d = await w.startDestinationCluster("destination");
    initDestination(DEST);
    let done = false;
    const server = w.velero.startWhenDeployed("velero-destination", d, w.minio, { stopped: () => done });
    up = await ws.pulumi(["up", "--yes", "-s", DEST]);
    done = true;
    await server;
    assert.notEqual(up.code, 0, "the update must stop at the gate");
    assert.match(output(up), /kotsRedeployed/);
    const restores = d.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
    assert.equal(restores.length, 1);
    assert.equal(restores[0].status.phase, "Completed");
  });

  it("after the operator's redeploy and the config flag, pulumi up again finishes the recovery; every check passes", async () => {
    w.operatorRedeploys();
    const set = ws.pulumiSync([
      "config",
      "set",
      "--path",
      "velero-dr:app.kotsRedeployed",
      "true",
      "-s",
      DEST,
    ]);
    assert.equal(set.code, 0, output(set));
    up = await ws.pulumi(["up", "--yes", "-s", DEST]);
    assert.equal(up.code, 0, output(up));
    const d = w.dest as LocalCluster;
    assert.equal(d.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items.length, 1, "restored twice");
    for (const check of await checkRestore(w)) assert.ok(check.ok, `${check.name}: ${check.detail}`);
  });
  it("pulumi up killed (SIGKILL) during the restore: pulumi cancel, then pulumi up follows the same Restore to the gate", async () => {
    await w.stopDestination("destination");
    const d = await w.startDestinationCluster("destination-kill");
    initDestination(DEST_KILL);
    let done = false;
    const server = w.velero.startWhenDeployed("velero-destination-kill", d, w.minio, { stopped: () => done });
    let kill: ((s: NodeJS.Signals) => void) | undefined;
    let restoring = false;
    const run = ws.pulumi(["up", "--yes", "-s", DEST_KILL], (line, k) => {
      kill = k;
      if (/command:local:Command\s+restore-restore\s+creating/.test(line)) restoring = true;
    });
    const restores = () => d.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
    await waitFor(
      "the restore step created its Restore",
      () => restoring && restores().length > 0,
      15 * 60_000,
      500,
    );
    kill?.("SIGKILL");
    up = await run;
    done = true;
    await server;
    assert.equal(up.signal, "SIGKILL");
    // The recovery README describes: the killed CLI left its lock (a DIY backend's lock file, a
    // Pulumi Cloud update in progress); `pulumi cancel` removes it, then `pulumi up` again.
    const locked = ws.pulumiSync(["up", "--yes", "-s", DEST_KILL]);
    assert.notEqual(locked.code, 0);
    assert.match(output(locked), /currently locked/);
    const cancel = ws.pulumiSync(["cancel", "--yes", "-s", DEST_KILL]);
    assert.equal(cancel.code, 0, output(cancel));
    up = await ws.pulumi(["up", "--yes", "-s", DEST_KILL]);
    assert.match(output(up), /pending operations/);
    assert.notEqual(up.code, 0, "runs on to the KOTS gate");
    assert.match(output(up), /kotsRedeployed/);
    const after = restores();
    assert.equal(after.length, 1, "a second Velero restore was created");
    assert.equal(after[0].status.phase, "Completed");
  });
});
