import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  drillChart,
  drillWorkspace,
  engineCliRoot,
  initSourceStack,
  initStack,
  output,
  upWithVelero,
} from "../../../drill/engine-stacks";
import { EngineWorkspace } from "../../../drill/engine/workspace";
import { toolchain } from "../../../drill/lib/toolchain";
import { LocalCluster } from "../../../drill/lib/kube";
import { BUCKET, NAMESPACE } from "../../../drill/lib/velero";
import { NEW_LB, OLD_LB } from "../../../drill/scenario";
import { DriveResult, rehearse } from "../../../tools/automation/driver";
import { automationEngine } from "../../../tools/automation/engine";
import { Progress } from "../../../tools/automation/progress";
import { dashEnterprise } from "../profile";
import { BASE_DOMAIN, DashWorld, SCHEDULE } from "../drill/scenario";
import { PS } from "../drill/fixture";

const SOURCE = "drill-source";
const REHEARSAL = "drill-rehearsal";

/**
 * A rehearsal, drilled: production keeps running while `npm run rehearse`'s driver (Pulumi's
 * Automation API on the real engine) restores Dash Enterprise on a second cluster, with a key that
 * may only read the backups, then destroys the rehearsal. Production must not see it: its DNS, its
 * location and the bucket (every object version) are as they were.
 *
 * One drill limit: Velero 1.10.3 binds its controller metrics on :8080 whatever its flags, so two
 * servers cannot run on one machine; the source's server is stopped while the rehearsal's runs (the
 * source cluster and its app keep serving) and started again afterwards.
 */
