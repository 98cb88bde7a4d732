/**
 * Part of the DECLARED STAND-IN language host (drill/engine/language-host.ts): the policy pack proxy
 * upstream's Node.js host puts between the engine and a policy pack it starts with `RunPlugin`
 * (sdk/v3 PolicyProxy, checked at v3.276.0). Why it exists upstream: the engine sends the stack's configuration by an
 * RPC (`ConfigureStack`), but @pulumi/policy reads it from environment variables when it starts.
 * So the host serves the Analyzer service itself first, answers `Handshake`, takes the
 * configuration from `ConfigureStack` (or none, if another call comes first), only then starts the
 * pack with that configuration in its environment, and from then on forwards every call to it. A pack
 * that does not come up (no port, exited, not started) makes every waiting and later call fail with
 * the reason instead of hanging (3.276.0's PolicyProxy.Abort and Attach).
 */
import * as grpc from "@grpc/grpc-js";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzergrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");

/** What `ConfigureStack` told the proxy: the stack the pack is to judge. */
export interface StackConfiguration {
  organization: string;
  project: string;
  stack: string;
  dryRun: boolean;
  config: Record<string, string>;
}

/** The variables @pulumi/policy reads the stack's configuration from (upstream's maybeAppendEnv). */
export function policyEnv(c: StackConfiguration | undefined): Record<string, string> {
  if (!c) return {};
  const out: Record<string, string> = {};
  const add = (k: string, v: string) => {
    if (v !== "") out[k] = v;
  };
  add("PULUMI_NODEJS_ORGANIZATION", c.organization);
  add("PULUMI_NODEJS_PROJECT", c.project);
  add("PULUMI_NODEJS_STACK", c.stack);
  add("PULUMI_NODEJS_DRY_RUN", String(c.dryRun));
  add("PULUMI_CONFIG", JSON.stringify(c.config));
  return out;
}

type Unary = (req: unknown, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  let settled = false;
  return {
    promise,
    get settled() {
      return settled;
    },
    resolve: (v: T) => {
      if (settled) return;
      settled = true;
      resolve(v);
    },
    reject: (e: Error) => {
      if (settled) return;
      settled = true;
      reject(e);
    },
  };
}

export class PolicyProxy {
  private readonly configuration = deferred<unknown | undefined>();
  private readonly client = deferred<grpc.Client & Record<string, Unary>>();
  private server?: grpc.Server;
  port = 0;

  /** Starts the proxy's Analyzer server on a loopback port. */
  async start(): Promise<number> {
    const impl: Record<string, grpc.handleUnaryCall<unknown, unknown>> = {};
    for (const method of Object.keys(analyzergrpc.AnalyzerService)) {
      impl[method] = (call, cb) => {
        if (method === "handshake") return cb(null, new analyzerpb.AnalyzerHandshakeResponse());
        if (method === "configureStack") {
          this.configuration.resolve(call.request);
          return cb(null, new analyzerpb.AnalyzerStackConfigureResponse());
        }
        // Another call before ConfigureStack (e.g. `pulumi policy publish`): the pack runs unconfigured.
        this.configuration.resolve(undefined);
        this.client.promise.then(
          (c) => c[method](call.request, cb),
          (e: Error) =>
            cb({
              // A Go error returned by the handler: status Unknown, as upstream's proxy answers.
              code: grpc.status.UNKNOWN,
              details: `policy pack not started: ${e.message}`,
            } as grpc.ServiceError),
        );
      };
    }
    this.server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    this.server.addService(
      analyzergrpc.AnalyzerService,
      impl as unknown as grpc.UntypedServiceImplementation,
    );
    this.port = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    return this.port;
  }

  /** The stack configuration, once the engine sent it (undefined: the engine asked something else first). */
  async awaitConfiguration(): Promise<StackConfiguration | undefined> {
    const req = (await this.configuration.promise) as
      | {
          getOrganization(): string;
          getProject(): string;
          getStack(): string;
          getDryRun(): boolean;
          getConfigMap(): { toArray(): [string, string][] };
        }
      | undefined;
    if (!req) return undefined;
    return {
      organization: req.getOrganization(),
      project: req.getProject(),
      stack: req.getStack(),
      dryRun: req.getDryRun(),
      config: Object.fromEntries(req.getConfigMap().toArray()),
    };
  }

  /** Connects to the started pack on `port`, passes it the configuration, and forwards to it from now on. */
  async attach(port: number): Promise<void> {
    const Client = analyzergrpc.AnalyzerClient as new (
      addr: string,
      creds: grpc.ChannelCredentials,
    ) => grpc.Client & Record<string, Unary>;
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const config = await this.configuration.promise;
    if (config) {
      try {
        await new Promise<void>((resolve, reject) =>
          client.configureStack(config, (err) =>
            !err || err.code === grpc.status.UNIMPLEMENTED ? resolve() : reject(err),
          ),
        );
      } catch (e) {
        const err = new Error(`policy pack configuration failed: ${(e as Error).message}`);
        this.client.reject(err);
        throw err;
      }
    }
    this.client.resolve(client);
  }

  /** The pack could not be started: calls waiting for it fail with the reason. */
  fail(e: Error): void {
    this.configuration.resolve(undefined);
    this.client.reject(e);
  }

  shutdown(): void {
    this.client.promise.then((c) => c.close()).catch(() => undefined);
    this.server?.forceShutdown();
  }
}
