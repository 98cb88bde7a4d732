import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { stackFilePath } from "../../components/config/example-stacks";
import { fakeAz } from "./fake-az";

/**
 * Runs the stack program under Pulumi mocks and records every registration.
 *
 * Inputs are recorded twice: as the mocks see them (secrets unwrapped) and raw, as the SDK
 * serialized them, so tests can assert that a value was wrapped as a secret when it left the
 * program, not just that it has the right content.
 */

export const PROJECT = "velero-dr";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface Registered {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, any>;
  /** Serialized inputs: secret values are `{ [SECRET_SIG]: ..., value }` objects. */
  raw: Record<string, unknown>;
  provider?: string;
  parent?: string;
  dependencies: string[];
  protect: boolean;
  retainOnDelete: boolean;
  /** A `.get()` of an existing object (read, not created). */
  read: boolean;
}

export interface Invoked {
  token: string;
  inputs: Record<string, unknown>;
}

/** Fake values the mocks hand out; tests look for them where they must not appear. */
export const FAKE = {
  password: "Fake-SP-Password-4b1f",
  kubeconfigToken: "fake-kube-token-9c3e",
  nodeResourceGroup: "MC_dash-enterprise-rg_dash-enterprise_westeurope",
  apiServer: "https://dash-enterprise-dns-1a2b3c.hcp.westeurope.azmk8s.io:443",
  kubernetesVersion: "1.29.7",
  awsSecretKey: "fakeAwsSecretKey/9d2e+Q",
  eksEndpoint: "https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
  eksIssuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
  eksVersion: "1.29",
  /** A new EKS cluster's (cluster.createEks). */
  newEksEndpoint: "https://FEDCBA9876543210.gr7.eu-west-1.eks.amazonaws.com",
  newEksIssuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210",
  awsAccount: "123456789012",
};

export function fakeKubeconfig(server = FAKE.apiServer): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: aks",
    "  cluster:",
    `    server: ${server}`,
    "contexts:",
    "- name: aks",
    "  context:",
    "    cluster: aks",
    "    user: clusterUser",
    "current-context: aks",
    "users:",
    "- name: clusterUser",
    "  user:",
    `    token: ${FAKE.kubeconfigToken}`,
    "",
  ].join("\n");
}

