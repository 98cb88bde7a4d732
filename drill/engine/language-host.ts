/**
 * DECLARED STAND-IN (test harness only, never used by the product): the Node.js language host
 * `pulumi-language-nodejs` of Pulumi v3.276.0 (the CLI version of drill/versions.env).
 *
 * Why: the real host is a nested Go module (`sdk/nodejs/cmd/pulumi-language-nodejs/v3`) that the Go
 * module proxy here refuses (403 at v3.276.0 as at v3.248.0), so the real CLI cannot start a Node.js
 * program without a stand-in. What it does is what the upstream host does for the runtime options
 * this project uses: it serves the LanguageRuntime gRPC service, prints its port, and on `Run` starts
 * `node [nodeargs] <@pulumi/pulumi/cmd/run> --monitor … --engine … --project … --root-directory …
 * --stack … --pwd <program dir> [--dry-run] --parallel N <entry point> [args]` in the program's
 * directory context, with PULUMI_CONFIG (keys as `<ns>:config:<name>`), PULUMI_CONFIG_SECRET_KEYS,
 * PULUMI_NODEJS_TYPESCRIPT and PULUMI_NODEJS_TSCONFIG_PATH from `runtime.options`; exit code 32
 * means "bail" (the program already showed an actionable message), any other non-zero code is
 * "Program exited with non-zero exit code: N". `GetRequiredPackages` walks the program directory's
 * node_modules for package.json files with `pulumi.resource: true`, as upstream does (a package
 * outside the `@pulumi/` scope counts only with its own `pulumi.name`).
 *
 * Checked against 3.276.0: the engine side (pkg/v3 and sdk/v3 at v3.276.0: the LanguageRuntime
 * client, which calls Handshake, GetPluginInfo, GetRequiredPackages, Run, RunPlugin, About (update
 * metadata) and Cancel (on cancellation) in preview/up; the RPC set and the Run, RunPlugin and GetRequiredPackages messages are
 * those of 3.248.0) and the program side (@pulumi/pulumi 3.276.0's cmd/run — its flags and the
 * ts-node handling behind PULUMI_NODEJS_TYPESCRIPT and PULUMI_NODEJS_TSCONFIG_PATH — cmd/run-plugin
 * and cmd/run-policy-pack are those of 3.248.0; only cmd/run's tracing modules changed). The host's own Go source is read at its last tag the mirror holds
 * (v3.259.0) and in later stored versions: Run, RunPlugin and GetRequiredPackages start and answer
 * as above.
 *
 * Differences, on purpose: the program talks to the engine's resource monitor directly (upstream
 * puts a pass-through proxy in between), and there is no `--sync` pipe pair (only the deprecated
 * synchronous invokes use it); `InstallDependencies` is served with npm only (see its section
 * below); `About`, code generation, `Pack`/`Link`, the bun runtime, the debugger attach and any
 * Node.js download when no `node` is on PATH are not served (the drill installs with `npm ci`,
 * node is on PATH). `RunPlugin` starts a plugin written
 * in Node.js as upstream does; for a policy pack (`pulumi preview --policy-pack`) that means the
 * proxy of policy-proxy.ts and `@pulumi/pulumi/cmd/run-policy-pack`, the stack's configuration in
 * its environment. test/engine/language-host.test.ts checks the behaviour above.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { PolicyProxy, policyEnv } from "./policy-proxy";
import { servePlugin } from "./serve";
// The SDK's generated gRPC code: the same message classes the real engine's peers use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const langpb = require("@pulumi/pulumi/proto/language_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const langgrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pluginpb = require("@pulumi/pulumi/proto/plugin_pb");

/** Exit code with which @pulumi/pulumi/cmd/run says "the user already got an actionable message". */
export const EXIT_BAIL = 32;

export interface NodeOptions {
  typescript: boolean;
  tsconfig?: string;
  nodeargs: string[];
}

