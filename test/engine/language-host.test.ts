import { strict as assert } from "assert";
import * as grpc from "@grpc/grpc-js";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  configEnv,
  parseOptions,
  requiredPackages,
  runCommand,
  runPluginCommand,
  runResult,
  shellSplit,
  startLanguageHost,
} from "../../drill/engine/language-host";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const langpb = require("@pulumi/pulumi/proto/language_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const langgrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzergrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const repo = path.resolve(__dirname, "../..");

/**
 * Conformance of the declared stand-in for Pulumi's Node.js language host (drill/engine): it must
 * start a program exactly as pulumi-language-nodejs v3.276.0 does for this project's options.
 */
describe("engine stand-in: Node.js language host", () => {
  it("reads runtime.options like upstream (typescript default true; typed errors)", () => {
    assert.deepEqual(parseOptions({}), { typescript: true, nodeargs: [] });
    assert.deepEqual(
      parseOptions({
        typescript: false,
        tsconfig: "../tsconfig.json",
        nodeargs: "--max-old-space-size=4096 --trace-warnings",
      }),
      {
        typescript: false,
        tsconfig: "../tsconfig.json",
        nodeargs: ["--max-old-space-size=4096", "--trace-warnings"],
      },
    );
    assert.throws(() => parseOptions({ typescript: "yes" }), /typescript option must be a boolean/);
    assert.throws(() => parseOptions({ tsconfig: 1 }), /must be a string/);
    assert.throws(
      () => parseOptions({ packagemanager: "cargo" }),
      /one of auto, npm, yarn, pnpm or bun, got "cargo"/,
    );
    assert.deepEqual(shellSplit(`--a "b c" 'd e' f\\ g`), ["--a", "b c", "d e", "f g"]);
    assert.throws(() => shellSplit(`--a "b`), /unterminated/);
  });

  it("presents config keys as <ns>:config:<name> with the secret keys beside them", () => {
    assert.deepEqual(
      JSON.parse(
        configEnv([
          ["velero-dr:app", "dash-enterprise"],
          ["aws:region", "eu-west-1"],
        ]),
      ),
      {
        "velero-dr:config:app": "dash-enterprise",
        "aws:config:region": "eu-west-1",
      },
    );
    const { env } = runCommand(
      {
        monitorAddress: "127.0.0.1:1",
        project: "p",
        stack: "s",
        rootDirectory: "/r",
        programDirectory: "/r/stacks",
        entryPoint: "index.ts",
        dryRun: false,
        parallel: 4,
        args: [],
        config: [["velero-dr:dns.secret", "x"]],
        secretKeys: ["velero-dr:dns.secret"],
        options: { tsconfig: "../tsconfig.json" },
      },
      "/run",
      { PATH: "/bin" },
    );
    assert.equal(env.PULUMI_CONFIG_SECRET_KEYS, '["velero-dr:dns.secret"]');
    assert.equal(env.PULUMI_NODEJS_TYPESCRIPT, "true");
    assert.equal(env.PULUMI_NODEJS_TSCONFIG_PATH, "../tsconfig.json");
    assert.equal(env.PATH, "/bin");
  });

  it("builds upstream's command line: node args, run path, flags, entry point, program args", () => {
    const { args, env } = runCommand(
      {
        monitorAddress: "127.0.0.1:1",
        engineAddress: "127.0.0.1:2",
        organization: "",
        project: "velero-dr",
        stack: "drill-source",
        rootDirectory: "/r",
        programDirectory: "/r/stacks",
        entryPoint: "index.ts",
        dryRun: true,
        parallel: 16,
        args: ["x"],
        config: [],
        secretKeys: [],
        options: { typescript: false, nodeargs: "--trace-warnings" },
      },
      "/r/node_modules/@pulumi/pulumi/cmd/run/index.js",
      {},
    );
    assert.deepEqual(args, [
      "--trace-warnings",
      "/r/node_modules/@pulumi/pulumi/cmd/run/index.js",
      "--monitor",
      "127.0.0.1:1",
      "--engine",
      "127.0.0.1:2",
      "--project",
      "velero-dr",
      "--root-directory",
      "/r",
      "--stack",
      "drill-source",
      "--pwd",
      "/r/stacks",
      "--dry-run",
      "--parallel",
      "16",
      "index.ts",
      "x",
    ]);
    assert.equal(env.PULUMI_NODEJS_TYPESCRIPT, undefined);
  });

  it("reports how the program ended in upstream's words (32 = bail)", () => {
    assert.deepEqual(runResult(0, null), { error: "", bail: false });
    assert.deepEqual(runResult(32, null), { error: "", bail: true });
    assert.deepEqual(runResult(1, null), { error: "Program exited with non-zero exit code: 1", bail: false });
    assert.match(runResult(null, "SIGKILL").error, /exited unexpectedly: signal: SIGKILL/);
    assert.match(runResult(null, null, new Error("ENOENT")).error, /could not run language executor/);
  });

  it("finds the resource plugins in node_modules under the program directory, skipping policy packs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lh-"));
    const pkg = (p: string, o: object) => {
      fs.mkdirSync(path.join(dir, p), { recursive: true });
      fs.writeFileSync(path.join(dir, p, "package.json"), JSON.stringify(o));
    };
    pkg("node_modules/@pulumi/kubernetes", {
      name: "@pulumi/kubernetes",
      version: "4.34.2",
      pulumi: { resource: true },
    });
    pkg("node_modules/@pulumi/pulumi", { name: "@pulumi/pulumi", version: "3.276.0" });
    // Outside the @pulumi scope only a package naming its plugin counts (upstream's getPluginName).
    pkg("node_modules/@acme/thing", {
      name: "@acme/thing",
      version: "v1.0.0",
      pulumi: { resource: true, server: "https://x" },
    });
    pkg("node_modules/@acme/named", {
      name: "@acme/named",
      version: "v1.1.0",
      pulumi: { resource: true, name: "acme-named", server: "https://x" },
    });
    const ext = { name: "ext", version: "0.1.0", value: Buffer.from("{}").toString("base64") };
    pkg("node_modules/@pulumi/ext", {
      name: "@pulumi/ext",
      version: "0.1.0",
      pulumi: { resource: true, name: "terraform-provider", extensionParameterization: ext },
    });
    pkg("node_modules/other", {
      name: "other",
      version: "1.0.0",
      pulumi: { resource: true, name: "renamed", version: "2.0.0" },
    });
    pkg("policies/node_modules/@pulumi/aws", {
      name: "@pulumi/aws",
      version: "7.0.0",
      pulumi: { resource: true },
    });
    fs.writeFileSync(path.join(dir, "policies", "PulumiPolicy.yaml"), "runtime: nodejs\n");
    pkg("not-modules", { name: "top", version: "1.0.0", pulumi: { resource: true } });
    fs.symlinkSync(path.join(dir, "node_modules"), path.join(dir, "node_modules", "loop"));
    const found = requiredPackages(dir);
    const got = found.map((p) => `${p.name}@${p.version}${p.server ? ` ${p.server}` : ""}`).sort();
    assert.deepEqual(got, [
      "acme-named@v1.1.0 https://x",
      "kubernetes@v4.34.2",
      "renamed@v2.0.0",
      "terraform-provider@v0.1.0",
    ]);
    assert.deepEqual(found.find((p) => p.name === "terraform-provider")?.extension, ext);
  });

  it("starts a plugin as upstream's RunPlugin: a policy pack in its own directory, its directory last", () => {
    const info = {
      kind: "analyzer",
      programDirectory: "/repo/policies",
      pwd: "/work",
      args: ["127.0.0.1:5"],
      env: ["PATH=/bin", "A=1", "A=2"],
      options: { nodeargs: "--max-old-space-size=512" },
    };
    const pack = runPluginCommand(info, "/rp.js", { PULUMI_NODEJS_STACK: "dev" });
    assert.deepEqual(pack.args, ["/rp.js", "--max-old-space-size=512", "127.0.0.1:5", "/repo/policies"]);
    assert.equal(pack.cwd, "/repo/policies");
    assert.deepEqual(pack.env, {
      PATH: "/bin",
      A: "2",
      PULUMI_NODEJS_TYPESCRIPT: "true",
      PULUMI_NODEJS_STACK: "dev",
    });
    const tool = runPluginCommand({ ...info, kind: "tool", options: { typescript: false } }, "/run.js");
    assert.deepEqual(tool.args, ["/run.js", "/repo/policies", "127.0.0.1:5"]);
    assert.equal(tool.cwd, "/work");
    assert.equal(tool.env.PULUMI_NODEJS_TYPESCRIPT, undefined);
  });

  describe("over gRPC, as the engine calls it", () => {
    let server: grpc.Server;
    let client: grpc.Client & Record<string, (...a: unknown[]) => void>;
    let work: string;
    before(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), "lh-run-"));
      // A run path that records how it was started, in place of @pulumi/pulumi/cmd/run.
      fs.writeFileSync(
        path.join(work, "record.js"),
        `require("fs").writeFileSync(${JSON.stringify(path.join(work, "launch.json"))}, JSON.stringify({argv: process.argv.slice(2), cwd: process.cwd(), env: {c: process.env.PULUMI_CONFIG, ts: process.env.PULUMI_NODEJS_TYPESCRIPT, tsc: process.env.PULUMI_NODEJS_TSCONFIG_PATH, own: process.env.TS_NODE_PROJECT}}));
         process.exit(Number(process.env.RECORD_EXIT || 0));`,
      );
      process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH = path.join(work, "record.js");
      process.env.TS_NODE_PROJECT = "/should/not/leak";
      const started = await startLanguageHost("127.0.0.1:9");
      server = started.server;
      const Client = grpc.makeGenericClientConstructor(langgrpc.LanguageRuntimeService, "LanguageRuntime");
      client = new Client(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure()) as typeof client;
    });
    after(() => {
      delete process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH;
      delete process.env.TS_NODE_PROJECT;
      client.close();
      server.forceShutdown();
    });
    const call = <T>(method: string, req: unknown): Promise<T> =>
      new Promise((resolve, reject) =>
        client[method](req, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))),
      );

    const runRequest = (programDir: string) => {
      const info = new langpb.ProgramInfo();
      info.setRootDirectory(repo);
      info.setProgramDirectory(programDir);
      info.setEntryPoint("index.ts");
      info.setOptions(Struct.fromJavaScript({ typescript: true, tsconfig: "../tsconfig.json" }));
      const req = new langpb.RunRequest();
      req.setInfo(info);
      req.setProject("velero-dr");
      req.setStack("s");
      req.setMonitorAddress("127.0.0.1:7");
      req.setDryrun(true);
      req.setParallel(8);
      req.getConfigMap().set("velero-dr:app", "dash-enterprise");
      return req;
    };

    it("starts the run path with the program directory, entry point and options; the wrapper's env does not leak", async () => {
      const res = await call<{ getError(): string; getBail(): boolean }>(
        "run",
        runRequest(path.join(repo, "stacks")),
      );
      assert.equal(res.getError(), "");
      const launch = JSON.parse(fs.readFileSync(path.join(work, "launch.json"), "utf8"));
      assert.deepEqual(launch.argv.slice(launch.argv.indexOf("--pwd"), launch.argv.indexOf("--pwd") + 2), [
        "--pwd",
        path.join(repo, "stacks"),
      ]);
      assert.equal(launch.argv.at(-1), "index.ts");
      assert.deepEqual(launch.argv.slice(0, 4), ["--monitor", "127.0.0.1:7", "--engine", "127.0.0.1:9"]);
      assert.ok(launch.argv.includes("--dry-run"));
      assert.deepEqual(JSON.parse(launch.env.c), { "velero-dr:config:app": "dash-enterprise" });
      assert.equal(launch.env.ts, "true");
      assert.equal(launch.env.tsc, "../tsconfig.json");
      assert.equal(launch.env.own, undefined);
    });

    it("answers a failed program with its exit code, and 32 with bail", async () => {
      process.env.RECORD_EXIT = "3";
      try {
        const res = await call<{ getError(): string }>("run", runRequest(path.join(repo, "stacks")));
        assert.equal(res.getError(), "Program exited with non-zero exit code: 3");
      } finally {
        delete process.env.RECORD_EXIT;
      }
    });

    it("asks for the plugins of the program directory's node_modules", async () => {
      const info = new langpb.ProgramInfo();
      info.setRootDirectory(repo);
      info.setProgramDirectory(repo);
      info.setEntryPoint(".");
      const req = new langpb.GetRequiredPackagesRequest();
      req.setInfo(info);
      const res = await call<{ getPackagesList(): Array<{ getName(): string; getVersion(): string }> }>(
        "getRequiredPackages",
        req,
      );
      const names = res.getPackagesList().map((p) => `${p.getName()}@${p.getVersion()}`);
      for (const want of ["kubernetes@v4.34.2", "command@v1.2.1"])
        assert.ok(names.includes(want), `${want} in ${names}`);
    });

    /** Starts RunPlugin; resolves with the stream and the first stdout line (the port the engine reads). */
    const runPlugin = (kind: string, programDir: string, args: string[]) => {
      const info = new langpb.ProgramInfo();
      info.setRootDirectory(programDir);
      info.setProgramDirectory(programDir);
      info.setEntryPoint(".");
      info.setOptions(Struct.fromJavaScript({}));
      const req = new langpb.RunPluginRequest();
      req.setInfo(info);
      req.setKind(kind);
      req.setPwd(work);
      req.setArgsList(args);
      // The engine passes its own environment (not this test process's ts-node settings).
      req.setEnvList(
        Object.entries(process.env)
          .filter(([k]) => !k.startsWith("TS_NODE_"))
          .map(([k, v]) => `${k}=${v}`),
      );
      const stream = (
        client as unknown as { runPlugin(r: unknown): grpc.ClientReadableStream<any> }
      ).runPlugin(req);
      const out = { stdout: "", stderr: "" };
      const ended = new Promise<Error | undefined>((resolve) => {
        stream.on("data", (m: any) => {
          if (m.hasStdout()) out.stdout += Buffer.from(m.getStdout_asU8()).toString();
          if (m.hasStderr()) out.stderr += Buffer.from(m.getStderr_asU8()).toString();
        });
        stream.on("error", (e: Error) => resolve(e));
        stream.on("end", () => resolve(undefined));
      });
      return { stream, out, ended };
    };
    const until = async (what: string, ok: () => boolean, ms = 60000) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    /** The policy pack processes this host started (children of this process running run-policy-pack). */
    const packProcesses = () =>
      fs
        .readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .filter((pid) => {
          try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            return (
              ppid === process.pid &&
              fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("run-policy-pack")
            );
          } catch {
            return false;
          }
        });

    it("RunPlugin starts a policy pack behind the proxy: the stack's configuration first, then every call forwarded", async function () {
      this.timeout(120000);
      const run = runPlugin("analyzer", path.join(repo, "policies"), ["127.0.0.1:9"]);
      await until("the proxy's port", () => /^\d+\n/.test(run.out.stdout));
      const port = Number(run.out.stdout.split("\n")[0]);
      const Analyzer = grpc.makeGenericClientConstructor(analyzergrpc.AnalyzerService, "Analyzer");
      const analyzer = new Analyzer(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as any;
      const acall = <T>(method: string, req: unknown): Promise<T> =>
        new Promise((resolve, reject) =>
          analyzer[method](req, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))),
        );
      try {
        await acall("handshake", new analyzerpb.AnalyzerHandshakeRequest());
        assert.deepEqual(packProcesses(), [], "the pack must wait for the stack's configuration");
        const cfg = new analyzerpb.AnalyzerStackConfigureRequest();
        cfg.setProject("velero-dr");
        cfg.setStack("drill-destination");
        cfg.setOrganization("organization");
        cfg.setDryRun(true);
        cfg.getConfigMap().set("velero-dr:role", "destination");
        await acall("configureStack", cfg);
        const info: any = await acall<any>("getAnalyzerInfo", new Empty()).catch((e) => {
          throw new Error(`${e.message}\n${run.out.stderr}\n${run.out.stdout}`);
        });
        assert.equal(info.getName(), "velero-dr");
        const [pid] = packProcesses();
        const env = Object.fromEntries(
          fs
            .readFileSync(`/proc/${pid}/environ`, "utf8")
            .split("\0")
            .filter(Boolean)
            .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
        );
        assert.equal(fs.realpathSync(`/proc/${pid}/cwd`), path.join(repo, "policies"));
        assert.equal(env.PULUMI_NODEJS_STACK, "drill-destination");
        assert.equal(env.PULUMI_NODEJS_PROJECT, "velero-dr");
        assert.equal(env.PULUMI_NODEJS_DRY_RUN, "true");
        assert.deepEqual(JSON.parse(env.PULUMI_CONFIG), { "velero-dr:role": "destination" });
        const req = new analyzerpb.AnalyzeRequest();
        req.setType("azure-native:storage:StorageAccount");
        req.setName("backups");
        req.setUrn("urn:pulumi:s::velero-dr::azure-native:storage:StorageAccount::backups");
        req.setProperties(
          Struct.fromJavaScript({ allowBlobPublicAccess: true, minimumTlsVersion: "TLS1_2" }),
        );
        req.setOptions(new analyzerpb.AnalyzerResourceOptions());
        const res: any = await acall("analyze", req);
        assert.ok(
          res.getDiagnosticsList().some((d: any) => d.getPolicyname() === "storage-no-public-access"),
          "the pack's verdict comes back through the proxy",
        );
      } finally {
        analyzer.close();
        run.stream.cancel();
      }
      await run.ended;
      await until("the pack to be stopped", () => packProcesses().length === 0, 10000);
    });

    it("RunPlugin of another plugin: its output streamed, a non-zero exit in upstream's words", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lh-plugin-"));
      fs.writeFileSync(
        path.join(dir, "record.js"),
        'console.log("args", JSON.stringify(process.argv.slice(2))); console.error("oops"); process.exit(4);',
      );
      process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH = path.join(dir, "record.js");
      const run = runPlugin("tool", dir, ["x"]);
      const err = await run.ended;
      assert.match(String(err?.message), /Program exited with non-zero exit code: 4/);
      assert.equal(run.out.stdout, `args ${JSON.stringify([dir, "x"])}\n`);
      assert.equal(run.out.stderr, "oops\n");
    });
  });
});
