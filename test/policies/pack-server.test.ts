import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { allPolicies } from "../../policies/rules/all";

/**
 * The pack as the Pulumi CLI runs it: `run-policy-pack` starts policies/index.ts (type-checked by
 * ts-node) in its own process, and the test talks to its gRPC server the way the engine does. This
 * proves index.ts loads, the policy metadata is accepted, and the server's own handling (props
 * deserialization, options, config, notApplicable, unknowns) works with our rules. No Pulumi CLI needed.
 */

const POLICIES = path.join(__dirname, "..", "..", "policies");
// Everything the server uses is resolved from @pulumi/policy, so the test speaks its exact protocol
// (these are its dependencies, not ours: hence require with a resolution path, and untyped).
const fromPolicy = (m: string) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(require.resolve(m, { paths: [path.dirname(require.resolve("@pulumi/policy"))] }));
const grpc = fromPolicy("@grpc/grpc-js");
const analyzerRpc = fromPolicy("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerProto = fromPolicy("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = fromPolicy("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPolicy("google-protobuf/google/protobuf/empty_pb");

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ACCOUNT = "azure-native:storage:StorageAccount";
const LEVEL = ["advisory", "mandatory", "disabled", "remediate"];

function call<T>(client: any, method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))),
  );
}

function options(protect: boolean): any {
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(protect);
  return o;
}

function analyzeRequest(type: string, props: Record<string, unknown>, protect = true): any {
  const req = new analyzerProto.AnalyzeRequest();
  req.setType(type);
  req.setName("backups-account");
  req.setUrn(`urn:pulumi:test::velero-dr::${type}::backups-account`);
  req.setProperties(Struct.fromJavaScript(props));
  req.setOptions(options(protect));
  return req;
}

interface Diagnostic {
  policy: string;
  level: string;
  message: string;
}

/** The server prefixes a violation's message with the policy's description; keep our part. */
function diagnostics(res: any): Diagnostic[] {
  return res.getDiagnosticsList().map((d: any) => {
    const description = allPolicies.find((p) => p.name === d.getPolicyname())?.description ?? "";
    const message: string = d.getMessage();
    return {
      policy: d.getPolicyname(),
      level: LEVEL[d.getEnforcementlevel()],
      message: message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message,
    };
  });
}

describe("policies: the pack's gRPC server (run-policy-pack, as the CLI starts it)", function () {
  this.timeout(120000);
  let child: ChildProcess;
  let client: any;

  before(async () => {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
      cwd: POLICIES,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before serving:\n${stderr}`)));
    });
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
  });

  it("describes every policy with its level", async () => {
    const info: any = await call(client, "getAnalyzerInfo", new Empty());
    assert.equal(info.getName(), "velero-dr");
    const served = info.getPoliciesList().map((p: any) => [p.getName(), LEVEL[p.getEnforcementlevel()]]);
    assert.deepEqual(
      served,
      allPolicies.map((p) => [p.name, p.enforcementLevel]),
    );
  });

  it("reports a mandatory violation on a public storage account, and nothing on a private one", async () => {
    const bad: any = await call(
      client,
      "analyze",
      analyzeRequest(ACCOUNT, { allowBlobPublicAccess: true, minimumTlsVersion: "TLS1_2" }),
    );
    assert.deepEqual(diagnostics(bad), [
      {
        policy: "storage-no-public-access",
        level: "mandatory",
        message:
          "allowBlobPublicAccess is true; it must be false so no container of the backup account can ever be made public.",
      },
    ]);
    const good: any = await call(
      client,
      "analyze",
      analyzeRequest(ACCOUNT, { allowBlobPublicAccess: false, minimumTlsVersion: "TLS1_2" }),
    );
    assert.deepEqual(diagnostics(good), []);
  });

  it("sees `protect` in the resource options", async () => {
    const res: any = await call(
      client,
      "analyze",
      analyzeRequest(ACCOUNT, { allowBlobPublicAccess: false, minimumTlsVersion: "TLS1_2" }, false),
    );
    assert.deepEqual(
      diagnostics(res).map((d) => d.policy),
      ["storage-protected"],
    );
  });

  it("turns an unknown value into the engine's advisory 'can't run during preview', not a failure", async () => {
    const res: any = await call(
      client,
      "analyze",
      analyzeRequest(ACCOUNT, { allowBlobPublicAccess: UNKNOWN, minimumTlsVersion: "TLS1_2" }),
    );
    const [d] = diagnostics(res);
    assert.equal(d.policy, "storage-no-public-access");
    assert.equal(d.level, "advisory");
    assert.match(
      d.message,
      /^can't run policy 'storage-no-public-access' .* during preview: string value at \.allowBlobPublicAccess/,
    );
  });

  it("runs stack policies over linked resources (a ReadWrite location on a destination)", async () => {
    const resource = (type: string, name: string, props: Record<string, unknown>) => {
      const r = new analyzerProto.AnalyzerResource();
      r.setType(type);
      r.setName(name);
      r.setUrn(`urn:pulumi:test::velero-dr::${type}::${name}`);
      r.setProperties(Struct.fromJavaScript(props));
      r.setOptions(options(false));
      return r;
    };
    const req = new analyzerProto.AnalyzeStackRequest();
    req.setResourcesList([
      resource("velero-dr:restore:RestoreChain", "restore", {}),
      resource("kubernetes:helm.sh/v3:Release", "velero-release", {
        chart: "velero",
        values: { configuration: { backupStorageLocation: { accessMode: "ReadWrite" } } },
      }),
    ]);
    const res: any = await call(client, "analyzeStack", req);
    const bsl = diagnostics(res).filter((d) => d.policy === "destination-bsl-read-only");
    assert.deepEqual(bsl, [
      {
        policy: "destination-bsl-read-only",
        level: "mandatory",
        message:
          'the Velero release installs its backup storage location with accessMode "ReadWrite", not "ReadOnly".',
      },
    ]);
  });

  it("applies --policy-pack-config (Configure): a stricter TTL bound and a changed level", async () => {
    const cfg = new analyzerProto.ConfigureAnalyzerRequest();
    const ttl = new analyzerProto.PolicyConfig();
    ttl.setEnforcementlevel(0);
    ttl.setProperties(Struct.fromJavaScript({ minTtlHours: 24, maxTtlHours: 168 }));
    cfg.getPolicyconfigMap().set("schedule-ttl-bounds", ttl);
    await call(client, "configure", cfg);
    const schedule = {
      metadata: { name: "dash-daily" },
      spec: { schedule: "0 0 * * *", template: { ttl: "720h0m0s" } },
    };
    const res: any = await call(
      client,
      "analyze",
      analyzeRequest("kubernetes:velero.io/v1:Schedule", schedule),
    );
    assert.deepEqual(diagnostics(res), [
      {
        policy: "schedule-ttl-bounds",
        level: "advisory",
        message: "spec.template.ttl 720h0m0s (720h) is outside 24h-168h.",
      },
    ]);
  });
});