/** `runtime.options` of Pulumi.yaml, checked as upstream's parseOptions checks them. */
export function parseOptions(options: Record<string, unknown>): NodeOptions {
  const out: NodeOptions = { typescript: true, nodeargs: [] };
  if ("typescript" in options) {
    if (typeof options.typescript !== "boolean") throw new Error("typescript option must be a boolean");
    out.typescript = options.typescript;
  }
  if ("tsconfig" in options) {
    if (typeof options.tsconfig !== "string") throw new Error("tsconfigpath option must be a string");
    out.tsconfig = options.tsconfig;
  }
  if ("nodeargs" in options) {
    if (typeof options.nodeargs !== "string") throw new Error("nodeargs option must be a string");
    out.nodeargs = shellSplit(options.nodeargs);
  }
  if ("packagemanager" in options) {
    const pm = options.packagemanager;
    if (typeof pm !== "string") throw new Error("packagemanager option must be a string");
    if (!["auto", "npm", "yarn", "pnpm", "bun"].includes(pm)) {
      throw new Error(`packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "${pm}"`);
    }
  }
  return out;
}

/** POSIX-shell-like word splitting with quotes and backslashes (what shlex.Split does for nodeargs). */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`nodeargs: unterminated ${quote} quote in ${JSON.stringify(s)}`);
  if (inWord) words.push(cur);
  return words;
}

/** PULUMI_CONFIG as the SDK reads it: every `<ns>:<name>` key presented as `<ns>:config:<name>`. */
export function configEnv(config: Iterable<[string, string]>): string {
  const out: Record<string, string> = {};
  for (const [k, v] of config) {
    const i = k.indexOf(":");
    if (i <= 0) throw new Error(`config key ${JSON.stringify(k)} is not of the form <namespace>:<name>`);
    const ns = k.slice(0, i);
    const rest = k.slice(i + 1);
    // Keys already in the old form keep it.
    const name = rest.startsWith("config:") ? rest.slice("config:".length) : rest;
    out[`${ns}:config:${name}`] = v;
  }
  return JSON.stringify(out);
}

export interface RunInfo {
  monitorAddress: string;
  engineAddress?: string;
  organization?: string;
  project: string;
  stack: string;
  rootDirectory: string;
  programDirectory: string;
  entryPoint: string;
  dryRun: boolean;
  parallel: number;
  args: string[];
  config: Array<[string, string]>;
  secretKeys: string[];
  options: Record<string, unknown>;
}

/** The command line and environment upstream's host gives node for a Run request. */
export function runCommand(
  info: RunInfo,
  runPath: string,
  baseEnv: NodeJS.ProcessEnv,
): { args: string[]; env: NodeJS.ProcessEnv } {
  const opts = parseOptions(info.options);
  const args = [...opts.nodeargs, runPath];
  const add = (k: string, v: string | undefined) => {
    if (v) args.push(`--${k}`, v);
  };
  add("monitor", info.monitorAddress);
  add("engine", info.engineAddress);
  add("organization", info.organization);
  add("project", info.project);
  add("root-directory", info.rootDirectory);
  add("stack", info.stack);
  add("pwd", info.programDirectory);
  if (info.dryRun) args.push("--dry-run");
  add("parallel", String(info.parallel));
  args.push(info.entryPoint || ".", ...info.args);
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  env.PULUMI_CONFIG = configEnv(info.config);
  env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(info.secretKeys);
  if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;
  return { args, env };
}

/** The RunResponse fields for a finished program: upstream's wording for each way it can end. */
export function runResult(code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) {
  if (spawnError) {
    return {
      error: `Problem executing program (could not run language executor): ${spawnError.message}`,
      bail: false,
    };
  }
  if (code === 0) return { error: "", bail: false };
  if (code === EXIT_BAIL) return { error: "", bail: true };
  if (code === null) return { error: `Program exited unexpectedly: signal: ${signal}`, bail: false };
  return { error: `Program exited with non-zero exit code: ${code}`, bail: false };
}

/** What the engine asks for in a `RunPlugin` request. */
export interface PluginRunInfo {
  /** "analyzer" for a policy pack; "resource", "tool", ... otherwise. */
  kind: string;
  programDirectory: string;
  /** The engine's working directory. */
  pwd: string;
  args: string[];
  /** The plugin's whole environment, as the engine sends it ("K=V"; a later entry wins). */
  env: string[];
  options: Record<string, unknown>;
}

/**
 * The node command line, environment and working directory upstream's host uses for a plugin:
 * `node <run path> [nodeargs] …`; a policy pack gets its arguments, then its directory, and runs in
 * that directory (as the old `pulumi-analyzer-policy` shim did); any other plugin gets its directory
 * first and runs in the engine's working directory.
 */
