/**
 * The command lines of `npm run rehearse`, `npm run dr` and `npm run report`: arguments, the
 * terminal, Ctrl-C, and the engine on this checkout (or --cwd).
 */
import { spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import { ConfigError } from "../../components/config/errors";
import type { Step } from "../../components/restore/step";
import { DriveOptions, DriveResult, DriverIO, UsageError } from "./driver";
import { automationEngine } from "./engine";

export interface CliArgs {
  stack: string;
  keep: boolean;
  yes: boolean;
  outDir: string;
  workDir: string;
  gates: Record<string, string>;
}

const REPO = path.resolve(__dirname, "../..");

export function parseArgs(tool: string, argv: string[], allowed: string[]): CliArgs {
  const usage = `usage: npm run ${tool} -- <stack>${allowed.includes("--keep") ? " [--keep]" : ""}${allowed.includes("--gate") ? " [--gate <config key>=<command>]..." : ""}${allowed.includes("--yes") ? " [--yes]" : ""} [--out <dir>] [--cwd <project dir>]`;
  const a: CliArgs = { stack: "", keep: false, yes: false, outDir: "", workDir: REPO, gates: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value; ${usage}`);
      return v;
    };
    if (arg === "--keep" && allowed.includes(arg)) a.keep = true;
    else if (arg === "--yes" && allowed.includes(arg)) a.yes = true;
    else if (arg === "--out") a.outDir = value();
    else if (arg === "--cwd") a.workDir = path.resolve(value());
    else if (arg === "--gate" && allowed.includes(arg)) {
      const v = value();
      const eq = v.indexOf("=");
      if (eq <= 0 || !/^[A-Za-z][A-Za-z0-9.]*$/.test(v.slice(0, eq)))
        throw new UsageError(
          `--gate ${v}: give the gate's config key and a command, e.g. --gate restore.prerequisitesConfirmed='./install-prerequisites.sh'`,
        );
      a.gates[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (!arg.startsWith("-") && !a.stack) a.stack = arg;
    else throw new UsageError(`unexpected argument ${arg}; ${usage}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(a.stack)) throw new UsageError(usage);
  a.outDir ||= path.join(a.workDir, "reports");
  return a;
}

/** A gate's command from the command line, run by bash with this process's environment. */
export function gateCommand(command: string): (step: Step) => Promise<boolean> {
  return (step) =>
    new Promise((resolve) => {
      const child = spawn("/bin/bash", ["-c", command], {
        stdio: "inherit",
        env: { ...process.env, VELERO_DR_GATE_STEP: step.id },
      });
      child.on("close", (code) => resolve(code === 0));
      child.on("error", () => resolve(false));
    });
}

/** Runs a driver with the terminal's IO, Ctrl-C cancelling it; returns the exit code. */
export async function runTool(
  tool: string,
  argv: string[],
  allowed: string[],
  drive: (o: DriveOptions) => Promise<DriveResult>,
): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${tool}: interrupted; cancelling the update (Ctrl-C again to quit at once)\n`);
    controller.abort();
  });
  const rl = process.stdin.isTTY
    ? readline.createInterface({ input: process.stdin, output: process.stderr })
    : undefined;
  const io: DriverIO = {
    say: (line) => process.stderr.write(`${line}\n`),
    now: () => new Date(),
    ...(rl ? { ask: (q: string) => new Promise<string>((resolve) => rl.question(q, resolve)) } : {}),
  };
  try {
    const a = parseArgs(tool, argv, allowed);
    const engine = await automationEngine({ stack: a.stack, workDir: a.workDir });
    const r = await drive({
      stack: a.stack,
      engine,
      io,
      outDir: a.outDir,
      keep: a.keep,
      yes: a.yes,
      signal: controller.signal,
      gateCommands: Object.fromEntries(Object.entries(a.gates).map(([k, c]) => [k, gateCommand(c)])),
    });
    return r.exitCode;
  } catch (e) {
    process.stderr.write(`${tool}: ${(e as Error).message}\n`);
    return e instanceof ConfigError || e instanceof UsageError ? 2 : 1;
  } finally {
    rl?.close();
  }
}
