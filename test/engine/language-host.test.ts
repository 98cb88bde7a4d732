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

const repo = path.resolve(__dirname, "../..");

/**
 * Conformance of the declared stand-in for Pulumi's Node.js language host (drill/engine): it must
 * start a program exactly as pulumi-language-nodejs v3.248.0 does for this project's options.
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
    pkg("node_modules/@pulumi/pulumi", { name: "@pulumi/pulumi", version: "3.248.0" });
    pkg("node_modules/@acme/thing", {
      name: "@acme/thing",
      version: "v1.0.0",
      pulumi: { resource: true, server: "https://x" },
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
    const got = requiredPackages(dir)
      .map((p) => `${p.name}@${p.version}${p.server ? ` ${p.server}` : ""}`)
      .sort();
    assert.deepEqual(got, ["acme/thing@v1.0.0 https://x", "kubernetes@v4.34.2", "renamed@v2.0.0"]);
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
  });
});