export function runPluginCommand(
  info: PluginRunInfo,
  runPath: string,
  extraEnv: Record<string, string> = {},
): { args: string[]; env: NodeJS.ProcessEnv; cwd: string } {
  const opts = parseOptions(info.options);
  const env: NodeJS.ProcessEnv = {};
  for (const kv of info.env) {
    const i = kv.indexOf("=");
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (opts.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfig;
  Object.assign(env, extraEnv);
  const args = [runPath, ...opts.nodeargs];
  if (info.kind === "analyzer") {
    return { args: [...args, ...info.args, info.programDirectory], env, cwd: info.programDirectory };
  }
  return { args: [...args, info.programDirectory, ...info.args], env, cwd: info.pwd };
}

export interface PackageDependency {
  name: string;
  kind: "resource";
  version: string;
  server: string;
  parameterization?: { name: string; version: string; value: string };
  /** `pulumi.extensionParameterization`: the package extends another one's plugin. */
  extension?: { name: string; version: string; value: string };
}

/**
 * The resource plugins the program needs: every package.json inside a node_modules folder under the
 * program directory (followed through symlinks, each real path once; nested policy packs skipped)
 * with `pulumi.resource: true`, named as upstream names them: `pulumi.name`, else the name without
 * its `@pulumi/` scope; a package of another scope or none without `pulumi.name` is left out (upstream
 * logs "Missing property "name" for the third-party plugin" and goes on without it).
 */
export function requiredPackages(programDirectory: string): PackageDependency[] {
  const seen = new Set<string>();
  const out: PackageDependency[] = [];
  const walk = (dir: string, inNodeModules: boolean) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          isDir = fs.statSync(p).isDirectory();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (fs.existsSync(path.join(p, "PulumiPolicy.yaml"))) continue;
        walk(p, inNodeModules || path.basename(dir) === "node_modules");
      } else if (inNodeModules && e.name === "package.json") {
        let info: {
          name?: string;
          version?: string;
          pulumi?: {
            resource?: boolean;
            name?: string;
            version?: string;
            server?: string;
            parameterization?: { name: string; version: string; value: string };
            extensionParameterization?: { name: string; version: string; value: string };
          };
        };
        try {
          info = JSON.parse(fs.readFileSync(p, "utf8"));
        } catch {
          continue;
        }
        if (!info.pulumi?.resource) continue;
        let name = info.pulumi.name ?? "";
        if (!name && info.name?.startsWith("@pulumi/")) name = info.name.slice("@pulumi/".length);
        let version = info.pulumi.version ?? info.version ?? "";
        if (!name || !version) continue;
        if (!version.startsWith("v")) version = `v${version}`;
        out.push({
          name,
          kind: "resource",
          version,
          server: info.pulumi.server ?? "",
          parameterization: info.pulumi.parameterization,
          extension: info.pulumi.extensionParameterization,
        });
      }
    }
  };
  walk(programDirectory, false);
  return out;
}

/**
 * Where `require.resolve(mod)` leads from the program directory (upstream's locateModule; for a plugin
 * the hint names `npm install` in the plugin's directory instead of `pulumi install`).
 */
function locateModule(mod: string, programDirectory: string, nodeBin: string, isPlugin = false): string {
  const install = isPlugin ? `npm install in ${programDirectory}` : "pulumi install";
  const script =
    `try { console.log(require.resolve(${JSON.stringify(mod)})); } catch (error) {` +
    ` if (error.code === 'MODULE_NOT_FOUND') { console.error(${JSON.stringify(`It looks like the Pulumi SDK has not been installed. Have you run ${install}?`)}) }` +
    ` else { console.error(error.message); } process.exit(1); }`;
  const r = spawnSync(nodeBin, ["-e", script], { cwd: programDirectory, encoding: "utf8" });
  if (r.status !== 0) throw new Error((r.stderr || String(r.error ?? "node -e failed")).trim());
  return r.stdout.trim();
}

