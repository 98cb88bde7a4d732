/**
 * `npm run drill`: a disaster-recovery drill on this machine, for real. Two real Kubernetes
 * control planes, Velero 1.10.3 with the AWS object-store plugin, MinIO and BIND on loopback,
 * all built from published packages. The drill backs up the reference application's fixture on the
 * "source" cluster with the project's own Schedule spec, declares the disaster, and restores on
 * the "destination" with the project's own restore chain — the same step scripts, order and
 * environment the destination stack runs — then checks what came back.
 */
import { mkdirSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { referenceDrill } from "../apps/reference";
import { toolchain } from "../drill/lib/toolchain";
import { DrillOptions } from "../drill/scenario";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const keep = args.includes("--keep");
  const workDir = path.join(
    process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
    String(Date.now()),
  );
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  console.log(`drill: working in ${workDir} (logs in ${workDir}/logs)`);
  const tools = toolchain();
  const options: DrillOptions = { ...tools, workDir, log: (l) => console.log(l) };
  const report = await referenceDrill(options);
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
