import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { COMMAND_PROVIDER_VERSION } from "./command-provider";

/**
 * Runs this repository's Pulumi program under the real Pulumi CLI, the way a user does, without
 * writing anything into the checkout:
 * - a project overlay in `dir`: the repository's own Pulumi.yaml (only `stackConfigDir` moved to the
 *   overlay's `config/`), `stacks/` holding links to the program's files, and links to tsconfig.json,
 *   package.json and node_modules, so the engine runs the real entry point from a `stacks/` working
 *   directory exactly as it does in a checkout;
 * - a local file backend, a passphrase secrets provider, and a PULUMI_HOME of its own where the
 *   kubernetes plugin of the engine toolset is installed under the version @pulumi/kubernetes asks for;
 * - no plugin download, no update check: only what the toolsets built is used.
 * The Node.js language host and the command provider are the declared stand-ins of drill/engine/bin,
 * installed in the plugin cache.
 */
export interface EngineToolset {
  /** The engine toolset's bin dir (pulumi, pulumi-resource-kubernetes). */
  bin: string;
  pins: Record<string, string>;
}

export interface EngineRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

const REPO = path.resolve(__dirname, "../..");
const STAND_INS = path.join(__dirname, "bin");

export class EngineWorkspace {
  readonly project: string;
  readonly configDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** The Pulumi CLI of the engine toolset. */
  readonly cli: string;
  /** The file backend's directory. */
  readonly backend: string;