/** `node` on PATH, as exec.LookPath("node") finds it. */
function lookPath(bin: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The version this stand-in answers with: the @pulumi/pulumi the program runs with, which is the CLI's
 * own version (SDK and CLI are released together; upstream answers with the host's build version).
 */
function sdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return `v${require("@pulumi/pulumi/package.json").version}`;
}

/** Variables the wrapper script sets to run this file; the program must not inherit them. */
const OWN_ENV = ["TS_NODE_PROJECT", "TS_NODE_TRANSPILE_ONLY", "TS_NODE_SWC"];

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
type Call<T> = { request: T };

/** A server-streaming call of grpc-js, as RunPlugin gets it. */
type StreamCall = grpc.ServerWritableStream<any, unknown>;

/**
 * `RunPlugin`: starts a plugin written in Node.js and streams its stdout and stderr to the engine;
 * a non-zero exit ends the stream with upstream's error text. A policy pack is started behind the
 * policy proxy once the engine has sent the stack's configuration (see policy-proxy.ts).
 */
async function runPlugin(call: StreamCall, running: Set<ChildProcess>): Promise<void> {
  const req = call.request;
  const pinfo = req.getInfo();
  const info: PluginRunInfo = {
    kind: req.getKind(),
    programDirectory: pinfo.getProgramDirectory(),
    pwd: req.getPwd(),
    args: req.getArgsList(),
    env: req.getEnvList(),
    options: pinfo.getOptions()?.toJavaScript() ?? {},
  };
  const send = (field: "stdout" | "stderr", data: Buffer) => {
    const m = new langpb.RunPluginResponse();
    if (field === "stdout") m.setStdout(data);
    else m.setStderr(data);
    call.write(m);
  };
  const nodeBin = lookPath("node", process.env);
  if (!nodeBin) throw new Error("could not find node on the $PATH");
  const analyzer = info.kind === "analyzer";
  const runPath = locateModule(
    analyzer
      ? "@pulumi/pulumi/cmd/run-policy-pack"
      : process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run-plugin",
    info.programDirectory,
    nodeBin,
    true,
  );
  let proxy: PolicyProxy | undefined;
  let cancelled = false;
  const started: { child?: ChildProcess } = {};
  call.on("cancelled", () => {
    // The engine is done with the plugin (upstream: the request context ends, exec kills the process).
    cancelled = true;
    started.child?.kill("SIGKILL");
    proxy?.shutdown();
  });
  let extraEnv: Record<string, string> = {};
  if (analyzer) {
    proxy = new PolicyProxy();
    const port = await proxy.start();
    send("stdout", Buffer.from(`${port}\n`));
    extraEnv = policyEnv(await proxy.awaitConfiguration());
  }
  if (cancelled) return;
  const cmd = runPluginCommand(info, runPath, extraEnv);
  const c = spawn(nodeBin, cmd.args, { cwd: cmd.cwd, env: cmd.env, stdio: ["ignore", "pipe", "pipe"] });
  started.child = c;
  running.add(c);
  c.stderr!.on("data", (d: Buffer) => send("stderr", d));
  // A policy pack's first stdout line is its own port: the proxy attaches to it; the rest is output.
  let portLine = analyzer ? "" : undefined;
  c.stdout!.on("data", (d: Buffer) => {
    if (portLine === undefined) return send("stdout", d);
    portLine += d.toString("utf8");
    const nl = portLine.indexOf("\n");
    if (nl < 0) return;
    const port = Number(portLine.slice(0, nl).trim());
    const rest = portLine.slice(nl + 1);
    portLine = undefined;
    if (rest) send("stdout", Buffer.from(rest));
    if (!Number.isInteger(port) || port <= 0) {
      proxy!.fail(new Error(`could not read policy pack port: got ${JSON.stringify(d.toString("utf8"))}`));
      return;
    }
    proxy!.attach(port).catch((e: Error) => send("stderr", Buffer.from(`${e.message}\n`)));
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    c.on("error", (e) => {
      send("stderr", Buffer.from(`${e.message}\n`));
      // Calls waiting for the pack get the reason (upstream's PolicyProxy.Abort).
      proxy?.fail(new Error(`policy pack failed to start: ${e.message}`));
    });
    c.on("close", (cd, sg) => resolve([cd, sg]));
  });
  running.delete(c);
  if (portLine !== undefined) {
    proxy?.fail(new Error("could not read policy pack port: the pack exited before printing it"));
  }
  proxy?.shutdown();
  if (cancelled) return;
  if (code === 0) return void call.end();
  throw new Error(
    code === null
      ? `Program exited unexpectedly: signal: ${signal}`
      : `Program exited with non-zero exit code: ${code}`,
  );
}

// --- InstallDependencies (added for component packages: `pulumi package add|get-schema <dir>` asks the ---------
// language host to install a source-based plugin's dependencies before it runs the plugin) ---------------------

/**
 * What upstream's host runs for `InstallDependencies` in `programDirectory`, or why this stand-in
 * cannot: "Installing dependencies...", then the package manager's install in the program directory
 * (npm: `npm install --loglevel=error`), then "Finished installing dependencies". The package
 * manager is the `packagemanager` runtime option, else the one whose lock file is there (yarn.lock,
 * pnpm-lock.yaml, bun.lock(b)), else npm. Only npm is served, and no npm/yarn workspace (upstream
 * installs from the workspace's root).
 */
export function installCommand(
  programDirectory: string,
  options: Record<string, unknown>,
): { command: string; args: string[]; cwd: string } {
  // Upstream parses the options first: a bad `typescript` value fails here too.
  parseOptions(options);
  const configured = typeof options.packagemanager === "string" ? options.packagemanager : "auto";
  let manager = configured;
  if (manager === "auto" || manager === "") {
    const locks: [string, string][] = [
      ["yarn.lock", "yarn"],
      ["pnpm-lock.yaml", "pnpm"],
      ["bun.lock", "bun"],
      ["bun.lockb", "bun"],
    ];
    manager = locks.find(([f]) => fs.existsSync(path.join(programDirectory, f)))?.[1] ?? "npm";
  }
  if (manager !== "npm") {
    throw new Error(`this stand-in installs with npm only; ${programDirectory} uses ${manager}`);
  }
  for (let dir = path.dirname(programDirectory); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      const workspaces = (JSON.parse(fs.readFileSync(pkg, "utf8")) as { workspaces?: unknown }).workspaces;
      if (workspaces !== undefined) {
        throw new Error(`this stand-in does not install npm workspaces (${pkg} declares some)`);
      }
    }
    if (path.dirname(dir) === dir) break;
  }
  return { command: "npm", args: ["install", "--loglevel=error"], cwd: programDirectory };
}