describe("rehearsal: Dash Enterprise rehearsed on a second cluster while production serves", function () {
  this.timeout(30 * 60 * 1000);
  let w: DashWorld;
  let ws: EngineWorkspace;
  let source: LocalCluster;
  let result: DriveResult;
  let versionsBefore: string[] = [];
  let sourceBslBefore = "";
  const log: string[] = [];
  const said: string[] = [];
  let dnsBefore = "";
  let reportRun: ReturnType<typeof spawnSync> | undefined;
  let reportJson = "";
  let destroyed: { ok: boolean; message?: string } | undefined;

  const dig = (name: string) =>
    spawnSync("dig", ["+short", "-p", String(w.bind.port), "@127.0.0.1", name, "A"], {
      encoding: "utf8",
    }).stdout.trim();
  const bsl = (c: LocalCluster) => {
    const b = c.getJson(["-n", NAMESPACE, "get", "bsl", "default"]);
    return JSON.stringify({ spec: b.spec, generation: b.metadata.generation });
  };

  before(async () => {
    const workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `rehearsal-${Date.now()}`,
    );
    fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
    w = new DashWorld({ ...toolchain(), workDir, log: (l) => log.push(l) });
    await w.startServices();
    // Every version of every object is kept: a write of any kind shows in the listing.
    await w.minio.enableVersioning(BUCKET);
    await w.startSource();
    w.installFixture();
    source = w.source as LocalCluster;
    const chartPath = drillChart(w);
    ws = drillWorkspace(w, path.join(workDir, "engine"));
    initSourceStack(ws, w, SOURCE, {
      profile: dashEnterprise.name,
      schedules: [{ name: SCHEDULE, cron: "0 0 * * *", ttl: "720h" }],
      chartPath,
    });
    const up = await upWithVelero(ws, w, SOURCE, source, "velero-source");
    assert.equal(up.code, 0, output(up));
    w.backupName = source.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items[0].metadata.name;
    // The drill's limit (above): production's Velero server pauses; its cluster and app serve on.
    await w.velero.stop("velero-source");

    versionsBefore = await w.minio.listVersions(BUCKET);
    sourceBslBefore = bsl(source);
    dnsBefore = dig(BASE_DOMAIN);

    const dest = await w.startDestinationCluster("rehearsal");
    // What a team gives a rehearsal: temporary credentials that may only read the bucket.
    const readOnly = await w.minio.readOnlyCredentials(BUCKET);
    const { values, secrets } = w.destinationConfig(w.target, {
      mode: "rehearsal",
      s3compat: { readOnlyCredentials: true },
      rehearsal: { objectives: { rtoMinutes: 30, rpoHours: 24 } },
    });
    delete values.dns;
    delete secrets.dnsTsigSecret;
    values.restore = { ...(values.restore as Record<string, unknown>), promoteToPrimary: undefined };
    values.source = { stack: `organization/velero-dr/${SOURCE}` };
    values.velero = { namespace: NAMESPACE, chartPath, helmTimeoutSeconds: 300 };
    initStack(ws, REHEARSAL, JSON.parse(JSON.stringify(values)), {
      ...secrets,
      s3compatCredentials: readOnly,
    });

    // npm run rehearse's driver on the drill's engine; the rehearsal's Velero server plays the pod
    // as deployed (the credentials from its Secret, its log for `kubectl logs`).
    const engine = await automationEngine({
      stack: REHEARSAL,
      workDir: ws.project,
      env: { ...(ws.env as Record<string, string>), PULUMI_IGNORE_AMBIENT_PLUGINS: "true" },
      cliRoot: engineCliRoot(ws),
    });
    let done = false;
    const server = w.velero.startWhenDeployed("velero-rehearsal", dest, w.minio, {
      stopped: () => done,
      asDeployed: true,
    });
    try {
      result = await rehearse({
        stack: REHEARSAL,
        engine,
        io: { say: (l) => said.push(l), now: () => new Date() },
        outDir: path.join(workDir, "reports"),
        gateCommands: {
          // The KOTS redeploy of the rehearsal's own cluster (the drill's KOTS stand-in).
          "app.kotsRedeployed": async () => (w.operatorRedeploys(), true),
        },
        // Kept for `npm run report` (a separate process, below); destroyed by the driver's engine then.
        keep: true,
      });
      // `npm run report` as a user runs it: its own process, the Pulumi CLI found on PATH.
      reportRun = spawnSync(
        "npm",
        [
          "run",
          "--silent",
          "report",
          "--",
          REHEARSAL,
          "--cwd",
          ws.project,
          "--out",
          path.join(workDir, "report-cli"),
        ],
        {
          cwd: path.resolve(__dirname, "../../.."),
          encoding: "utf8",
          env: { ...ws.env, PATH: `${ws.tools.bin}:${ws.env.PATH}`, PULUMI_IGNORE_AMBIENT_PLUGINS: "true" },
          timeout: 5 * 60_000,
        },
      );
      reportJson = path.join(workDir, "report-cli", `${REHEARSAL}.json`);
      destroyed = await engine.destroy(new Progress({ say: (l) => said.push(l), now: () => new Date() }, []));
    } finally {
      done = true;
      await server.catch(() => undefined);
      await w.velero.stop("velero-rehearsal");
    }
  });

  after(async () => {
    ws?.killStrays();
    await w?.stopAll();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`${said.join("\n")}\n${log.join("\n")}`);
  });

  it("the rehearsal recovers: every step passed, health green, within its objectives (exit 0)", () => {
    assert.equal(result.exitCode, 0, said.join("\n"));
    const r = result.report;
    assert.equal(r?.mode, "rehearsal");
    assert.equal(r?.health, "green");
    assert.ok(
      r?.steps.every((s) => s.status === "succeeded" && s.start && s.end),
      JSON.stringify(r?.steps),
    );
    assert.ok(r?.steps.some((s) => s.id === "entry-point-served"));
  });

  it("the report shows RTO, RPO, the backup and the Restore, and each step's own times (Markdown with a Gantt chart, JSON)", () => {
    const r = result.report;
    assert.ok((r?.rtoSeconds ?? 0) > 0);
    assert.ok((r?.rpoSeconds ?? -1) >= 0);
    assert.equal(r?.backup?.name, w.backupName);
    assert.equal(r?.restores.length, 1);
    const md = fs.readFileSync(result.files?.markdown as string, "utf8");
    assert.match(md, /^# Rehearsal report: drill-rehearsal/);
    assert.match(md, /```mermaid\ngantt\n/);
    for (const s of r?.steps ?? []) assert.match(md, new RegExp(`\\| ${s.id}: `));
    assert.deepEqual(
      JSON.parse(fs.readFileSync(result.files?.json as string, "utf8")).rtoSeconds,
      r?.rtoSeconds,
    );
  });

  it("nothing was written to the backup storage: every object version is as before (the read-only key was refused)", async () => {
    assert.deepEqual(await w.minio.listVersions(BUCKET), versionsBefore);
    // Velero 1.10.3 did try to upload the restore's log; the key refused it, and the chain knew why.
    assert.equal(result.report?.restores[0].refusedUpload, true);
  });

  it("production is untouched: DNS still answers the source's address, its location is as it was", () => {
    assert.equal(dnsBefore, OLD_LB);
    assert.equal(dig(BASE_DOMAIN), OLD_LB);
    assert.notEqual(dig(BASE_DOMAIN), NEW_LB);
    assert.equal(bsl(source), sourceBslBefore);
    // The source's app still serves at its entry point.
    const svc = source.getJson(["-n", PS, "get", "service", "ingress-nginx-controller"]);
    assert.equal(svc.status.loadBalancer.ingress[0].ip, OLD_LB);
  });

  it("npm run report (its own process, the CLI on PATH) reads the same report from the stack's state", () => {
    assert.equal(reportRun?.status, 0, `${reportRun?.stdout}\n${reportRun?.stderr}`);
    const fromCli = JSON.parse(fs.readFileSync(reportJson, "utf8"));
    const r = result.report;
    assert.deepEqual(
      fromCli.steps.map((s: { id: string; start: string; end: string }) => [s.id, s.start, s.end]),
      r?.steps.map((s) => [s.id, s.start, s.end]),
    );
    assert.equal(fromCli.rtoSeconds, r?.rtoSeconds);
    assert.equal(fromCli.rpoSeconds, r?.rpoSeconds);
  });

  it("the rehearsal is destroyed afterwards: its stack holds no resources", () => {
    assert.equal(destroyed?.ok, true, destroyed?.message);
    const state = JSON.parse(ws.pulumiSync(["stack", "export", "-s", REHEARSAL]).stdout);
    assert.deepEqual(state.deployment.resources ?? [], []);
  });

  it("production's Velero, started again, finds its location Available and ReadWrite", async () => {
    w.velero.startServer("velero-source", source, w.minio);
    await w.velero.waitAvailable("velero-source", source);
    assert.equal(source.getJson(["-n", NAMESPACE, "get", "bsl", "default"]).spec.accessMode, "ReadWrite");
    await w.velero.stop("velero-source");
  });
});
