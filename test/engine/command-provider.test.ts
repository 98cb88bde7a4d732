import { strict as assert } from "assert";
import * as grpc from "@grpc/grpc-js";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { local as localEnums } from "@pulumi/command/types/enums";
import {
  COMMAND_PROVIDER_VERSION,
  INPUT_TYPES,
  LOGGING,
  UNKNOWN,
  UNSERVED,
  checkInputs,
  diffInputs,
  outputsFor,
  runCommand,
  secret,
  startCommandProvider,
} from "../../drill/engine/command-provider";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerpb = require("@pulumi/pulumi/proto/provider_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providergrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const enginegrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const URN = "urn:pulumi:drill::velero-dr::command:local:Command::step";

/** Members of an interface or class declared in @pulumi/command's local/command.d.ts. */
function sdkMembers(name: string): Map<string, string> {
  const file = require.resolve("@pulumi/command/local/command.d.ts");
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out = new Map<string, string>();
  src.forEachChild((n) => {
    if ((ts.isInterfaceDeclaration(n) || ts.isClassDeclaration(n)) && n.name?.text === name) {
      for (const m of n.members) {
        if ((ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) && m.name && ts.isIdentifier(m.name)) {
          const static_ =
            ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
          if (!static_ && !m.name.text.startsWith("__")) out.set(m.name.text, m.type?.getText(src) ?? "");
        }
      }
    }
  });
  return out;
}

/** Calls the stand-in over gRPC as the engine does; a fake engine records the status lines it logs. */
class Harness {
  logs: { urn: string; message: string; ephemeral: boolean }[] = [];
  engineAddress = "";
  private engine = new grpc.Server();
  private stop?: () => void;

  client: any;

  async start(): Promise<void> {
    this.engine.addService(enginegrpc.EngineService, {
      log: (
        call: { request: { getUrn(): string; getMessage(): string; getEphemeral(): boolean } },
        cb: (e: null, v: unknown) => void,
      ) => {
        this.logs.push({
          urn: call.request.getUrn(),
          message: call.request.getMessage(),
          ephemeral: call.request.getEphemeral(),
        });
        cb(null, new Empty());
      },
    } as unknown as grpc.UntypedServiceImplementation);
    const enginePort = await new Promise<number>((res, rej) =>
      this.engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? rej(e) : res(p),
      ),
    );
    this.engineAddress = `127.0.0.1:${enginePort}`;
    const { port, shutdown } = await startCommandProvider(this.engineAddress);
    this.stop = shutdown;
    this.client = new providergrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
  }
  close(): void {
    this.client?.close();
    this.stop?.();
    this.engine.forceShutdown();
  }

  call<T = any>(method: string, req: unknown): Promise<T> {
    return new Promise((res, rej) =>
      this.client[method](req, (e: Error | null, v: T) => (e ? rej(e) : res(v))),
    );
  }
  async create(props: Record<string, unknown>, preview = false) {
    const req = new providerpb.CreateRequest();
    req.setUrn(URN);
    req.setName("step");
    req.setType("command:local:Command");
    req.setProperties(Struct.fromJavaScript(props));
    req.setPreview(preview);
    const r = await this.call("create", req);
    return { id: r.getId() as string, props: r.getProperties().toJavaScript() as Record<string, unknown> };
  }
  async update(olds: Record<string, unknown>, news: Record<string, unknown>, preview = false) {
    const req = new providerpb.UpdateRequest();
    req.setUrn(URN);
    req.setId("step1234");
    req.setType("command:local:Command");
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    req.setPreview(preview);
    const r = await this.call("update", req);
    return r.getProperties().toJavaScript() as Record<string, unknown>;
  }
  async delete(props: Record<string, unknown>) {
    const req = new providerpb.DeleteRequest();
    req.setUrn(URN);
    req.setId("step1234");
    req.setProperties(Struct.fromJavaScript(props));
    await this.call("delete", req);
  }
}

/**
 * Conformance of the declared stand-in for the `command` resource provider (drill/engine): the
 * engine must see what @pulumi/command 1.2.1's provider does for `command:local:Command`.
 */
