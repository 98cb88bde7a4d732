/**
 * `npm run drill`: a disaster-recovery drill on this machine, for real. Real Kubernetes control
 * planes, Velero 1.10.3 with the AWS object-store plugin, MinIO and BIND on loopback, the Pulumi
 * CLI v3.276.0 and the kubernetes provider, all built from published packages. A source stack's
 * `pulumi up` backs up the reference application's fixture on the "source" cluster; the disaster
 * takes that cluster; a destination stack's `pulumi up` runs the restore chain on a new one, stops
 * at the app's gate and finishes after the operator's flag; then the drill checks what came back,
 * and compares with the same chain run by its own step runner.
 * `--runner`: the same drill without the engine (the runner alone; no engine toolset needed).
 */
import { mkdirSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { referenceDrill, referenceRunnerDrill } from "../apps/reference";
import { toolchain } from "../drill/lib/toolchain";
import { DrillOptions } from "../drill/scenario";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const keep = args.includes("--keep");
  const runnerOnly = args.includes("--runner");
  const workDir = path.join(
    process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
    String(Date.now()),
  );
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  console.log(`drill: working in ${workDir} (logs in ${workDir}/logs)`);
  const tools = toolchain();
  const options: DrillOptions = { ...tools, workDir, log: (l) => console.log(l) };
  const report = await (runnerOnly ? referenceRunnerDrill : referenceDrill)(options);
  const reportFile = path.join(workDir, "report.json");
  writeFileSync(reportFile, JSON.stringify(report, null, 2));
  console.log(`drill: report written to ${reportFile}`);
  if (!keep) console.log("drill: every process it started has been stopped");
  return report.ok ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((e) => {
    console.error(`drill: FAILED: ${(e as Error).message}`);
    process.exit(1);
  });
