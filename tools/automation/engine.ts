import { spawn } from "child_process";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { REPORT_MARK } from "../../components/shell/script";
import { EngineOps, rawConfigFromCli } from "./driver";
import { Progress } from "./progress";

export interface EngineTarget {
  stack: string;
  /** The Pulumi project's directory (this repository, or a copy of it). */
  workDir: string;
  /** Environment for the CLI (backend URL, passphrase file, PULUMI_HOME, ...), over this process's. */
  env?: Record<string, string>;
  /** A Pulumi CLI installation root (<root>/bin/pulumi); the one on PATH otherwise. */
  cliRoot?: string;
}

const CHAIN_COMMAND = /velero-dr:restore:RestoreChain\$command:local:Command::restore-([a-z0-9-]+)$/;

/**
 * EngineOps on Pulumi's Automation API: a LocalWorkspace on the project, the stack selected (or
 * created from its stack file). Two reads go to the CLI directly, because the Automation API has
 * no form of them that keeps secrets out of this process: `pulumi config --json` without
 * --show-secrets (secrets stay encrypted), and the state's step outputs, of which only the report
 * marks are kept.
 */
export async function automationEngine(t: EngineTarget): Promise<EngineOps> {
  const envVars = Object.fromEntries(
    Object.entries(t.env ?? {}).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const pulumiCommand = await PulumiCommand.get(t.cliRoot ? { root: t.cliRoot, skipVersionCheck: true } : {});
  const ws = await LocalWorkspace.create({ workDir: t.workDir, envVars, pulumiCommand });
  const stack = await Stack.createOrSelect(t.stack, ws);
  const cli = (args: string[]) =>
    runCli(pulumiCommand.command, [...args, "--stack", t.stack], t.workDir, envVars);
  const events = (p: Progress) => ({ onEvent: (e: Parameters<Progress["onEvent"]>[0]) => p.onEvent(e) });
  return {
    config: async () => rawConfigFromCli(t.stack, JSON.parse(await cli(["config", "--json"]))),
    preview: async (p) => {
      const r = await stack.preview(events(p));
      return { changes: (r.changeSummary ?? {}) as Record<string, number> };
    },
    up: async (p, signal) => {
      try {
        await stack.up({ ...events(p), signal });
        return { ok: true };
      } catch (e) {
        return { ok: false, message: (e as Error).message };
      }
    },
    destroy: async (p) => {
      try {
        await stack.destroy(events(p));
        return { ok: true };
      } catch (e) {
        return { ok: false, message: (e as Error).message };
      }
    },
    setTrue: async (key) => {
      await stack.setConfig(`velero-dr:${key}`, { value: "true" }, true);
    },
    stepOutputs: async () => marksFromState(JSON.parse(await cli(["stack", "export", "--show-secrets"]))),
  };
}

/** The secret signature of Pulumi's state: a value `{ <sig>: <secret>, plaintext: "<JSON>" }` when shown. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/**
 * Each chain step's report marks from a stack's exported state (`pulumi stack export
 * --show-secrets`): its Command's `stderr`, which is secret (the Command's inputs hold secrets), so
 * it comes as a shown secret; only the marks are kept.
 */
export function marksFromState(state: {
  deployment?: { resources?: { urn: string; outputs?: Record<string, unknown> }[] };
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of state.deployment?.resources ?? []) {
    const id = CHAIN_COMMAND.exec(r.urn)?.[1];
    if (!id) continue;
    let stderr = r.outputs?.stderr;
    if (stderr && typeof stderr === "object" && SECRET_SIG in stderr) {
      const plaintext = (stderr as { plaintext?: unknown }).plaintext;
      stderr = typeof plaintext === "string" ? JSON.parse(plaintext) : undefined;
    }
    if (typeof stderr !== "string") continue;
    out[id] = stderr
      .split("\n")
      .filter((l) => l.startsWith(`${REPORT_MARK} `))
      .join("\n");
  }
  return out;
}

function runCli(cli: string, args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, [...args, "--non-interactive"], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`pulumi ${args[0]} ${args[1] ?? ""} failed: ${stderr.trim()}`)),
    );
  });
}
