import * as path from "path";
import { dashBench } from "./dash-enterprise/bench";
import { runEngineDrill } from "./dash-enterprise/drill/engine";
import { runDrill } from "./dash-enterprise/drill/scenario";
import { EdaDrill } from "./eda/drill";
import { runAppEngineDrill } from "../drill/engine-app-drill";
import { DrillOptions, DrillReport } from "../drill/scenario";

/**
 * The reference application: Plotly Dash Enterprise 5, the one `npm run drill` backs up and
 * recovers end to end by `pulumi up` (`--runner`: by the drill's step runner alone) and whose
 * chain the RTO bench (`npm run bench`) simulates. The drill then recovers a second app by
 * `pulumi up`, Nokia EDA (its version guard and platform restore: no database server needed);
 * every app is drilled with the runner by `npm run test:drill`.
 */
export async function referenceDrill(o: DrillOptions): Promise<DrillReport> {
  const report = await runEngineDrill(o);
  o.log("");
  o.log("== A second app by the real engine: Nokia EDA");
  const eda = await runAppEngineDrill({ ...o, workDir: path.join(o.workDir, "eda") }, new EdaDrill());
  for (const c of eda.checks)
    o.log(`   ${c.ok ? "PASS" : "FAIL"}  ${c.name}${c.detail ? ` (${c.detail})` : ""}`);
  o.log(
    `   eda: source up ${eda.sourceUp.seconds.toFixed(1)} s; destination up ${eda.destinationUp.seconds.toFixed(1)} s; ${eda.ok ? "PASSED" : "FAILED"}`,
  );
  report.apps = [eda];
  report.ok = report.ok && eda.ok;
  return report;
}
export const referenceRunnerDrill = runDrill;
export const referenceBench = dashBench;