function stateFor(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  const sub = "00000000-0000-0000-0000-000000000000";
  switch (type) {
    case "azure-native:resources:ResourceGroup":
      return {
        ...inputs,
        name: inputs.resourceGroupName,
        id: `/subscriptions/${sub}/resourceGroups/${inputs.resourceGroupName}`,
      };
    case "azure-native:storage:StorageAccount":
      return {
        ...inputs,
        name: inputs.accountName,
        id: `/subscriptions/${sub}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${inputs.accountName}`,
      };
    case "azure-native:storage:BlobContainer":
      return { ...inputs, name: inputs.containerName };
    case "azure-native:storage:ObjectReplicationPolicy": {
      // Azure assigns the policy id and rule ids on the destination account ("default"); the
      // source account's policy takes them.
      const assigned = inputs.objectReplicationPolicyId === "default";
      return {
        ...inputs,
        policyId: assigned ? `${name}-policy-guid` : inputs.objectReplicationPolicyId,
        rules: (inputs.rules ?? []).map((r: Record<string, unknown>, i: number) => ({
          ...r,
          ruleId: assigned ? `${name}-rule-${i}-guid` : r.ruleId,
        })),
      };
    }
    case "azure-native:authorization:RoleDefinition":
      return {
        ...inputs,
        id: `${inputs.scope}/providers/Microsoft.Authorization/roleDefinitions/${name}-guid`,
      };
    case "azuread:index/application:Application":
      return { ...inputs, clientId: `${name}-client-id`, objectId: `${name}-object-id` };
    case "azuread:index/servicePrincipal:ServicePrincipal":
      return { ...inputs, objectId: `${name}-object-id` };
    case "azuread:index/applicationPassword:ApplicationPassword":
      return { ...inputs, value: FAKE.password, keyId: `${name}-key` };
    case "kubernetes:helm.sh/v3:Release":
      return {
        ...inputs,
        status: { revision: 1, status: "deployed", name: inputs.name, namespace: inputs.namespace },
      };
    case "kubernetes:core/v1:Secret":
      return { ...inputs, metadata: { ...inputs.metadata, resourceVersion: "1" } };
    case "command:local:Command":
      return { ...inputs, stdout: commandStdout(inputs), stderr: "" };
    case "kubernetes:core/v1:Namespace":
      return {
        ...inputs,
        metadata: { ...(inputs.metadata ?? {}), name: inputs.metadata?.name ?? name, uid: uidOf(name) },
      };
    case "azure-native:containerservice:ManagedCluster":
      return {
        ...inputs,
        name: inputs.resourceName,
        fqdn: `${inputs.dnsPrefix}-1a2b.hcp.${inputs.location}.azmk8s.io`,
      };
    case "aws:s3/bucket:Bucket":
      return { ...inputs, id: inputs.bucket, arn: `arn:aws:s3:::${inputs.bucket}` };
    case "aws:iam/policy:Policy":
      return { ...inputs, arn: `arn:aws:iam::${FAKE.awsAccount}:policy${inputs.path ?? "/"}${inputs.name}` };
    case "aws:iam/role:Role":
      return { ...inputs, arn: `arn:aws:iam::${FAKE.awsAccount}:role${inputs.path ?? "/"}${inputs.name}` };
    case "aws:iam/user:User":
      return { ...inputs, arn: `arn:aws:iam::${FAKE.awsAccount}:user${inputs.path ?? "/"}${inputs.name}` };
    case "aws:iam/accessKey:AccessKey":
      // The access key id is the resource id; each key (one per rotation period) gets its own.
      return {
        ...inputs,
        id: `AKIA${name
          .replace(/[^A-Za-z0-9]/g, "")
          .slice(-12)
          .toUpperCase()}`,
        secret: FAKE.awsSecretKey,
      };
    case "aws:kms/key:Key":
      // The region is the provider's (not among the inputs): tests read it from the provider.
      return {
        ...inputs,
        keyId: `${name}-key-id`,
        arn: `arn:aws:kms:region-of-provider:${FAKE.awsAccount}:key/${name}-key-id`,
      };
    case "aws:eks/cluster:Cluster":
      return {
        ...inputs,
        arn: `arn:aws:eks:eu-west-1:${FAKE.awsAccount}:cluster/${inputs.name}`,
        endpoint: FAKE.newEksEndpoint,
        certificateAuthority: { data: Buffer.from("fake-ca").toString("base64") },
        identities: [{ oidcs: [{ issuer: FAKE.newEksIssuer }] }],
      };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return {
        ...inputs,
        arn: `arn:aws:iam::${FAKE.awsAccount}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`,
      };
    case "aws:sns/topic:Topic":
      return { ...inputs, arn: `arn:aws:sns:eu-west-1:${FAKE.awsAccount}:${inputs.name}` };
    case "azure-native:monitor:ActionGroup":
      return {
        ...inputs,
        id: `/subscriptions/${sub}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.Insights/actionGroups/${inputs.actionGroupName}`,
      };
    case "azure-native:monitor:MetricAlert":
      return { ...inputs, name: inputs.ruleName };
    default:
      return inputs;
  }
}

/** What a step Command "printed" under mocks: producers print a plausible value. */
function commandStdout(inputs: Record<string, any>): string {
  switch (inputs.environment?.VELERO_DR_STEP_ID) {
    case "wait-backup":
      return "velero-dr: restoring from backup\ndash-daily-20261120000000";
    case "wait-load-balancer":
      return "velero-dr: load balancer address\n20.50.60.70";
    default:
      return "";
  }
}

export class Recorder {
  readonly resources: Registered[] = [];
  /** Outputs served to StackReferences, by stack name. */
  readonly stackOutputs: Record<string, Record<string, unknown>> = {};
  readonly invokes: Invoked[] = [];
  private readonly raw = new Map<
    string,
    {
      raw: Record<string, unknown>;
      deps: string[];
      parent: string;
      protect: boolean;
      retainOnDelete: boolean;
    }
  >();
  /** Extra invoke results by token; an invoke not listed here fails the test. */
  readonly invokeResults: Record<string, (inputs: Record<string, any>) => Record<string, unknown>> = {
    "azure-native:containerservice:getManagedCluster": (i) => ({
      id: `/subscriptions/0/resourceGroups/${i.resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${i.resourceName}`,
      name: i.resourceName,
      location: "westeurope",
      nodeResourceGroup: FAKE.nodeResourceGroup,
      fqdn: new URL(FAKE.apiServer).hostname,
      currentKubernetesVersion: FAKE.kubernetesVersion,
      kubernetesVersion: "1.29",
    }),
    "aws:eks/getCluster:getCluster": (i) => ({
      name: i.name,
      endpoint: FAKE.eksEndpoint,
      version: FAKE.eksVersion,
      certificateAuthorities: [{ data: Buffer.from("fake-ca").toString("base64") }],
      identities: [{ oidcs: [{ issuer: FAKE.eksIssuer }] }],
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": (i) => ({
      kubeconfigs: [
        {
          name: "clusterUser",
          value: Buffer.from(
            fakeKubeconfig(
              i.resourceName === "dash-enterprise"
                ? FAKE.apiServer
                : `https://${i.resourceName}.hcp.azmk8s.io:443`,
            ),
          ).toString("base64"),
        },
      ],
    }),
  };

