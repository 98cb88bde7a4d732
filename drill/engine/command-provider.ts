/**
 * DECLARED STAND-IN (test harness only, never used by the product): the resource provider plugin
 * `pulumi-resource-command` v1.2.1, serving `command:local:Command` only.
 *
 * Why: no version of github.com/pulumi/pulumi-command is served by the Go module proxy here, so the
 * real engine could not run the program's Commands (the restore chain, Velero's checks, the app
 * preparation) without a stand-in. What it does is what @pulumi/command 1.2.1's provider
 * (provider/pkg/provider/local and pulumi-go-provider v1.3's `infer` layer) does:
 * - Create runs `create` through `interpreter` (default `/bin/sh -c`) in `dir` (default: the
 *   provider's working directory, the project's), with the provider's environment plus
 *   `environment`, `stdin` on standard input; during a preview nothing runs and `stdout`/`stderr`
 *   are unknown. A failed create returns an error and leaves no state; the error reads
 *   `exit status N: running "<command>":` followed by the combined output.
 * - Update runs `update`, or `create` when there is no `update`; Delete runs `delete`. Both get
 *   the previous `stdout`/`stderr` as PULUMI_COMMAND_STDOUT / PULUMI_COMMAND_STDERR unless
 *   `addPreviousOutputInEnv` is false (also on Create/Update when earlier outputs exist).
 * - Diff compares the old inputs with the new ones: a change of `triggers` replaces the resource
 *   (create-before-delete), any other change updates it; `ignoreChanges` is honoured.
 * - Outputs are the inputs plus `stdout`/`stderr`, each with its trailing newline trimmed; those
 *   two are secret when any input holds a secret (every output depends on every input).
 * - Each output line is sent to the engine as it comes, as an ephemeral info status of the
 *   resource (`logging`: stdout, stderr, stdoutAndStderr (default), none).
 * - Cancel kills the running commands (upstream cancels their context: SIGKILL). Different on
 *   purpose: the whole process group of each command goes (upstream kills the interpreter only and
 *   then waits for whatever it started to close the output, which can take as long as the command).
 * Not served: `command:local:run` (invoke), `command:remote:*`, `assetPaths`/`archivePaths` (the
 * program uses none; Check rejects them rather than ignoring them). test/engine/command-provider.test.ts
 * checks the behaviour above against the @pulumi/command SDK's types.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "child_process";
import * as crypto from "crypto";
import { servePlugin } from "./serve";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerpb = require("@pulumi/pulumi/proto/provider_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providergrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pluginpb = require("@pulumi/pulumi/proto/plugin_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const enginepb = require("@pulumi/pulumi/proto/engine_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const enginegrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

/** The version of the real provider this stands in for (what @pulumi/command 1.2.1 asks for). */
export const COMMAND_PROVIDER_VERSION = "1.2.1";
export const LOCAL_COMMAND = "command:local:Command";

// Pulumi's wire encoding of unknown and secret values inside a google.protobuf.Struct.
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type Props = Record<string, unknown>;
export interface Secret {
  [SIG]: string;
  value: unknown;
}

export const isSecret = (v: unknown): v is Secret =>
  !!v && typeof v === "object" && !Array.isArray(v) && (v as Props)[SIG] === SECRET_SIG;