describe("engine stand-in: command provider (command:local:Command)", () => {
  let h: Harness;
  let tmp: string;
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "velero-dr-cmdprov-"));
    h = new Harness();
    await h.start();
  });
  after(() => {
    h.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("takes exactly the SDK's inputs with the SDK's types, and returns the SDK's outputs", () => {
    const args = sdkMembers("CommandArgs");
    assert.deepEqual([...args.keys()].sort(), [...Object.keys(INPUT_TYPES), ...UNSERVED].sort());
    const kinds: Record<string, RegExp> = {
      string: /^pulumi\.Input<string>$/,
      bool: /^pulumi\.Input<boolean>$/,
      "string[]": /^pulumi\.Input<pulumi\.Input<string>\[\]>$/,
      array: /^pulumi\.Input<any\[\]>$/,
      map: /^pulumi\.Input<\{\s*\[key: string\]: pulumi\.Input<string>;?\s*\}>$/,
      logging: /^pulumi\.Input<enums\.local\.Logging>$/,
    };
    for (const [k, kind] of Object.entries(INPUT_TYPES)) assert.match(args.get(k) ?? "", kinds[kind], k);
    assert.deepEqual([...LOGGING].sort(), Object.values(localEnums.Logging).sort());
    // Outputs: every input, plus stdout/stderr (always strings) and the asset outputs not served.
    const outputs = sdkMembers("Command");
    const notServed = ["archive", "assets", ...UNSERVED];
    const mine = Object.keys(
      outputsFor(
        { create: "x", dir: "/", environment: {} },
        { stdout: "", stderr: "" },
        { preview: false, create: true },
      ),
    );
    for (const k of [...outputs.keys()].filter((k) => !notServed.includes(k))) {
      if (k === "stdout" || k === "stderr") assert.ok(mine.includes(k), k);
      else assert.ok(k in INPUT_TYPES, `${k} is an output of the SDK that the stand-in does not mirror`);
    }
    assert.match(outputs.get("stdout") ?? "", /^pulumi\.Output<string>$/);
  });

  it("checks types as the schema does, lets unknowns through, and refuses what it does not serve", () => {
    assert.deepEqual(
      checkInputs({ create: "true", interpreter: ["/bin/bash", "-c"], environment: { A: "1" } }).failures,
      [],
    );
    assert.deepEqual(checkInputs({ create: UNKNOWN, environment: { A: UNKNOWN } }).failures, []);
    assert.deepEqual(checkInputs({ environment: secret({ A: "1" }) }).failures, []);
    const bad = checkInputs({
      create: 1,
      interpreter: "bash",
      environment: { A: 1 },
      logging: "all",
      addPreviousOutputInEnv: "yes",
      assetPaths: ["*"],
    }).failures.map((f) => f.property);
    assert.deepEqual(bad.sort(), [
      "addPreviousOutputInEnv",
      "assetPaths",
      "create",
      "environment",
      "interpreter",
      "logging",
    ]);
  });

  it("diffs old inputs against new ones: triggers replace, other changes update, secrets compared by value", () => {
    const old = { create: "a", triggers: ["1"], environment: { K: "v" } };
    assert.deepEqual(diffInputs(old, { ...old }), { changes: false, replaces: [], diffs: [] });
    assert.deepEqual(diffInputs(old, { ...old, environment: secret({ K: "v" }) }).changes, false);
    assert.deepEqual(diffInputs(old, { ...old, create: "b" }), {
      changes: true,
      replaces: [],
      diffs: ["create"],
    });
    assert.deepEqual(diffInputs(old, { ...old, triggers: ["2"] }), {
      changes: true,
      replaces: ["triggers"],
      diffs: ["triggers"],
    });
    assert.deepEqual(diffInputs(old, { ...old, environment: { K: UNKNOWN } }).diffs, ["environment"]);
    assert.deepEqual(diffInputs(old, { ...old, create: "b" }, ["create"]).changes, false);
    assert.deepEqual(diffInputs(old, { ...old, update: "u" }).diffs, ["update"]);
  });

  it("runs create through the interpreter in dir, with environment (secrets revealed), stdin and trimmed outputs", async () => {
    const { id, props } = await h.create({
      create: 'echo "$PWD $GREETING $TOKEN"; cat; echo warn >&2',
      interpreter: ["/bin/bash", "-c"],
      dir: tmp,
      environment: { GREETING: "hello", TOKEN: secret("s3cr3t") },
      stdin: "from stdin\n",
    });
    assert.match(id, /^step[0-9a-f]{8}$/);
    // stdout/stderr are secret because an input holds a secret; the inputs are mirrored.
    assert.deepEqual(props.stdout, secret(`${tmp} hello s3cr3t\nfrom stdin`));
    assert.deepEqual(props.stderr, secret("warn"));
    assert.deepEqual(props.environment, { GREETING: "hello", TOKEN: secret("s3cr3t") });
    assert.deepEqual(props.dir, tmp);
  });

  it("sends each output line to the engine as it comes, as an ephemeral status, unless logging says otherwise", async () => {
    h.logs = [];
    const started = Date.now();
    const seen: number[] = [];
    const watcher = setInterval(() => seen.push(h.logs.length), 50);
    await h.create({ create: "echo one; sleep 0.6; echo two >&2; sleep 0.3" });
    clearInterval(watcher);
    assert.ok(Date.now() - started >= 800);
    assert.deepEqual(h.logs, [
      { urn: URN, message: "one", ephemeral: true },
      { urn: URN, message: "two", ephemeral: true },
    ]);
    assert.ok(seen.includes(1), "the first line reached the engine before the command ended");
    h.logs = [];
    await h.create({ create: "echo out; echo err >&2", logging: "stderr" });
    assert.deepEqual(
      h.logs.map((l) => l.message),
      ["err"],
    );
    h.logs = [];
    await h.create({ create: "echo out; echo err >&2", logging: "none" });
    assert.deepEqual(h.logs, []);
  });

  it("a failing create returns the error (exit status, quoted command, output) and no resource", async () => {
    await assert.rejects(h.create({ create: "echo partial; echo broken >&2; exit 3" }), (e: Error) => {
      assert.match(
        e.message,
        /exit status 3: running "echo partial; echo broken >&2; exit 3":\npartial\nbroken\n/,
      );
      return true;
    });
  });

  it("in a preview runs nothing: a create's stdout/stderr are unknown, an unchanged update keeps them", async () => {
    const marker = path.join(tmp, "preview-ran");
    const { id, props } = await h.create({ create: `touch ${marker}` }, true);
    assert.equal(id, "");
    assert.equal(props.stdout, UNKNOWN);
    assert.equal(props.stderr, UNKNOWN);
    const olds = { create: `touch ${marker}`, stdout: "before", stderr: "" };
    const changed = await h.update(olds, { create: `touch ${marker}; true` }, true);
    assert.equal(changed.stdout, UNKNOWN);
    assert.ok(!fs.existsSync(marker));
  });

  it("update runs update (or create), delete runs delete, both with the previous outputs in env unless disabled", async () => {
    const olds = { create: "echo created", update: "echo updated", stdout: "created", stderr: "" };
    const up = await h.update(olds, { ...olds, update: 'echo "updated after $PULUMI_COMMAND_STDOUT"' });
    assert.equal(up.stdout, "updated after created");
    const noUpdate = await h.update(olds, { create: 'echo "re-created after $PULUMI_COMMAND_STDOUT"' });
    assert.equal(noUpdate.stdout, "re-created after created");
    const off = await h.update(olds, {
      create: 'echo "[${PULUMI_COMMAND_STDOUT:-}]"',
      addPreviousOutputInEnv: false,
    });
    assert.equal(off.stdout, "[]");
    const out = path.join(tmp, "deleted");
    await h.delete({
      create: "x",
      delete: `echo "$PULUMI_COMMAND_STDOUT" > ${out}`,
      stdout: secret("the old output"),
      stderr: "",
    });
    assert.equal(fs.readFileSync(out, "utf8"), "the old output\n");
    await h.delete({ create: "x", stdout: "", stderr: "" }); // nothing to run
    await assert.rejects(h.delete({ delete: "exit 4", stdout: "", stderr: "" }), /exit status 4/);
  });

  it("Cancel kills the running commands (upstream cancels their context)", async () => {
    const started = Date.now();
    const pending = h.create({ create: "sleep 30" });
    await new Promise((r) => setTimeout(r, 300));
    await h.call("cancel", new Empty());
    await assert.rejects(pending, /signal: killed: running "sleep 30"/);
    assert.ok(Date.now() - started < 10_000);
  });

  it("answers the engine's handshake, plugin info, config calls and Diff over gRPC", async () => {
    const info = await h.call("getPluginInfo", new Empty());
    assert.equal(info.getVersion(), COMMAND_PROVIDER_VERSION);
    const sdkPackage = JSON.parse(fs.readFileSync(require.resolve("@pulumi/command/package.json"), "utf8"));
    assert.equal(
      sdkPackage.pulumi.version,
      COMMAND_PROVIDER_VERSION,
      "the version @pulumi/command asks the engine for",
    );
    const hs = new providerpb.ProviderHandshakeRequest();
    hs.setEngineAddress(h.engineAddress);
    const shake = await h.call("handshake", hs);
    assert.equal(shake.getAcceptSecrets(), true);
    const conf = await h.call("configure", new providerpb.ConfigureRequest());
    assert.equal(conf.getAcceptsecrets(), true);
    assert.equal(conf.getSupportspreview(), true);
    const req = new providerpb.DiffRequest();
    req.setUrn(URN);
    req.setOlds(Struct.fromJavaScript({ create: "a", triggers: [1], stdout: "x" }));
    req.setOldInputs(Struct.fromJavaScript({ create: "a", triggers: [1] }));
    req.setNews(Struct.fromJavaScript({ create: "a", triggers: [2] }));
    const d = await h.call("diff", req);
    assert.equal(d.getChanges(), providerpb.DiffResponse.DiffChanges.DIFF_SOME);
    assert.deepEqual(d.getReplacesList(), ["triggers"]);
    assert.equal(d.getDeletebeforereplace(), false);
    const check = new providerpb.CheckRequest();
    check.setUrn(URN);
    check.setType("command:local:Command");
    check.setNews(Struct.fromJavaScript({ create: 5 }));
    const c = await h.call("check", check);
    assert.deepEqual(
      c.getFailuresList().map((f: { getProperty(): string }) => f.getProperty()),
      ["create"],
    );
  });

  it("runs commands with the provider's environment (no leaked wrapper settings) plus its own", async () => {
    process.env.VELERO_DR_PROVIDER_ENV = "inherited";
    try {
      const r = await runCommand('echo "$VELERO_DR_PROVIDER_ENV $OWN"', { environment: { OWN: "own" } });
      assert.equal(r.stdout, "inherited own");
    } finally {
      delete process.env.VELERO_DR_PROVIDER_ENV;
    }
  });
});
