/**
 * `npm run drill`: a disaster-recovery drill on this machine, for real. Two real Kubernetes
 * control planes, Velero 1.10.3 with the AWS object-store plugin, MinIO and BIND on loopback,
 * all built from published packages. The drill backs up the Dash Enterprise fixture on the
 * "source" cluster with the project's own Schedule spec, declares the disaster, and restores on
 * the "destination" with the project's own restore chain — the same step scripts, order and
 * environment the destination stack runs — then checks what came back.
 */
import { spawnSync } from "child_process";
import { mkdirSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { runDrill, DrillOptions } from "./scenario";

function toolchain(): { bin: string; plugins: string; pluginVersion: string } {
  const script = path.join(__dirname, "toolchain.sh");
  const r = spawnSync("bash", [script], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(
      `the drill toolchain could not be built (drill/toolchain.sh exited ${r.status}); see the message above`,
    );
  }
  const bin = r.stdout.trim().split("\n").pop() as string;
  const dir = path.dirname(bin);
  const pins = spawnSync("cat", [path.join(dir, "pins.txt")], { encoding: "utf8" }).stdout;
  const pluginVersion = /VELERO_PLUGIN_AWS_VERSION=(\S+)/.exec(pins)?.[1] ?? "v1.6.2";
  return { bin, plugins: path.join(dir, "plugins"), pluginVersion };
}

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
  const report = await runDrill(options);
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