export const secret = (value: unknown): Secret => ({ [SIG]: SECRET_SIG, value });
export const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/** The value without secret wrappers (at any depth). */
export function reveal(v: unknown): unknown {
  if (isSecret(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}
export function containsSecrets(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecrets);
  if (v && typeof v === "object") return Object.values(v).some(containsSecrets);
  return false;
}
export function containsUnknowns(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (isSecret(v)) return containsUnknowns(v.value);
  if (Array.isArray(v)) return v.some(containsUnknowns);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknowns);
  return false;
}
/** Deep equality of two property values, secretness aside (as the engine's object diff compares). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(reveal(a))) === JSON.stringify(canonical(reveal(b)));
}
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Props)[k])]),
    );
  }
  return v;
}

/** The inputs of `command:local:Command` (ResourceInputs + BaseInputs of the real provider). */
export const INPUT_TYPES: Record<string, "string" | "string[]" | "map" | "bool" | "array" | "logging"> = {
  create: "string",
  update: "string",
  delete: "string",
  triggers: "array",
  stdin: "string",
  logging: "logging",
  interpreter: "string[]",
  dir: "string",
  environment: "map",
  addPreviousOutputInEnv: "bool",
};
export const LOGGING = ["stdout", "stderr", "stdoutAndStderr", "none"];
export const UNSERVED = ["assetPaths", "archivePaths"];

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Check: the inputs typed as the real provider's schema types them; unknowns pass (preview). */
export function checkInputs(news: Props): { inputs: Props; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  for (const [key, raw] of Object.entries(news)) {
    if (key.startsWith("__")) continue;
    if (UNSERVED.includes(key)) {
      failures.push({
        property: key,
        reason: `${key} is not served by the drill's command provider stand-in`,
      });
      continue;
    }
    const type = INPUT_TYPES[key];
    if (!type) continue; // the real provider ignores properties it does not know
    const v = reveal(raw);
    if (v === null || v === undefined || containsUnknowns(v)) continue;
    const bad = (what: string) => failures.push({ property: key, reason: `${key}: expected ${what}` });
    switch (type) {
      case "string":
        if (typeof v !== "string") bad("a string");
        break;
      case "bool":
        if (typeof v !== "boolean") bad("a boolean");
        break;
      case "array":
        if (!Array.isArray(v)) bad("an array");
        break;
      case "string[]":
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) bad("an array of strings");
        break;
      case "map":
        if (
          typeof v !== "object" ||
          Array.isArray(v) ||
          Object.values(v).some((x) => typeof x !== "string")
        ) {
          bad("a map of strings");
        }
        break;
      case "logging":
        if (typeof v !== "string" || !LOGGING.includes(v)) bad(`one of ${LOGGING.join(", ")}`);
        break;
    }
  }
  return { inputs: news, failures };
}

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  diffs: string[];
}

/** Diff of old inputs against new ones: `triggers` replaces, everything else updates. */
export function diffInputs(oldInputs: Props, news: Props, ignoreChanges: string[] = []): DiffResult {
  const n: Props = { ...news };
  for (const k of ignoreChanges) if (k in oldInputs) n[k] = oldInputs[k];
  const keys = new Set(
    [...Object.keys(oldInputs), ...Object.keys(n)].filter((k) => k !== "version" && !k.startsWith("__")),
  );
  const diffs: string[] = [];
  for (const k of [...keys].sort()) {
    const a = oldInputs[k];
    const b = n[k];
    const absent = (x: unknown) => x === undefined || x === null;
    if (absent(a) && absent(b)) continue;
    if (containsUnknowns(b) || !sameValue(a, b)) diffs.push(k);
  }
  return { changes: diffs.length > 0, replaces: diffs.filter((k) => k === "triggers"), diffs };
}

/**
 * The outputs recorded for a resource: its inputs, and `stdout`/`stderr`. In a preview, a create's
 * `stdout`/`stderr` are unknown, and an update's are unknown when an input changed or is unknown; they
 * are secret when any input holds a secret.
 */
export function outputsFor(
  inputs: Props,
  result: { stdout: string; stderr: string } | undefined,
  mode: {
    preview: boolean;
    create: boolean;
    oldInputs?: Props;
    previous?: { stdout: string; stderr: string };
  },
): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(inputs)) if (!k.startsWith("__")) out[k] = v;
  let stdout: unknown = result?.stdout ?? mode.previous?.stdout ?? "";
  let stderr: unknown = result?.stderr ?? mode.previous?.stderr ?? "";
  if (mode.preview) {
    const changed =
      mode.create || containsUnknowns(inputs) || diffInputs(mode.oldInputs ?? {}, inputs).changes;
    if (changed) {
      stdout = UNKNOWN;
      stderr = UNKNOWN;
    }
  }
  const secretInputs = Object.values(inputs).some(containsSecrets);
  out.stdout = secretInputs && !isUnknown(stdout) ? secret(stdout) : stdout;
  out.stderr = secretInputs && !isUnknown(stderr) ? secret(stderr) : stderr;
  return out;
}

