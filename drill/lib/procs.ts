import { ChildProcess, spawn, spawnSync } from "child_process";
import { closeSync, mkdirSync, openSync } from "fs";
import * as path from "path";

/**
 * Every process the drill starts: logs kept per process, all stopped on exit, on failure and
 * on Ctrl-C. Nothing the drill starts outlives it.
 */
export class Processes {
  private readonly children = new Map<string, ChildProcess>();
  /** How each process that ended did end (its exit code or signal), for the error of a wait on it. */
  private readonly ended = new Map<string, string>();
  private installed = false;

  constructor(readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  start(
    name: string,
    command: string,
    args: string[],
    opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): ChildProcess {
    this.installHandlers();
    if (this.children.has(name)) throw new Error(`process ${name} is already running`);
    const log = openSync(path.join(this.logDir, `${name}.log`), "a");
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ["ignore", log, log],
      // Its own process group, so that stopping it stops what it started too (Velero's plugins).
      detached: true,
    });
    closeSync(log);
    this.track(name, child);
    return child;
  }

  /**
   * Takes a process the caller spawned (detached, leading its own group: the chain runner's step
   * bash) into the registry, so that the drill's stop, failure and Ctrl-C stop it and what it started.
   */
  adopt(name: string, child: ChildProcess): void {
    this.installHandlers();
    if (this.running(name)) throw new Error(`process ${name} is already running`);
    this.track(name, child);
  }

  private track(name: string, child: ChildProcess): void {
    this.ended.delete(name);
    child.on("exit", (code, signal) => {
      this.children.delete(name);
      this.ended.set(name, signal ? `on ${signal}` : `with code ${code}`);
    });
    // A command that cannot be spawned (missing binary) never exits: it errors.
    child.on("error", (e) => {
      this.children.delete(name);
      this.ended.set(name, `(${e.message})`);
    });
    this.children.set(name, child);
  }

  /**
   * A readiness wait's guard: throws ProcessExited (how it ended, where its log is) once `name`
   * no longer runs, so that waitFor gives up at once instead of polling a dead server to its deadline.
   */
  assertRunning(name: string): void {
    if (this.running(name)) return;
    throw new ProcessExited(
      `${name} is not running (it exited ${this.ended.get(name) ?? "or never started"}); see ${this.logFile(name)}`,
    );
  }

  /**
   * Starts `command` with its output going straight (no pipe through this process) to a logger
   * process, `drill/lib/cri-log.js`, that keeps the plain log and a CRI-format copy in `criLog`
   * (what KWOK serves as the container's log to `kubectl logs`).
   */
  startWithCriLog(
    name: string,
    command: string,
    args: string[],
    criLog: string,
    opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): ChildProcess {
    this.installHandlers();
    if (this.children.has(name)) throw new Error(`process ${name} is already running`);
    const logger = spawn(process.execPath, [path.join(__dirname, "cri-log.js"), this.logFile(name), criLog], {
      stdio: ["pipe", "ignore", "inherit"],
    });
    logger.on("exit", () => this.children.delete(`${name}-logger`));
    this.children.set(`${name}-logger`, logger);
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ["ignore", logger.stdin, logger.stdin],
      detached: true,
    });
    // The child holds the pipe's write end now; the logger ends when the child does.
    logger.stdin?.destroy();
    this.track(name, child);
    return child;
  }

  running(name: string): boolean {
    const c = this.children.get(name);
    return !!c && c.exitCode === null;
  }

  logFile(name: string): string {
    return path.join(this.logDir, `${name}.log`);
  }

  async stop(name: string): Promise<void> {
    const c = this.children.get(name);
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    signalGroup(c, "SIGTERM");
    const timer = setTimeout(() => signalGroup(c, "SIGKILL"), 10000);
    await exited;
    clearTimeout(timer);
    // Whatever it started and left behind (a plugin it had no time to stop) goes with it.
    signalGroup(c, "SIGKILL");
  }

  async stopAll(prefix = ""): Promise<void> {
    const names = [...this.children.keys()].filter((n) => n.startsWith(prefix)).reverse();
    for (const n of names) await this.stop(n);
  }

  /** Synchronous last resort for process exit: kill whatever is left. */
  killAll(): void {
    for (const c of this.children.values()) signalGroup(c, "SIGKILL");
  }

  private installHandlers(): void {
    if (this.installed) return;
    this.installed = true;
    process.on("exit", () => this.killAll());
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      process.on(sig, () => {
        process.stderr.write(`\ndrill: ${sig}, stopping every process it started\n`);
        this.killAll();
        process.exit(130);
      });
    }
  }
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; allowFail?: boolean } = {},
) {
  const r = spawnSync(command, args, {
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(
      `${path.basename(command)} ${args.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`,
    );
  }
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** A process a readiness check waits for has exited: nothing will get ready (waitFor rethrows it). */
export class ProcessExited extends Error {}

/**
 * Polls `check` every `everyMs` until it returns true, or throws after `timeoutMs` naming `what`
 * and the last error `check` threw (a check may throw to say what it saw). A ProcessExited error
 * ends the wait at once.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 500,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch (e) {
      if (e instanceof ProcessExited) throw new Error(`waiting for ${what}: ${e.message}`);
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${last ? ` (${(last as Error).message})` : ""}`,
  );
}

/** Signals a child's process group (a child spawned detached leads its own), else the child alone. */
function signalGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (c.pid === undefined) throw new Error("no pid");
    process.kill(-c.pid, signal);
  } catch {
    try {
      c.kill(signal);
    } catch {
      // already gone
    }
  }
}
