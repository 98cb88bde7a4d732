import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { dashEnterprise } from "../profile";
import { buildRestoreChain } from "../../../components/restore/chain";
import {
  drillChart,
  drillWorkspace,
  initDestinationStack,
  initSourceStack,
  output,
  policyPreview,
  upWithVelero,
} from "../../../drill/engine-stacks";
import { EngineRun } from "../../../drill/engine/workspace";
import { LocalCluster } from "../../../drill/lib/kube";
import { NAMESPACE } from "../../../drill/lib/velero";
import {
  Check,
  DrillOptions,
  DrillReport,
  newDrillReport,
  EngineReport,
  printSummary,
  veleroRestoreSeconds,
} from "../../../drill/scenario";
import { checkRestore, DashWorld, SCHEDULE } from "./scenario";

/**
 * `npm run drill`: Dash Enterprise backed up and recovered by the real Pulumi engine, as a platform
 * team does it. `pulumi preview --policy-pack` and `pulumi up` of a source stack on the source
 * cluster; the disaster (the cluster is lost; its backups in MinIO are all there is); a destination
 * stack (StackReference to the source stack) previewed with the policy pack and brought up: it
 * stops at the KOTS gate; the operator redeploys, sets `app.kotsRedeployed` and runs `pulumi up`
 * again. Then the drill's result checks, and for comparison the same chain by the drill's own
 * runner on a second new cluster (the engine's overhead). A deliberately broken destination
 * (drill/engine/broken-destination) must be refused by the real policy analyzer.
 */

const SOURCE = "drill-source";
const DEST = "drill-destination";
const BROKEN = "drill-destination-broken";
const REPO = path.resolve(__dirname, "../../..");