async function installDependencies(call: StreamCall): Promise<void> {
  const req = call.request;
  const pinfo = req.getInfo();
  const send = (field: "stdout" | "stderr", data: Buffer | string) => {
    const m = new langpb.InstallDependenciesResponse();
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (field === "stdout") m.setStdout(bytes);
    else m.setStderr(bytes);
    call.write(m);
  };
  const cmd = installCommand(pinfo.getProgramDirectory(), pinfo.getOptions()?.toJavaScript() ?? {});
  send("stdout", "Installing dependencies...\n\n");
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of OWN_ENV) delete env[k];
  const c = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  c.stdout!.on("data", (d: Buffer) => send("stdout", d));
  c.stderr!.on("data", (d: Buffer) => send("stderr", d));
  const code = await new Promise<number | null>((resolve, reject) => {
    c.on("error", reject);
    c.on("close", (cd) => resolve(cd));
  });
  if (code !== 0) throw new Error(`${cmd.command} install exited with code ${code}`);
  send("stdout", "Finished installing dependencies\n\n");
  call.end();
}

export function startLanguageHost(engineArg?: string): Promise<{ server: grpc.Server; port: number }> {
  let engineAddress = engineArg ?? "";
  const running = new Set<ChildProcess>();
  // The environment at the time of each Run, as upstream's os.Environ(), without the wrapper's own.
  const hostEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of OWN_ENV) delete env[k];
    return env;
  };

  const impl = {
    handshake(call: Call<typeof langpb.LanguageHandshakeRequest>, cb: Callback<unknown>) {
      engineAddress = call.request.getEngineAddress() || engineAddress;
      cb(null, new langpb.LanguageHandshakeResponse());
    },
    getPluginInfo(_call: unknown, cb: Callback<unknown>) {
      const info = new pluginpb.PluginInfo();
      info.setVersion(sdkVersion());
      cb(null, info);
    },
    getRequiredPackages(call: Call<typeof langpb.GetRequiredPackagesRequest>, cb: Callback<unknown>) {
      const res = new langpb.GetRequiredPackagesResponse();
      const deps = requiredPackages(call.request.getInfo().getProgramDirectory()).map((d) => {
        const m = new pluginpb.PackageDependency();
        m.setName(d.name);
        m.setKind(d.kind);
        m.setVersion(d.version);
        m.setServer(d.server);
        if (d.parameterization) {
          const pz = new pluginpb.PackageParameterization();
          pz.setName(d.parameterization.name);
          pz.setVersion(d.parameterization.version);
          pz.setValue(Buffer.from(d.parameterization.value, "base64"));
          m.setParameterization(pz);
        }
        if (d.extension) {
          const ext = new pluginpb.PackageParameterization();
          ext.setName(d.extension.name);
          ext.setVersion(d.extension.version);
          ext.setValue(Buffer.from(d.extension.value, "base64"));
          // The generated setter of the proto field `extension` (a reserved word in the JS codegen).
          m.setExtension$(ext);
        }
        return m;
      });
      res.setPackagesList(deps);
      cb(null, res);
    },
    run(call: Call<typeof langpb.RunRequest>, cb: Callback<unknown>) {
      const req = call.request;
      const pinfo = req.getInfo();
      const respond = (r: { error: string; bail: boolean }) => {
        const res = new langpb.RunResponse();
        res.setError(r.error);
        res.setBail(r.bail);
        cb(null, res);
      };
      const baseEnv = hostEnv();
      const nodeBin = lookPath("node", baseEnv);
      if (!nodeBin) return respond({ error: "could not find node on the $PATH", bail: false });
      let runPath: string;
      let cmd: { args: string[]; env: NodeJS.ProcessEnv };
      try {
        runPath = locateModule(
          baseEnv.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run",
          pinfo.getProgramDirectory(),
          nodeBin,
        );
        cmd = runCommand(
          {
            monitorAddress: req.getMonitorAddress(),
            engineAddress,
            organization: req.getOrganization(),
            project: req.getProject(),
            stack: req.getStack(),
            rootDirectory: pinfo.getRootDirectory(),
            programDirectory: pinfo.getProgramDirectory(),
            entryPoint: pinfo.getEntryPoint(),
            dryRun: req.getDryrun(),
            parallel: req.getParallel(),
            args: req.getArgsList(),
            config: req.getConfigMap().toArray(),
            secretKeys: req.getConfigsecretkeysList(),
            options: pinfo.getOptions()?.toJavaScript() ?? {},
          },
          runPath,
          baseEnv,
        );
      } catch (e) {
        return respond({ error: (e as Error).message, bail: false });
      }
      // stdout/stderr go where the host's go: the engine reads them as the program's output.
      const child = spawn(nodeBin, cmd.args, { env: cmd.env, stdio: ["ignore", "inherit", "inherit"] });
      running.add(child);
      let spawnError: Error | undefined;
      child.on("error", (e) => (spawnError = e));
      child.on("close", (code, signal) => {
        running.delete(child);
        respond(runResult(code, signal, spawnError));
      });
    },
    runPlugin(call: StreamCall) {
      runPlugin(call, running).catch((e: Error) =>
        call.emit("error", { code: grpc.status.UNKNOWN, details: e.message }),
      );
    },
    installDependencies(call: StreamCall) {
      installDependencies(call).catch((e: Error) =>
        call.emit("error", { code: grpc.status.UNKNOWN, details: e.message }),
      );
    },
    cancel(_call: unknown, cb: Callback<unknown>) {
      // Upstream interrupts the program and kills it 5 s later if it is still there.
      for (const c of running) {
        c.kill("SIGINT");
        setTimeout(() => c.exitCode === null && c.kill("SIGKILL"), 5000).unref();
      }
      cb(null, new Empty());
    },
  };

  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(langgrpc.LanguageRuntimeService, impl as unknown as grpc.UntypedServiceImplementation);
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) reject(err);
      else resolve({ server, port });
    });
  });
}

if (require.main === module) {
  // Go flag syntax: -flag value / -flag=value before the engine address.
  const argv = process.argv.slice(2);
  if (argv.includes("-version") || argv.includes("--version")) {
    process.stdout.write(`${sdkVersion()}\n`);
    process.exit(0);
  }
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^--?(tracing|runtime|root)$/.test(a)) i++;
    else if (!a.startsWith("-")) positional.push(a);
  }
  servePlugin("language host RPC server", () => startLanguageHost(positional[0]));
}