export interface RunOptions {
  /** Called with each output line as it comes (stream: which one it came from). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Previous outputs, given as PULUMI_COMMAND_STDOUT/STDERR unless addPreviousOutputInEnv is false. */
  previous?: { stdout: string; stderr: string };
  /** The working directory when `dir` is not set (upstream: os.Getwd() of the provider). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  track?: (child: ChildProcess | undefined) => void;
}

export class CommandError extends Error {}

/** Go's %q for a command string (strconv.Quote; the commands here are ASCII/UTF-8 text). */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, "\\x7f");
}

/** Runs one of the resource's commands as the real provider's `run` does. */
export function runCommand(
  command: string,
  inputs: Props,
  opts: RunOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const plain = reveal(inputs) as Props;
  const interpreter =
    Array.isArray(plain.interpreter) && plain.interpreter.length > 0
      ? (plain.interpreter as string[])
      : ["/bin/sh", "-c"];
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  for (const [k, v] of Object.entries((plain.environment as Record<string, string>) ?? {})) env[k] = v;
  if (plain.addPreviousOutputInEnv !== false && opts.previous) {
    if (opts.previous.stdout !== "") env.PULUMI_COMMAND_STDOUT = opts.previous.stdout;
    if (opts.previous.stderr !== "") env.PULUMI_COMMAND_STDERR = opts.previous.stderr;
  }
  const logging = (plain.logging as string | undefined) ?? "stdoutAndStderr";
  const logStdout = logging === "stdout" || logging === "stdoutAndStderr";
  const logStderr = logging === "stderr" || logging === "stdoutAndStderr";
  const hasStdin = typeof plain.stdin === "string" && plain.stdin.length > 0;

  return new Promise((resolve, reject) => {
    const child = spawn(interpreter[0], [...interpreter.slice(1), command], {
      cwd: typeof plain.dir === "string" ? plain.dir : (opts.cwd ?? process.cwd()),
      env,
      stdio: [hasStdin ? "pipe" : "ignore", "pipe", "pipe"],
      // Its own process group, so that Cancel can stop what the interpreter started as well.
      detached: true,
    });
    opts.track?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let both = "";
    // Lines go to the log as they come; the two streams share one line splitter, as upstream's
    // single logging pipe does.
    let pending = "";
    const log = (chunk: string, stream: "stdout" | "stderr") => {
      const all = pending + chunk;
      const lines = all.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) opts.onLine?.(l, stream);
    };
    child.stdout?.on("data", (c: Buffer) => {
      out.push(c);
      both += c.toString("utf8");
      if (logStdout) log(c.toString("utf8"), "stdout");
    });
    child.stderr?.on("data", (c: Buffer) => {
      err.push(c);
      both += c.toString("utf8");
      if (logStderr) log(c.toString("utf8"), "stderr");
    });
    if (hasStdin) {
      child.stdin?.on("error", () => undefined); // a command that does not read its stdin
      child.stdin?.end(plain.stdin as string);
    }
    let spawnError: Error | undefined;
    child.on("error", (e) => (spawnError = e));
    child.on("close", (code, signal) => {
      opts.track?.(undefined);
      if (pending) opts.onLine?.(pending, "stdout");
      if (spawnError) {
        return reject(new CommandError(`${spawnError.message}: running ${goQuote(command)}:\n${both}`));
      }
      if (code !== 0) {
        const why = signal ? `signal: ${signalName(signal)}` : `exit status ${code}`;
        return reject(new CommandError(`${why}: running ${goQuote(command)}:\n${both}`));
      }
      resolve({
        stdout: Buffer.concat(out).toString("utf8").replace(/\n$/, ""),
        stderr: Buffer.concat(err).toString("utf8").replace(/\n$/, ""),
      });
    });
  });
}

function killGroup(c: ChildProcess): void {
  try {
    if (c.pid) process.kill(-c.pid, "SIGKILL");
  } catch {
    c.kill("SIGKILL"); // already gone, or no group of its own
  }
}

/** Go's names for the signals (os/exec: "signal: killed"). */
function signalName(s: NodeJS.Signals): string {
  return (
    (
      { SIGKILL: "killed", SIGTERM: "terminated", SIGINT: "interrupt", SIGHUP: "hangup" } as Record<
        string,
        string
      >
    )[s] ?? s
  );
}

/** resource.NewUniqueHex(name, 8, 0): the name and 8 random hex characters. */
export function newId(name: string): string {
  return `${name}${crypto.randomBytes(4).toString("hex")}`;
}