/** The project's Pulumi.yaml with the deliberately broken destination program as its entry point. */
function brokenProjectYaml(): string {
  const project = parseYaml(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
  project.main = "drill/engine/broken-destination/index.ts";
  project.runtime.options.tsconfig = "../../../tsconfig.json";
  return toYaml(project);
}

export async function runEngineDrill(o: DrillOptions): Promise<DrillReport> {
  const w = new DashWorld(o);
  const report: DrillReport = newDrillReport(o, w);
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string) => {
    checks.push({ name, ok, detail });
    if (!ok) o.log(`   FAIL ${name}: ${detail ?? ""}`);
  };
  fs.mkdirSync(path.join(o.workDir, "logs"), { recursive: true });
  const logged = (r: EngineRun) => {
    fs.appendFileSync(path.join(o.workDir, "logs", "pulumi.log"), `${output(r)}\n`);
    return r;
  };
  const engine: EngineReport = {
    cli: "",
    sourceUp: { ok: false, seconds: 0 },
    destinationUp: { ok: false, seconds: 0, runs: 0 },
    resumedAfterGate: false,
    policyPackPassed: false,
    brokenStackRefusedBy: [],
    destinationPreviewSeconds: 0,
    engineRtoSeconds: 0,
    runnerRtoSeconds: 0,
    overheadRatio: 0,
  };
  report.engine = engine;
  try {
    await w.phase("start MinIO and BIND on loopback", () => w.startServices());
    await w.phase("start the source cluster", () => w.startSource());
    await w.phase("install the Dash Enterprise fixture", () => w.installFixture());
    const chartPath = drillChart(w);
    const ws = drillWorkspace(w, path.join(o.workDir, "engine"));
    engine.cli = ws.tools.pins.PULUMI_VERSION;
    const c = w.source as LocalCluster;

    initSourceStack(ws, w, SOURCE, {
      profile: dashEnterprise.name,
      schedules: [{ name: SCHEDULE, cron: "0 0 * * *", ttl: "720h" }],
      chartPath,
    });
    const sourcePolicy = await w.phase("pulumi preview --policy-pack of the source stack", () =>
      policyPreview(ws, SOURCE),
    );
    logged(sourcePolicy.run);
    check(
      "policy pack: the source stack's preview passes (no mandatory violation)",
      sourcePolicy.passed,
      sourcePolicy.passed ? undefined : sourcePolicy.mandatory.join(", ") || output(sourcePolicy.run),
    );
    const up = await w.phase(
      "pulumi up of the source stack (Velero, Schedule, location check, first backup)",
      () => upWithVelero(ws, w, SOURCE, c, "velero-source"),
    );
    logged(up);
    engine.sourceUp = { ok: up.code === 0, seconds: up.seconds };
    if (up.code !== 0) throw new Error(`pulumi up of the source stack failed:\n${output(up)}`);
    const velero = c.getJson(["-n", NAMESPACE, "get", "deployment", "velero"]).spec.template.spec;
    const bsl = c.getJson(["-n", NAMESPACE, "get", "bsl", "default"]);
    check(
      "source: Velero v1.10.3 with the AWS plugin v1.6.2 from chart 3.1.6, its location ReadWrite and Available",
      velero.containers[0].image === "velero/velero:v1.10.3" &&
        velero.initContainers?.[0]?.image === "velero/velero-plugin-for-aws:v1.6.2" &&
        bsl.spec.accessMode === "ReadWrite" &&
        bsl.status?.phase === "Available",
      `${velero.containers[0].image}, ${velero.initContainers?.map((i: { image: string }) => i.image)}, ${bsl.spec.accessMode}, ${bsl.status?.phase}`,
    );
    const backups = c.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items;
    const schedules = c.getJson(["-n", NAMESPACE, "get", "schedules.velero.io"]).items;
    check(
      "source: the profile's Schedule exists and the stack's first backup from it Completed",
      schedules.length === 1 &&
        schedules[0].metadata.name === SCHEDULE &&
        backups.length === 1 &&
        backups[0].status.phase === "Completed" &&
        backups[0].metadata.labels["velero.io/schedule-name"] === SCHEDULE,
      `${schedules.map((s: { metadata: { name: string } }) => s.metadata.name)}; ${backups.map((b: { status: { phase: string } }) => b.status.phase)}`,
    );
    const again = logged(
      await w.phase("pulumi up of the source stack again", () => ws.pulumi(["up", "--yes", "-s", SOURCE])),
    );
    const changed = /\b(created|updated|replaced|deleted)\b/.test(
      again.stdout.split(/^Resources:/m)[1] ?? "",
    );
    check(
      "source: a second pulumi up changes nothing and takes no second backup",
      again.code === 0 &&
        !changed &&
        c.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items.length === 1,
      again.stdout.split(/^Resources:/m)[1]?.trim(),
    );
    report.backup = backups[0].metadata.name;
    w.backupName = report.backup;

    const disaster = Date.now();
    o.log(`== DISASTER DECLARED: the source cluster is lost (backup ${report.backup} is all there is)`);
    await w.phase("lose the source cluster", () => w.loseSource());
    const d = await w.phase("start the destination cluster", () => w.startDestinationCluster("destination"));
    initDestinationStack(ws, w, DEST, { source: SOURCE, target: w.target, chartPath });
    const destPolicy = await w.phase("pulumi preview --policy-pack of the destination stack", () =>
      policyPreview(ws, DEST),
    );
    logged(destPolicy.run);
    engine.destinationPreviewSeconds = destPolicy.run.seconds;
    check(
      "policy pack: the destination stack's preview passes (no mandatory violation)",
      destPolicy.passed,
      destPolicy.passed ? undefined : destPolicy.mandatory.join(", ") || output(destPolicy.run),
    );
    engine.policyPackPassed = sourcePolicy.passed && destPolicy.passed;

    const recoveryStart = Date.now();
    const gated = logged(
      await w.phase("pulumi up of the destination stack (to the KOTS gate)", () =>
        upWithVelero(ws, w, DEST, d, "velero-destination"),
      ),
    );
    const restoresAtGate = d.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
    const stoppedAtGate = gated.code !== 0 && /kotsRedeployed/.test(output(gated));
    check(
      "destination: the first pulumi up restores once and stops at the KOTS gate, naming the flag",
      stoppedAtGate && restoresAtGate.length === 1 && restoresAtGate[0].status.phase === "Completed",
      stoppedAtGate ? `${restoresAtGate.length} Restore(s)` : output(gated).slice(-3000),
    );
    o.log(
      "== GATE: KOTS redeploy. The operator redeploys in the Admin Console and sets velero-dr:app.kotsRedeployed=true",
    );
    const gateStart = Date.now();
    await w.phase("operator redeploys Dash Enterprise (simulated KOTS redeploy)", () =>
      w.operatorRedeploys(),
    );
    const set = ws.pulumiSync([
      "config",
      "set",
      "--path",
      "velero-dr:app.kotsRedeployed",
      "true",
      "-s",
      DEST,
    ]);
    if (set.code !== 0) throw new Error(output(set));
    const operatorSeconds = (Date.now() - gateStart) / 1000;
    const resumed = logged(
      await w.phase("pulumi up of the destination stack after the gate", () =>
        ws.pulumi(["up", "--yes", "-s", DEST]),
      ),
    );
    engine.destinationUp = { ok: resumed.code === 0, seconds: gated.seconds + resumed.seconds, runs: 2 };
    engine.resumedAfterGate = stoppedAtGate && resumed.code === 0;
    engine.engineRtoSeconds = (Date.now() - recoveryStart) / 1000 - operatorSeconds;
    report.rtoSeconds = (Date.now() - disaster) / 1000;
    if (resumed.code !== 0) throw new Error(`pulumi up after the gate failed:\n${output(resumed)}`);
    const restores = d.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
    check(
      "destination: pulumi up after the flag finishes; one Velero Restore in all",
      restores.length === 1,
      `${restores.length}`,
    );
    report.veleroRestoreSeconds = veleroRestoreSeconds(d, report.backup);
    checks.push(...(await w.phase("check what came back", () => checkRestore(w))));

    // Drift: chart 3.1.6 creates the location as a Helm hook, deleted and created again (with the
    // values' ReadOnly) on every upgrade. A later pulumi up that changes the release must leave the
    // promoted primary's location ReadWrite, or its Schedules silently stop backing up.
    const bslUid = () =>
      d.getJson(["-n", NAMESPACE, "get", "backupstoragelocations.velero.io", "default"]).metadata.uid;
    const uidBefore = bslUid();
    const level = ws.pulumiSync([
      "config",
      "set",
      "--path",
      "velero-dr:velero.logLevel",
      "debug",
      "-s",
      DEST,
    ]);
    if (level.code !== 0) throw new Error(output(level));
    const later = logged(
      await w.phase("a later pulumi up that upgrades the Velero release (velero.logLevel: debug)", () =>
        ws.pulumi(["up", "--yes", "-s", DEST]),
      ),
    );
    const location = d.getJson(["-n", NAMESPACE, "get", "backupstoragelocations.velero.io", "default"]);
    check(
      "drift: after a Helm upgrade re-created the location (a hook), the promoted primary's location is ReadWrite",
      later.code === 0 && location.spec.accessMode === "ReadWrite" && location.metadata.uid !== uidBefore,
      later.code === 0
        ? `${location.spec.accessMode}, ${location.metadata.uid === uidBefore ? "not re-created (the upgrade did not happen)" : "re-created by the upgrade"}`
        : output(later).slice(-3000),
    );

    // After the recovery (so it is not counted in it): the real analyzer must refuse a broken stack.
    const ws2 = drillWorkspace(w, path.join(o.workDir, "engine-broken"), {
      pulumiYaml: brokenProjectYaml(),
      backend: ws.backend,
    });
    initDestinationStack(ws2, w, BROKEN, { source: SOURCE, target: w.target, chartPath });
    const broken = await w.phase("pulumi preview --policy-pack of a deliberately broken destination", () =>
      policyPreview(ws2, BROKEN),
    );
    logged(broken.run);
    engine.brokenStackRefusedBy = broken.mandatory;
    check(
      "policy pack: a destination whose location is ReadWrite is refused by destination-bsl-read-only",
      broken.run.code !== 0 && broken.mandatory.includes("destination-bsl-read-only"),
      broken.mandatory.join(", ") || output(broken.run).slice(-2000),
    );

    // The same recovery by the drill's own runner, for the engine's overhead.
    await w.phase("stop the engine's destination", () => w.stopDestination("destination"));
    await w.phase("start a second destination cluster", () =>
      w.startDestinationCluster("destination-runner"),
    );
    const runnerStart = Date.now();
    await w.startDestinationVelero("destination-runner");
    const stateFile = path.join(o.workDir, "chain-state.json");
    let result = await w.phase("run the same chain with the runner (to the gate)", () =>
      w.runChain(buildRestoreChain(w.chainInput()), stateFile),
    );
    report.steps.push(...result.results.map((r) => ({ id: r.id, status: r.status, seconds: r.seconds })));
    const runnerGate = Date.now();
    w.operatorRedeploys();
    const runnerOperator = (Date.now() - runnerGate) / 1000;
    result = await w.phase("resume the chain with the runner", () =>
      w.runChain(buildRestoreChain(w.chainInput({ app: { kotsRedeployed: true } })), stateFile),
    );
    report.steps.push(
      ...result.results
        .filter((r) => r.status !== "skipped")
        .map((r) => ({ id: r.id, status: r.status, seconds: r.seconds })),
    );
    engine.runnerRtoSeconds = (Date.now() - runnerStart) / 1000 - runnerOperator;
    engine.overheadRatio = engine.engineRtoSeconds / engine.runnerRtoSeconds;
    check(
      "runner: the same chain recovers a second new cluster (the comparison's baseline)",
      result.ok,
      result.results.find((r) => r.status === "failed")?.id,
    );
    report.checks = checks;
    report.ok = checks.every((x) => x.ok) && engine.resumedAfterGate && engine.policyPackPassed;
    printSummary(o, report);
  } catch (e) {
    report.checks = checks;
    report.failure = (e as Error).message;
    o.log(`drill: FAILED: ${report.failure}`);
  } finally {
    await w.stopAll();
  }
  return report;
}
