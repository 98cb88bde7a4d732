import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

export const FAKE_BIN = path.join(__dirname, "..", "fakes", "bin");

export interface FakeCall {
  tool: string;
  argv: string[];
  stdin?: string;
  kubeconfig: {
    path: string;
    mode?: string;
    content?: string;
    missing?: boolean;
    existsAfterExit?: boolean;
  } | null;
}

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  calls: FakeCall[];
  state: { objects: Record<string, any> };
}

/**
 * Runs a script with real bash, with the fake CLIs first on PATH and a scripted cluster state.
 * The environment is exactly what the test passes (plus PATH), as a Command resource would set it.
 */
export function runScript(script: string, env: Record<string, string>, state: object = {}): ScriptRun {
  const dir = mkdtempSync(path.join(tmpdir(), "vdr-script-"));
  const stateFile = path.join(dir, "state.json");
  const logFile = path.join(dir, "calls.jsonl");
  writeFileSync(stateFile, JSON.stringify(state));
  try {
    const r = spawnSync("bash", ["-c", script], {
      env: {
        PATH: `${FAKE_BIN}:/usr/local/bin:/usr/bin:/bin`,
        HOME: dir,
        TMPDIR: dir,
        FAKE_KUBE_STATE: stateFile,
        FAKE_KUBE_LOG: logFile,
        VELERO_DR_POLL_SECONDS: "0",
        ...env,
      },
      encoding: "utf8",
      timeout: 60000,
    });
    const calls = existsSync(logFile)
      ? readFileSync(logFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FakeCall)
      : [];
    for (const c of calls) if (c.kubeconfig) c.kubeconfig.existsAfterExit = existsSync(c.kubeconfig.path);
    return {
      code: r.status ?? -1,
      stdout: r.stdout,
      stderr: r.stderr,
      calls,
      state: JSON.parse(readFileSync(stateFile, "utf8")),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** shellcheck's findings for a script (empty when clean). */
export function shellcheck(script: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "vdr-sc-"));
  const file = path.join(dir, "script.sh");
  writeFileSync(file, script);
  try {
    const r = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "--format=gcc", file], {
      encoding: "utf8",
    });
    if (r.error)
      throw new Error(
        `shellcheck could not run (install it: apt-get install shellcheck): ${r.error.message}`,
      );
    return (r.stdout + r.stderr).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The kubectl verb of a recorded call (global flags such as --cache-dir come first). */
export function verbOf(c: FakeCall): string | undefined {
  return c.argv.find((a) => !a.startsWith("-"));
}
