import { spawn, spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";

/**
 * The local DR drill's own figures (drill/scenario.ts): one real run when its toolchain is
 * built (`bash drill/toolchain.sh --check`), the RTO (disaster declared -> health green) against
 * the raw Velero restore time. Without the toolchain the bench says so instead of building it
 * (a cold build takes about 17 minutes).
 */

const ROOT = path.resolve(__dirname, "..", "..");

export interface DrillFigures {
  status: "measured" | "toolchain-absent" | "failed";
  detail?: string;
  rtoSeconds?: number;
  veleroRestoreSeconds?: number;
  /** RTO / raw restore. */
  ratio?: number;
  /** Chain steps of the run (first attempt and the resumed one after the KOTS gate). */
  steps?: { id: string; status: string; seconds: number }[];
  phases?: { name: string; seconds: number }[];
  report?: string;
}

export function toolchainPresent(): boolean {
  return (
    spawnSync("bash", [path.join(ROOT, "drill/toolchain.sh"), "--check"], { stdio: "ignore" }).status === 0
  );
}

export async function measureDrill(log: (s: string) => void): Promise<DrillFigures> {
  if (!toolchainPresent()) {
    return {
      status: "toolchain-absent",
      detail:
        "drill toolchain not built (bash drill/toolchain.sh --check failed); run `npm run drill` once to build it",
    };
  }
  const out: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      // The runner's drill: the bench's figure is the chain against the raw restore, and it needs no
      // engine toolset; the engine's own figures are in `npm run drill`'s report.
      ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tools/drill.ts"), "--runner"],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const take = (d: Buffer) => {
      for (const line of d
        .toString()
        .split("\n")
        .filter((l) => l.trim() !== "")) {
        out.push(line);
        if (/^== |RTO|restore time|DRILL/.test(line.trim())) log(`   drill: ${line.trim()}`);
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (c) => resolve(c ?? 1));
  });
  const reportFile = out.map((l) => /report written to (\S+)/.exec(l)?.[1]).find((f) => f !== undefined);
  if (!reportFile) {
    return {
      status: "failed",
      detail: `the drill wrote no report (exit ${code}): ${out.slice(-5).join(" | ")}`,
    };
  }
  const r = JSON.parse(readFileSync(reportFile, "utf8")) as {
    ok: boolean;
    failure?: string;
    rtoSeconds: number;
    veleroRestoreSeconds: number;
    steps: { id: string; status: string; seconds: number }[];
    phases: { name: string; seconds: number }[];
  };
  return {
    status: r.ok ? "measured" : "failed",
    detail: r.ok ? undefined : (r.failure ?? "a check failed"),
    rtoSeconds: r.rtoSeconds,
    veleroRestoreSeconds: r.veleroRestoreSeconds,
    ratio: r.veleroRestoreSeconds > 0 ? r.rtoSeconds / r.veleroRestoreSeconds : undefined,
    steps: r.steps,
    phases: r.phases,
    report: reportFile,
  };
}