  byType(type: string): Registered[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The URN-ish key tests use to compare dependencies: resources are named uniquely per type. */
  urnOf(r: Registered): string {
    return `${r.type}::${r.name}`;
  }

  /** Names of the resources `r` depends on (from the dependency URNs the SDK sent). */
  dependencyNames(r: Registered): string[] {
    return r.dependencies.map((urn) => urn.split("::").pop() as string);
  }

  /** Resources (not read, not providers) whose parent is not one of the project's components. */
  unparented(): string[] {
    return this.resources
      .filter((x) => x.custom && !x.read && !x.type.startsWith("pulumi:providers"))
      .filter((r) => !/velero-dr:(storage|identity|cluster|velero|monitoring):/.test(r.parent ?? ""))
      .map((r) => `${r.type} ${r.name}`);
  }

  /** The types of the component resources registered, sorted. */
  componentTypes(): string[] {
    return this.resources
      .filter((r) => !r.custom)
      .map((r) => r.type)
      .sort();
  }

  one(type: string, nameSuffix?: string): Registered {
    const found = this.byType(type).filter((r) => !nameSuffix || r.name.endsWith(nameSuffix));
    if (found.length !== 1) {
      throw new Error(
        `expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}`,
      );
    }
    return found[0];
  }

  mocks(): pulumi.runtime.Mocks {
    return {
      newResource: (args) => {
        const key = `${args.type}::${args.name}`;
        const extra = this.raw.get(key);
        const rec: Registered = {
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          inputs: unwrapSecrets(args.inputs) as Record<string, any>,
          raw: extra?.raw ?? {},
          provider: args.provider,
          parent: extra?.parent,
          dependencies: extra?.deps ?? [],
          protect: extra?.protect ?? false,
          retainOnDelete: extra?.retainOnDelete ?? false,
          read: args.id !== undefined && args.id !== "",
        };
        this.resources.push(rec);
        const state: Record<string, unknown> =
          args.type === "pulumi:pulumi:StackReference"
            ? { outputs: this.stackOutputs[rec.inputs.name] ?? {}, name: rec.inputs.name }
            : stateFor(args.type, args.name, rec.inputs);
        const id = typeof state.id === "string" ? state.id : `${args.name}-id`;
        return { id: rec.custom ? id : undefined, state };
      },
      call: (args) => {
        this.invokes.push({ token: args.token, inputs: args.inputs });
        const handler = this.invokeResults[args.token];
        if (!handler) throw new Error(`unexpected invoke ${args.token}`);
        return handler(args.inputs);
      },
    };
  }

  /** Captures serialized inputs, dependencies and parent before the mock sees them. */
  hook(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
    const proto = MockMonitor.prototype as any;
    if (!proto.__vdrOriginal) proto.__vdrOriginal = proto.registerResource;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const recorder = this;
    proto.registerResource = function (req: any, cb: any) {
      recorder.raw.set(`${req.getType()}::${req.getName()}`, {
        raw: req.getObject().toJavaScript(),
        deps: req.getDependenciesList(),
        parent: req.getParent(),
        protect: Boolean(req.getProtect()),
        retainOnDelete: Boolean(req.getRetainondelete()),
      });
      return proto.__vdrOriginal.call(this, req, cb);
    };
  }
}

/**
 * Config of a stack file (`stacks/Pulumi.<stack>.yaml`, else an app's example of that name,
 * `apps/<app>/examples/`) as runtime config entries.
 */
export function stackFileConfig(stack: string): { config: Record<string, string>; secretKeys: string[] } {
  const file = stackFilePath(stack);
  // Loaded here, not at the top: the bench runs programs under this harness and counts every
  // module load against the program (the Pulumi CLI, not the program, parses stack files).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse: parseYaml } = require("yaml") as typeof import("yaml");
  const doc = parseYaml(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  // An example's `secure:` entries stand for the secrets a user sets; the tests' own values replace them.
  const values = { ...(doc.config ?? {}) };
  const fixtures = EXAMPLE_SECRETS[stack] ?? {};
  const secrets: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v && typeof v === "object" && "secure" in (v as object) && fixtures[k] !== undefined) {
      values[k] = fixtures[k];
      secrets.push(k);
    }
  }
  return toRuntimeConfig(values, secrets);
}