  constructor(
    readonly dir: string,
    readonly tools: EngineToolset,
    opts: {
      pulumiYaml?: string;
      extraPath?: string[];
      env?: NodeJS.ProcessEnv;
      /** Another workspace's backend dir: its stacks are this one's too (StackReferences between them). */
      backend?: string;
      /** More language hosts for the plugin cache (pulumi-language-<name> at <version>), e.g. YAML's. */
      languages?: { name: string; version: string; binary: string }[];
    } = {},
  ) {
    this.cli = path.join(tools.bin, "pulumi");
    this.project = path.join(dir, "project");
    this.configDir = path.join(this.project, "config");
    const home = path.join(dir, "pulumi-home");
    this.backend = opts.backend ?? path.join(dir, "backend");
    const backend = this.backend;
    for (const d of [this.project, this.configDir, home, backend]) fs.mkdirSync(d, { recursive: true });

    // The repository's Pulumi.yaml, only with its stack files kept in the overlay.
    const projectYaml = parseYaml(opts.pulumiYaml ?? fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
    const main = String(projectYaml.main ?? ".");
    projectYaml.stackConfigDir = "config";
    fs.writeFileSync(path.join(this.project, "Pulumi.yaml"), toYaml(projectYaml));
    const programDir = path.dirname(main);
    for (const f of ["tsconfig.json", "package.json", "node_modules"]) {
      linkInto(path.join(REPO, f), path.join(this.project, f));
    }
    // The program's own folder: a real directory (its working directory) with links to its files.
    fs.mkdirSync(path.join(this.project, programDir), { recursive: true });
    for (const f of fs.readdirSync(path.join(REPO, programDir))) {
      if (/^Pulumi\..*\.ya?ml$/.test(f)) continue; // the checkout's stack files are not this workspace's
      linkInto(path.join(REPO, programDir, f), path.join(this.project, programDir, f));
    }

    const passphraseFile = path.join(dir, "passphrase");
    fs.writeFileSync(passphraseFile, "velero-dr drill passphrase\n", { mode: 0o600 });
    this.env = {
      ...process.env,
      ...opts.env,
      // The toolset's bin is not on PATH: the CLI is run by its path and finds the plugins in the
      // plugin cache (a plugin found on PATH gets a "from $PATH" warning).
      PATH: [...(opts.extraPath ?? []), process.env.PATH ?? "/usr/bin:/bin"].join(":"),
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
      PULUMI_SKIP_UPDATE_CHECK: "1",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      NO_COLOR: "1",
    };
    delete this.env.PULUMI_CONFIG_PASSPHRASE;
    this.installLanguageHost();
    for (const l of opts.languages ?? []) this.installLanguagePlugin(l.name, l.version, l.binary);
    this.installKubernetesPlugin();
    this.installCommandPlugin();
  }

  /**
   * The command provider stand-in, in the plugin cache under the version @pulumi/command asks for
   * (what `pulumi plugin install resource command v1.2.1 --file …` would do with the real binary).
   */
  private installCommandPlugin(): void {
    const dir = path.join(
      String(this.env.PULUMI_HOME),
      "plugins",
      `resource-command-v${COMMAND_PROVIDER_VERSION}`,
    );
    fs.mkdirSync(dir, { recursive: true });
    linkInto(path.join(STAND_INS, "pulumi-resource-command"), path.join(dir, "pulumi-resource-command"));
  }

  /**
   * The language host stand-in, installed in the plugin cache as the CLI's own version (where the
   * engine takes it without the "from $PATH" warning a development copy gets). A link, so the
   * stand-in keeps finding the repository it belongs to.
   */
  private installLanguageHost(): void {
    const version = this.tools.pins.PULUMI_VERSION;
    const dir = path.join(String(this.env.PULUMI_HOME), "plugins", `language-nodejs-${version}`);
    fs.mkdirSync(dir, { recursive: true });
    linkInto(path.join(STAND_INS, "pulumi-language-nodejs"), path.join(dir, "pulumi-language-nodejs"));
  }

  /**
   * A language host binary in the plugin cache under its version (what `pulumi plugin install
   * language <name> <version> --file <binary>` does, as a link).
   */
  private installLanguagePlugin(name: string, version: string, binary: string): void {
    const dir = path.join(String(this.env.PULUMI_HOME), "plugins", `language-${name}-${version}`);
    fs.mkdirSync(dir, { recursive: true });
    linkInto(binary, path.join(dir, `pulumi-language-${name}`));
  }

  /**
   * The kubernetes plugin of the engine toolset, in the plugin cache under the version
   * @pulumi/kubernetes asks the engine for (what `pulumi plugin install resource kubernetes <v>
   * --file <binary>` does, as a link instead of a 100 MB copy per workspace).
   */
  private installKubernetesPlugin(): void {
    const version = this.tools.pins.PULUMI_KUBERNETES_PLUGIN_VERSION;
    const dir = path.join(String(this.env.PULUMI_HOME), "plugins", `resource-kubernetes-${version}`);
    fs.mkdirSync(dir, { recursive: true });
    linkInto(
      path.join(this.tools.bin, "pulumi-resource-kubernetes"),
      path.join(dir, "pulumi-resource-kubernetes"),
    );
  }

  /**
   * Stops plugin processes of this workspace (and what they started) still running: a `pulumi up` killed with SIGKILL
   * cannot stop its plugins, and the kubernetes provider does not exit when its engine is gone.
   * Returns how many there were.
   */
  killStrays(): number {
    const home = String(this.env.PULUMI_HOME);
    let n = 0;
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      if (Number(pid) === process.pid) continue;
      let cmd = "";
      let environ = "";
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
        environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
      } catch {
        continue;
      }
      // A plugin binary of the cache, or anything the CLI started with this workspace's
      // PULUMI_HOME (a component package's node process, which the Node.js host starts).
      if (!cmd.startsWith(`${home}/`) && !`\0${environ}`.includes(`\0PULUMI_HOME=${home}\0`)) continue;
      try {
        process.kill(Number(pid), "SIGKILL");
        n++;
      } catch {
        // gone already
      }
    }
    return n;
  }

  /** The stack file of a stack in this workspace (the engine reads and rewrites it). */
  stackFile(stack: string): string {
    return path.join(this.configDir, `Pulumi.${stack}.yaml`);
  }

  /** Creates a stack whose config is the given stack file's (the CLI adds its encryption salt). */
  initStack(stack: string, stackFileText: string): EngineRun {
    fs.writeFileSync(this.stackFile(stack), stackFileText);
    return this.pulumiSync(["stack", "init", stack, "--secrets-provider", "passphrase"]);
  }

  /** Runs a CLI command to its end; `input` goes to its stdin (a secret value is never an argument). */
  pulumiSync(args: string[], opts: { timeoutMs?: number; input?: string; cwd?: string } = {}): EngineRun {
    const start = Date.now();
    const timeoutMs = opts.timeoutMs ?? 20 * 60_000;
    // cwd: another project run with this workspace's CLI, home and backend (a consumer's own).
    const r = spawnSync(this.cli, [...args, "--non-interactive", "--cwd", opts.cwd ?? this.project], {
      env: this.env,
      input: opts.input ?? "",
      encoding: "utf8",
      timeout: timeoutMs,
      maxBuffer: 256 * 1024 * 1024,
    });
    return {
      code: r.status,
      signal: r.signal,
      stdout: r.stdout ?? "",
      stderr: (r.stderr ?? "") + (r.error ? String(r.error) : ""),
      seconds: (Date.now() - start) / 1000,
    };
  }

  /** Starts a CLI command; `onLine` sees its output as it comes (the drill logs it, faults kill it). */
  pulumi(
    args: string[],
    onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void,
  ): Promise<EngineRun> {
    const start = Date.now();
    const child = spawn(this.cli, [...args, "--non-interactive", "--cwd", this.project], {
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const kill = (s: NodeJS.Signals) => child.kill(s);
    const feed = (buf: string, chunk: string): string => {
      const all = buf + chunk;
      const lines = all.split("\n");
      const rest = lines.pop() ?? "";
      for (const l of lines) onLine?.(l, kill);
      return rest;
    };
    let pendingOut = "";
    let pendingErr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      pendingOut = feed(pendingOut, c);
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      pendingErr = feed(pendingErr, c);
    });
    return new Promise((resolve) =>
      child.on("close", (code, signal) =>
        resolve({ code, signal, stdout, stderr, seconds: (Date.now() - start) / 1000 }),
      ),
    );
  }
}

function linkInto(target: string, link: string): void {
  fs.rmSync(link, { force: true, recursive: false });
  fs.symlinkSync(target, link);
}