const previousOf = (state: Props): { stdout: string; stderr: string } => ({
  stdout: String(reveal(state.stdout) ?? ""),
  stderr: String(reveal(state.stderr) ?? ""),
});

type Callback<T> = (err: Partial<grpc.ServiceError> | null, value?: T) => void;

type Call = { request: any };

const toStruct = (p: Props) => Struct.fromJavaScript(p);
const fromStruct = (s: { toJavaScript(): Props } | undefined): Props => s?.toJavaScript() ?? {};
const fail = (cb: Callback<unknown>, e: unknown) =>
  cb({ code: grpc.status.UNKNOWN, details: (e as Error).message, message: (e as Error).message });

function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

export function startCommandProvider(
  engineArg?: string,
): Promise<{ server: grpc.Server; port: number; shutdown: () => void }> {
  let engine: { log: (req: unknown, cb: () => void) => void; close: () => void } | undefined;
  const connect = (address: string) => {
    if (!address) return;
    engine?.close();
    engine = new enginegrpc.EngineClient(address, grpc.credentials.createInsecure());
  };
  connect(engineArg ?? "");
  const running = new Set<ChildProcess>();
  const track = () => {
    let current: ChildProcess | undefined;
    return (c: ChildProcess | undefined) => {
      if (current) running.delete(current);
      current = c;
      if (c) running.add(c);
    };
  };
  const status = (urn: string) => (line: string) => {
    if (!engine) return;
    const req = new enginepb.LogRequest();
    req.setSeverity(enginepb.LogSeverity.INFO);
    req.setMessage(line);
    req.setUrn(urn);
    req.setEphemeral(true);
    engine.log(req, () => undefined);
  };
  const ensureLocalCommand = (type: string, urn: string) => {
    const t = type || urn.split("::")[2]?.split("$").pop() || "";
    if (t !== LOCAL_COMMAND)
      throw new Error(`the command provider stand-in serves ${LOCAL_COMMAND} only, not ${t}`);
  };

  const impl = {
    handshake(call: Call, cb: Callback<unknown>) {
      connect(call.request.getEngineAddress());
      const res = new providerpb.ProviderHandshakeResponse();
      res.setAcceptSecrets(true);
      res.setAcceptResources(true);
      res.setAcceptOutputs(false);
      res.setSupportsAutonamingConfiguration(false);
      cb(null, res);
    },
    getPluginInfo(_call: Call, cb: Callback<unknown>) {
      const info = new pluginpb.PluginInfo();
      info.setVersion(COMMAND_PROVIDER_VERSION);
      cb(null, info);
    },
    getSchema(_call: Call, cb: Callback<unknown>) {
      const res = new providerpb.GetSchemaResponse();
      res.setSchema(JSON.stringify({ name: "command", version: COMMAND_PROVIDER_VERSION, resources: {} }));
      cb(null, res);
    },
    checkConfig(call: Call, cb: Callback<unknown>) {
      const res = new providerpb.CheckResponse();
      res.setInputs(call.request.getNews());
      cb(null, res);
    },
    diffConfig(_call: Call, cb: Callback<unknown>) {
      const res = new providerpb.DiffResponse();
      res.setChanges(providerpb.DiffResponse.DiffChanges.DIFF_NONE);
      cb(null, res);
    },
    configure(_call: Call, cb: Callback<unknown>) {
      const res = new providerpb.ConfigureResponse();
      res.setAcceptsecrets(true);
      res.setSupportspreview(true);
      res.setAcceptresources(true);
      res.setAcceptoutputs(false);
      cb(null, res);
    },
    check(call: Call, cb: Callback<unknown>) {
      try {
        ensureLocalCommand(call.request.getType(), call.request.getUrn());
        const { inputs, failures } = checkInputs(fromStruct(call.request.getNews()));
        const res = new providerpb.CheckResponse();
        res.setInputs(toStruct(inputs));
        res.setFailuresList(
          failures.map((f) => {
            const m = new providerpb.CheckFailure();
            m.setProperty(f.property);
            m.setReason(f.reason);
            return m;
          }),
        );
        cb(null, res);
      } catch (e) {
        fail(cb, e);
      }
    },
    diff(call: Call, cb: Callback<unknown>) {
      const req = call.request;
      const oldInputs = req.getOldInputs() ? fromStruct(req.getOldInputs()) : fromStruct(req.getOlds());
      const d = diffInputs(oldInputs, fromStruct(req.getNews()), req.getIgnorechangesList());
      const res = new providerpb.DiffResponse();
      res.setChanges(
        d.changes
          ? providerpb.DiffResponse.DiffChanges.DIFF_SOME
          : providerpb.DiffResponse.DiffChanges.DIFF_NONE,
      );
      res.setReplacesList(d.replaces);
      res.setDiffsList(d.diffs);
      res.setDeletebeforereplace(false);
      cb(null, res);
    },
    async create(call: Call, cb: Callback<unknown>) {
      const req = call.request;
      try {
        ensureLocalCommand(req.getType(), req.getUrn());
        const inputs = fromStruct(req.getProperties());
        const preview = req.getPreview();
        const script = reveal(inputs.create);
        let result: { stdout: string; stderr: string } | undefined;
        if (!preview && typeof script === "string") {
          result = await runCommand(script, inputs, { onLine: status(req.getUrn()), track: track() });
        }
        const res = new providerpb.CreateResponse();
        res.setId(preview ? "" : newId(req.getName() || nameOf(req.getUrn())));
        res.setProperties(toStruct(outputsFor(inputs, result, { preview, create: true })));
        cb(null, res);
      } catch (e) {
        fail(cb, e);
      }
    },
    read(call: Call, cb: Callback<unknown>) {
      // Commands cannot be read back: refresh keeps what the state holds.
      const req = call.request;
      const res = new providerpb.ReadResponse();
      res.setId(req.getId());
      res.setProperties(req.getProperties());
      res.setInputs(req.getInputs());
      cb(null, res);
    },
    async update(call: Call, cb: Callback<unknown>) {
      const req = call.request;
      try {
        const olds = fromStruct(req.getOlds());
        const news = fromStruct(req.getNews());
        const preview = req.getPreview();
        const previous = previousOf(olds);
        const script = reveal(news.update ?? news.create);
        let result: { stdout: string; stderr: string } | undefined;
        if (!preview && typeof script === "string") {
          result = await runCommand(script, news, { onLine: status(req.getUrn()), previous, track: track() });
        }
        const oldInputs = req.getOldInputs() ? fromStruct(req.getOldInputs()) : olds;
        const res = new providerpb.UpdateResponse();
        res.setProperties(
          toStruct(outputsFor(news, result, { preview, create: false, oldInputs, previous })),
        );
        cb(null, res);
      } catch (e) {
        fail(cb, e);
      }
    },
    async delete(call: Call, cb: Callback<unknown>) {
      const req = call.request;
      try {
        const state = fromStruct(req.getProperties());
        const script = reveal(state.delete);
        if (typeof script === "string") {
          await runCommand(script, state, {
            onLine: status(req.getUrn()),
            previous: previousOf(state),
            track: track(),
          });
        }
        cb(null, new Empty());
      } catch (e) {
        fail(cb, e);
      }
    },
    cancel(_call: Call, cb: Callback<unknown>) {
      for (const c of running) killGroup(c);
      cb(null, new Empty());
    },
    invoke(call: Call, cb: Callback<unknown>) {
      cb({
        code: grpc.status.UNIMPLEMENTED,
        details: `invoke ${call.request.getTok()} is not served by the stand-in`,
      });
    },
    attach(_call: Call, cb: Callback<unknown>) {
      cb(null, new Empty());
    },
  };

  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(
    providergrpc.ResourceProviderService,
    impl as unknown as grpc.UntypedServiceImplementation,
  );
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) return reject(err);
      resolve({
        server,
        port,
        shutdown: () => {
          for (const c of running) killGroup(c);
          engine?.close();
          server.forceShutdown();
        },
      });
    });
  });
}

if (require.main === module) {
  // The engine starts a provider as `<binary> [flags] <engine address>` and reads its port from stdout.
  // The wrapper's ts-node setting is not the commands' business (upstream passes os.Environ()).
  delete process.env.TS_NODE_PROJECT;
  const positional = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  servePlugin("the command provider stand-in", () => startCommandProvider(positional[0]));
}