/** The s3compat examples' clusters (on premises, reached with a kubeconfig). */
export const ONPREM = {
  sourceApiServer: "https://k8s.site-a.example.com:6443",
  destinationApiServer: "https://k8s.site-b.example.com:6443",
  accessKeyId: "velero-dash-example",
  secretAccessKey: "fake-s3-secret-key-7d1c+Q/x",
};

/** Plain values of the example stacks' secrets (`secure:` entries), by stack and key, as tests pass them. */
export const EXAMPLE_SECRETS: Record<string, Record<string, string>> = {
  "example-source-s3compat": {
    "velero-dr:kubeconfig": fakeKubeconfig(ONPREM.sourceApiServer),
    "velero-dr:s3compatCredentials": JSON.stringify({
      accessKeyId: ONPREM.accessKeyId,
      secretAccessKey: ONPREM.secretAccessKey,
    }),
  },
  "example-destination-s3compat": {
    "velero-dr:kubeconfig": fakeKubeconfig(ONPREM.destinationApiServer),
    "velero-dr:s3compatCredentials": JSON.stringify({
      accessKeyId: ONPREM.accessKeyId,
      secretAccessKey: ONPREM.secretAccessKey,
    }),
    "velero-dr:dnsTsigSecret": Buffer.from("fake-tsig-secret-3f9a-0123456789ab").toString("base64"),
  },
};

export function toRuntimeConfig(values: Record<string, unknown>, secrets: string[] = []) {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const key = k.includes(":") ? k : `${PROJECT}:${k}`;
    if (v && typeof v === "object" && "secure" in (v as object)) {
      throw new Error(
        `${key}: encrypted values cannot be read under mocks; pass the plain value as a secret`,
      );
    }
    config[key] = typeof v === "string" ? v : JSON.stringify(v);
    if (secrets.includes(k) || secrets.includes(key)) secretKeys.push(key);
  }
  return { config, secretKeys };
}

export interface RunResult {
  recorder: Recorder;
  outputs?: Record<string, unknown>;
  error?: Error;
  /** Errors thrown inside applies (Pulumi fails the update with them); empty when none. */
  asyncErrors: Error[];
}

/**
 * Runs `stacks/index.ts` with the given runtime config. Never throws: a failed run returns its
 * error together with whatever was registered before it (which must be nothing for bad config).
 */
