import * as path from "path";
import { AppDrill } from "./app-kit/app-drill";
import { AppScenario } from "./app-scenario";
import { NAMESPACE } from "./lib/velero";
import { Check, DrillOptions, Phase } from "./scenario";
import {
  drillChart,
  drillWorkspace,
  initDestinationStack,
  output,
  policyPreview,
  upWithVelero,
} from "./engine-stacks";

/** One more app recovered by the real engine in `npm run drill`. */
export interface AppEngineResult {
  app: string;
  ok: boolean;
  backup: string;
  sourceUp: { ok: boolean; seconds: number };
  destinationUp: { ok: boolean; seconds: number; runs: number };
  policyPackPassed: boolean;
  checks: Check[];
  phases: Phase[];
  failure?: string;
}

const SOURCE = "drill-source";
const DEST = "drill-destination";

/**
 * Any app profile's backup and recovery by `pulumi up`, with its drill fixture: the app on the
 * source, `pulumi up` of its source stack (preparation, Velero, the profile's Schedules, the
 * location check, the first backup, the app's hooks run by Velero), the source lost, `pulumi
 * preview --policy-pack` and `pulumi up` of a destination stack (StackReference to the source) on
 * a new cluster, then the app's own checks and the common ones.
 */
export async function runAppEngineDrill(o: DrillOptions, app: AppDrill): Promise<AppEngineResult> {
  const s = new AppScenario(o, app);
  const result: AppEngineResult = {
    app: app.app,
    ok: false,
    backup: "",
    sourceUp: { ok: false, seconds: 0 },
    destinationUp: { ok: false, seconds: 0, runs: 0 },
    policyPackPassed: false,
    checks: [],
    phases: s.w.phases,
  };
  const checks = result.checks;
  try {
    const chartPath = drillChart(s.w);
    const ws = drillWorkspace(s.w, path.join(o.workDir, "engine"));
    const src = await s.w.phase(`${app.app}: pulumi up of the source stack`, () =>
      s.backUpSourceByEngine(ws, SOURCE, chartPath),
    );
    result.sourceUp = { ok: src.code === 0, seconds: src.seconds };
    if (src.code !== 0) throw new Error(`pulumi up of the ${app.app} source stack failed:\n${output(src)}`);
    result.backup = s.backupName;
    const backups = s.source.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items;
    checks.push({
      name: `${app.app}: the source stack's first backup Completed`,
      ok: backups.length === 1 && backups[0].status.phase === "Completed",
      detail: backups.map((b: { status: { phase: string } }) => b.status.phase).join(", "),
    });
    await s.w.phase(`${app.app}: the source is lost; a new destination cluster`, () =>
      s.startDestinationCluster("destination"),
    );
    initDestinationStack(ws, s.w, DEST, { source: SOURCE, target: s.target, chartPath });
    const policy = await s.w.phase(`${app.app}: pulumi preview --policy-pack of the destination stack`, () =>
      policyPreview(ws, DEST),
    );
    result.policyPackPassed = policy.passed;
    checks.push({
      name: `${app.app}: the destination stack's preview passes the policy pack`,
      ok: policy.passed,
      detail: policy.passed ? undefined : policy.mandatory.join(", ") || output(policy.run).slice(-3000),
    });
    const up = await s.w.phase(`${app.app}: pulumi up of the destination stack`, () =>
      upWithVelero(ws, s.w, DEST, s.dest, "velero-destination"),
    );
    result.destinationUp = { ok: up.code === 0, seconds: up.seconds, runs: 1 };
    if (up.code !== 0)
      throw new Error(`pulumi up of the ${app.app} destination stack failed:\n${output(up)}`);
    checks.push(...(await s.checks()));
    result.ok = checks.every((c) => c.ok);
  } catch (e) {
    result.failure = (e as Error).message;
    o.log(`drill (${app.app}): FAILED: ${result.failure}`);
  } finally {
    await s.stopAll();
  }
  return result;
}