export async function runProgram(
  stack: string,
  config: Record<string, string>,
  secretKeys: string[] = [],
  opts: {
    preview?: boolean;
    stackOutputs?: Record<string, Record<string, unknown>>;
    /**
     * The programs on PATH while the program runs (its pre-flight looks them up there): stand-ins
     * that only exist, so the machine's own tools do not decide the outcome. All by default.
     */
    tools?: string[];
    /**
     * Scripts of stand-ins pre-flight runs (by name; e.g. `az`: test/support/fake-az.ts). Default:
     * an az logged in, with room in every quota.
     */
    toolScripts?: Record<string, string>;
  } = {},
): Promise<RunResult> {
  const recorder = new Recorder();
  Object.assign(recorder.stackOutputs, opts.stackOutputs ?? {});
  await pulumi.runtime.setMocks(recorder.mocks(), PROJECT, stack, opts.preview ?? false);
  recorder.hook();
  pulumi.runtime.setAllConfig(config, secretKeys);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../stacks/index") as () => Promise<Record<string, unknown>>;
  let outputs: Record<string, unknown> | undefined;
  let error: Error | undefined;
  const asyncErrors: Error[] = [];
  const onRejection = (e: unknown) => asyncErrors.push(e as Error);
  process.on("unhandledRejection", onRejection);
  const savedPath = process.env.PATH;
  try {
    try {
      process.env.PATH = toolsDir(opts.tools ?? ALL_TOOLS, {
        az: fakeAz(),
        aws: FAKE_AWS,
        ...opts.toolScripts,
      });
      outputs = await program();
    } catch (e) {
      error = e as Error;
    } finally {
      process.env.PATH = savedPath;
    }
    // A failed apply leaves registrations waiting forever; the rejection is what Pulumi reports.
    await Promise.race([settle(), until(() => asyncErrors.length > 0, 10000)]);
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  return { recorder, outputs, error, asyncErrors };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** Waits until every registration the program started has reached the mocks. */
export async function settle(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings");
  for (let i = 0; i < 5; i++) {
    await settings.waitForRPCs();
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What constructing a component under fresh mocks left: its registrations, what it threw, what failed later. */
export interface Constructed<T> {
  recorder: Recorder;
  component?: T;
  error?: Error;
  /** Errors thrown in applies: reported as unhandled rejections, their dependents left pending. */
  asyncErrors: Error[];
}

/**
 * Constructs a component under fresh mocks (stack `stack`) and waits until its registrations have
 * settled, or until a failed apply is reported (what waits on it then never settles).
 */
export async function constructUnderMocks<T>(stack: string, make: () => T): Promise<Constructed<T>> {
  const recorder = new Recorder();
  await pulumi.runtime.setMocks(recorder.mocks(), PROJECT, stack, false);
  recorder.hook();
  const asyncErrors: Error[] = [];
  const onRejection = (e: unknown) => asyncErrors.push(e as Error);
  process.on("unhandledRejection", onRejection);
  const settled = async () => {
    await Promise.race([
      settle(),
      (async () => {
        const end = Date.now() + 10_000;
        while (asyncErrors.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      })(),
    ]);
    await new Promise((r) => setTimeout(r, 50));
  };
  try {
    const component = make();
    await settled();
    return { recorder, component, asyncErrors };
  } catch (e) {
    await settled();
    return { recorder, error: e as Error, asyncErrors };
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}

/** Resolves an Output (or plain value), with secretness. */
export async function resolve<T>(o: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
  const out = pulumi.output(o);
  const secret = await ((out as any).isSecret as Promise<boolean>);
  const value = await new Promise<T>((r) => out.apply((v) => r(v as T)));
  return { value, secret };
}

/** The inputs as plain values: secret wrappers replaced by what they hold. */
export function unwrapSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    const obj = v as Record<string, unknown>;
    if (obj[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return unwrapSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

/** Paths in a serialized input object where the value is wrapped as a secret. */
export function secretPaths(raw: unknown, at = ""): string[] {
  if (raw && typeof raw === "object") {
    const obj = raw as Record<string, unknown>;
    if (obj[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return [at || "."];
    return Object.entries(obj).flatMap(([k, v]) => secretPaths(v, at ? `${at}.${k}` : k));
  }
  return [];
}

/** Paths where `needle` appears in plain text, outside any secret wrapper. */
export function plainOccurrences(raw: unknown, needle: string, at = ""): string[] {
  if (typeof raw === "string") return raw.includes(needle) ? [at || "."] : [];
  if (raw && typeof raw === "object") {
    const obj = raw as Record<string, unknown>;
    if (obj[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return [];
    return Object.entries(obj).flatMap(([k, v]) => plainOccurrences(v, needle, at ? `${at}.${k}` : k));
  }
  return [];
}

/** A Kubernetes-style uid (a UUID), the same for the same name: what the mocks give objects. */
export function uidOf(name: string): string {
  const h = createHash("sha256").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Every program a pre-flight may look for. */
const ALL_TOOLS = ["bash", "kubectl", "az", "nsupdate", "dig", "aws"];
/**
 * The `aws` pre-flight runs (Route 53): logged in to the example account, the examples' hosted
 * zone public and named example.com.
 */
const FAKE_AWS = [
  "#!/bin/sh",
  'case "$1 $2" in',
  `"sts get-caller-identity") printf '{"Account": "${FAKE.awsAccount}", "Arn": "arn:aws:iam::${FAKE.awsAccount}:user/operator"}\\n' ;;`,
  `"route53 get-hosted-zone") printf 'example.com.\\tFalse\\n' ;;`,
  "*) exit 99 ;;",
  "esac",
  "",
].join("\n");

const toolDirs = new Map<string, string>();

/**
 * A directory holding an executable stand-in for each of `tools`: its script from `scripts`, else
 * one that only exists (the program only looks for it).
 */
function toolsDir(tools: string[], scripts: Record<string, string>): string {
  const key = createHash("sha256")
    .update(JSON.stringify([...tools].sort().map((t) => [t, scripts[t] ?? ""])))
    .digest("hex");
  let dir = toolDirs.get(key);
  if (!dir) {
    dir = mkdtempSync(path.join(tmpdir(), "vdr-tools-"));
    for (const t of tools) {
      writeFileSync(path.join(dir, t), scripts[t] ?? "#!/bin/sh\nexit 99\n", { mode: 0o755 });
    }
    toolDirs.set(key, dir);
    if (toolDirs.size === 1)
      process.on("exit", () => toolDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  }
  return dir;
}
