import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { z } from "zod";
import { apiServerOf } from "../components/cluster/kubeconfig";
import { bslCheckSchema, scheduleSchema, veleroSchema } from "../components/config/schema";
import { formatIssues } from "../components/config/issues";
import {
  s3compatCredentials,
  s3compatSection,
  s3compat as s3compatBackend,
} from "../components/backends/s3compat";
import { named } from "../components/model/values";
import * as names from "../components/model/names";
import { buildS3CompatBslConfig } from "../components/velero/locations";
import { pairingProblems, VersionKey } from "../components/velero/compatibility";
import { buildScheduleSpec } from "../components/velero/specs";
import { DEFAULT_VERSIONS } from "../components/velero/versions";
import { VeleroInstall } from "../components/velero/velero-install";
import { VeleroSchedules } from "../components/velero/velero-schedules";
import { veleroSettingsValues } from "../components/velero/values";

/**
 * The component the multi-language package exposes (plugin/index.ts): a Velero backup source on an
 * existing cluster, writing to an existing S3-compatible bucket — what the TypeScript program's
 * `velero-dr:cloud: s3compat` source stack with a kubeconfig target deploys, minus the in-cluster
 * alerts and app preparation. Its args are what the SDK's schema inference reads (plain
 * interfaces of strings, numbers, booleans, lists and nested interfaces): the generated Python,
 * Go and YAML SDKs are built from these declarations and their doc comments.
 */

/** An existing bucket on an S3-compatible store (MinIO, Ceph RGW, ...); it is never created, changed or deleted. */
export interface S3CompatStoreArgs {
  /** The store's S3 endpoint, an http:// or https:// URL without credentials, e.g. https://minio.example.com:9000. */
  endpoint: string;
  /** The existing bucket Velero writes its backups to. */
  bucket: string;
  /** The region requests are signed with (MinIO: its MINIO_REGION, us-east-1 unless set; Ceph RGW: the zonegroup's api_name). */
  region: string;
  /** Path-style addressing, what MinIO and Ceph RGW serve without wildcard DNS (default true). */
  forcePathStyle?: boolean;
  /** Where clients (the velero CLI) reach the store for downloads, if not at `endpoint`. */
  publicUrl?: string;
}

/** Velero's key pair on the store (secret). */
export interface S3CompatCredentialsArgs {
  accessKeyId: string;
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string;
}

/** Velero's install settings; every key has the TypeScript program's default. */
export interface VeleroSettingsArgs {
  /** Velero's namespace (default velero). */
  namespace?: string;
  /** Velero image tag (default v1.10.3, the line this project supports). */
  version?: string;
  /** vmware-tanzu/velero Helm chart version (default 3.1.6). */
  chartVersion?: string;
  /** velero-plugin-for-aws image tag (default v1.6.2). */
  pluginVersion?: string;
  /** Helm repository of the chart, https:// or oci://. */
  chartRepository?: string;
  /** A local chart directory or archive (air-gapped sites); replaces chartRepository. */
  chartPath?: string;
  /** Private registry that mirrors Velero's images. */
  imageRegistry?: string;
  /** Run the node agent (file-system backups of pod volumes). */
  nodeAgent?: boolean;
  /** Copy every pod volume file by file (needs nodeAgent): an S3-compatible store takes no volume snapshots. */
  defaultVolumesToFsBackup?: boolean;
  /** Name of the PriorityClass Velero runs with (default velero-dr-critical). */
  priorityClassName?: string;
  /** Create that PriorityClass (default true; false: it exists already). */
  createPriorityClass?: boolean;
  /** How long Helm may take to install Velero, in seconds (default 600). */
  helmTimeoutSeconds?: number;
}

/** One Velero Schedule. */
export interface BackupScheduleArgs {
  /** The Schedule's name (backups are named after it). */
  name: string;
  /** A 5-field cron in UTC such as "0 0 * * *", or a descriptor like "@daily". */
  cron: string;
  /** How long backups are kept, a Go duration (default 720h). */
  ttl?: string;
  /** The namespaces backed up. */
  namespaces: string[];
  /** Resource kinds left out of the backups. */
  excludedResources?: string[];
  /** Create the Schedule paused. */
  paused?: boolean;
}

/** Whether the update waits for Velero's backup storage location to become Available. */
export interface BslCheckArgs {
  /** Default true. */
  enabled?: boolean;
  /** Default 300. */
  timeoutSeconds?: number;
}

export interface VeleroSourceArgs {
  /** Kubeconfig of the cluster to back up (secret: reaches the Kubernetes provider and the readiness checks only). */
  kubeconfig: pulumi.Input<string>;
  /** The S3-compatible bucket Velero writes to. */
  s3compat: S3CompatStoreArgs;
  /** Velero's key pair on the store (secret). */
  s3compatCredentials: pulumi.Input<S3CompatCredentialsArgs>;
  /** Object prefix in the bucket, so that several clusters can share it. */
  prefix?: string;
  velero?: VeleroSettingsArgs;
  /** At least one Schedule. */
  schedules: BackupScheduleArgs[];
  /** Take one backup from the first schedule right away (schedules do not run on creation). */
  firstBackup?: boolean;
  bslCheck?: BslCheckArgs;
}

/** The inputs whose values are secret: the package schema marks them (plugin/provider.ts). */
export const VELERO_SOURCE_SECRET_INPUTS = ["kubeconfig", "s3compatCredentials"] as const;

/**
 * The keys of the nested args the package exposes (its schema's types), where the stack
 * configuration's schema used to check them knows more: a key it knows but the package does not
 * expose is refused like an unknown one, not silently applied. test/plugin checks these lists
 * against the generated schema.
 */
export const EXPOSED_KEYS = {
  s3compat: ["endpoint", "bucket", "region", "forcePathStyle", "publicUrl"],
  velero: [
    "namespace",
    "version",
    "chartVersion",
    "pluginVersion",
    "chartRepository",
    "chartPath",
    "imageRegistry",
    "nodeAgent",
    "defaultVolumesToFsBackup",
    "priorityClassName",
    "createPriorityClass",
    "helmTimeoutSeconds",
  ],
} as const satisfies {
  s3compat: readonly (keyof S3CompatStoreArgs)[];
  velero: readonly (keyof VeleroSettingsArgs)[];
};

/** The backup storage location's name (the one the TypeScript program's stacks use too). */
const BSL_NAME = "default";
/** The Schedules' `velero-dr/profile` label: no application profile, the caller chose the namespaces. */
const PROFILE_LABEL = "custom";
const FIRST_BACKUP_TIMEOUT_SECONDS = 3600;

/**
 * The plain args, checked with the same zod rules as the stack configuration: every problem at
 * once, each naming its key under `args.`, before any resource is registered.
 */
const plainArgsSchema = z.strictObject({
  kubeconfig: z.unknown(),
  s3compat: s3compatSection,
  s3compatCredentials: z.unknown(),
  prefix: named(names.OBJECT_PREFIX).optional(),
  velero: veleroSchema,
  schedules: z.array(scheduleSchema).min(1, { error: "expected at least one schedule" }),
  firstBackup: z.boolean().default(false),
  bslCheck: bslCheckSchema,
});

type PlainArgs = z.output<typeof plainArgsSchema>;

/** `args.` instead of the stack configuration's `velero-dr:`: the caller wrote component args. */
function argsKey(message: string): string {
  return message
    .replace(/^velero-dr:/, "args.")
    .replace(/velero-dr:velero\./g, "args.velero.")
    .replace(/velero-dr:s3compatCredentials/g, "args.s3compatCredentials");
}

/** Validated, defaulted plain args, or an Error listing every problem. */
export function checkVeleroSourceArgs(name: string, args: unknown): PlainArgs {
  const parsed = plainArgsSchema.safeParse(args ?? {}, { reportInput: true });
  const problems: string[] = parsed.success
    ? []
    : formatIssues(parsed.error.issues, plainArgsSchema, "velero-dr", []).map(argsKey);
  for (const [section, keys] of Object.entries(EXPOSED_KEYS)) {
    const value = (args as Record<string, unknown> | undefined)?.[section];
    if (!value || typeof value !== "object" || Array.isArray(value)) continue;
    for (const k of Object.keys(value)) {
      const at = `args.${section}.${k}:`;
      // A key the configuration's schema does not know either has its message (with a suggestion) already.
      if (!(keys as readonly string[]).includes(k) && !problems.some((p) => p.startsWith(at))) {
        problems.push(`${at} unknown key; known keys here: ${[...keys].sort().join(", ")}`);
      }
    }
  }
  if (parsed.success) {
    const a = parsed.data;
    for (const k of ["kubeconfig", "s3compatCredentials"] as const) {
      if (a[k] === undefined || a[k] === null) problems.push(`args.${k}: is required (a secret)`);
    }
    a.schedules.forEach((sc, i) => {
      // Velero reads an empty namespace list as "every namespace": never a default here.
      if (sc.namespaces === undefined || sc.namespaces.length === 0) {
        problems.push(`args.schedules[${i}].namespaces: is required; expected the namespaces to back up`);
      }
    });
    if (a.velero.defaultVolumesToFsBackup && !a.velero.nodeAgent) {
      problems.push(
        "args.velero.defaultVolumesToFsBackup: is true but velero.nodeAgent is not; set velero.nodeAgent: true (the node agent copies the volumes)",
      );
    }
    const raw = (args as { velero?: Record<string, unknown> }).velero ?? {};
    const set = new Set(
      (["version", "chartVersion", "pluginVersion"] as VersionKey[]).filter((k) => k in raw),
    );
    const defaults = {
      version: DEFAULT_VERSIONS.velero,
      chartVersion: DEFAULT_VERSIONS.chart,
      pluginVersion: s3compatBackend.defaultPluginVersion,
    };
    problems.push(
      ...pairingProblems({
        version: a.velero.version,
        chartVersion: a.velero.chartVersion,
        pluginVersion: a.velero.pluginVersion ?? defaults.pluginVersion,
        chartPath: a.velero.chartPath,
        set,
        pluginImage: s3compatBackend.pluginImage,
        defaults,
        pins: {},
      }).map((p) => argsKey(`velero-dr:velero.${p.key}: ${p.message}`)),
    );
  }
  if (parsed.success && problems.length === 0) return parsed.data;
  throw new Error(
    `velero-dr:index:VeleroSource "${name}": ${problems.length} problem${problems.length === 1 ? "" : "s"} in its args; nothing was registered:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
  );
}

/** Velero's credentials file (AWS shared-credentials format) from the key pair, checked without showing it. */
export function credentialsFile(name: string, value: unknown): string {
  const c = s3compatCredentials.safeParse(value);
  if (!c.success) {
    const keys = ["accessKeyId", "secretAccessKey", "sessionToken"];
    const problems = formatIssues(c.error.issues, s3compatCredentials, "velero-dr", keys).map((m) =>
      m.replace(/^velero-dr(:|$)/, (_, sep: string) =>
        sep ? "args.s3compatCredentials." : "args.s3compatCredentials",
      ),
    );
    throw new Error(`velero-dr:index:VeleroSource "${name}": ${problems.join("; ")}`);
  }
  const k = c.data;
  return `[default]\naws_access_key_id=${k.accessKeyId}\naws_secret_access_key=${k.secretAccessKey}\n${k.sessionToken ? `aws_session_token=${k.sessionToken}\n` : ""}`;
}

/** The kubeconfig, once it names an API server; the error does not echo the (secret) content. */
export function checkedKubeconfig(name: string, kubeconfig: string): string {
  try {
    apiServerOf(kubeconfig);
  } catch (e) {
    throw new Error(
      `velero-dr:index:VeleroSource "${name}": args.kubeconfig: is not a usable kubeconfig (${(e as Error).message.split("\n")[0]})`,
    );
  }
  return kubeconfig;
}

/**
 * A Velero backup source: the Kubernetes provider for the given kubeconfig, Velero (namespace,
 * credentials Secret, priority class, Helm release, backup storage location check) and its
 * Schedules, with an optional first backup.
 */
export class VeleroSource extends pulumi.ComponentResource {
  /** Velero's namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** The backup storage location the Schedules write to. */
  public readonly bslName: pulumi.Output<string>;
  /** The Schedules' names. */
  public readonly scheduleNames: pulumi.Output<string[]>;
  /** The API server of the protected cluster (not secret: a destination's guard compares it). */
  public readonly apiServer: pulumi.Output<string>;

  constructor(name: string, args: VeleroSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before the component itself registers: bad args leave nothing behind.
    const a = checkVeleroSourceArgs(name, args);
    super("velero-dr:index:VeleroSource", name, {}, opts);
    const v = a.velero;
    if (!v.defaultVolumesToFsBackup) {
      pulumi.log.warn(
        `velero-dr: VeleroSource "${name}": an S3-compatible store takes no volume snapshots: the contents of persistent volumes are not in these backups (only their Kubernetes objects are); set velero.nodeAgent and velero.defaultVolumesToFsBackup to true to copy every pod volume`,
        this,
      );
    }
    // Secret whether or not the caller's values were (a YAML or Python program may pass a plain
    // string). Both secrets are checked before the provider gets its kubeconfig: every Kubernetes
    // object waits on it, so a bad key pair (or kubeconfig) leaves nothing on the cluster.
    const credentials = pulumi.secret(args.s3compatCredentials).apply((c) => credentialsFile(name, c));
    const kubeconfig = pulumi
      .all([pulumi.secret(args.kubeconfig), credentials])
      .apply(([k]) => checkedKubeconfig(name, k));
    const provider = new Provider(
      `${name}-k8s`,
      { kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    const s = a.s3compat;
    const velero = new VeleroInstall(
      `${name}-velero`,
      {
        kubeconfig,
        namespace: v.namespace,
        chart: { version: v.chartVersion, repository: v.chartRepository, path: v.chartPath },
        credentialsFile: credentials,
        createPriorityClass: v.createPriorityClass,
        helmTimeoutSeconds: v.helmTimeoutSeconds,
        bslCheck: a.bslCheck,
        settings: { nodeAgent: v.nodeAgent, priorityClassName: v.priorityClassName, bslName: BSL_NAME },
        values: {
          provider: "aws",
          pluginImage: s3compatBackend.pluginImage,
          ...veleroSettingsValues({
            ...v,
            pluginVersion: v.pluginVersion ?? s3compatBackend.defaultPluginVersion,
          }),
          bsl: {
            name: BSL_NAME,
            bucket: s.bucket,
            prefix: a.prefix,
            accessMode: "ReadWrite",
            config: buildS3CompatBslConfig(s),
          },
        },
      },
      { parent: this, provider },
    );
    const schedules = new VeleroSchedules(
      `${name}-schedules`,
      {
        kubeconfig,
        namespace: v.namespace,
        storageLocation: BSL_NAME,
        profile: PROFILE_LABEL,
        schedules: a.schedules.map((sc) => ({
          name: sc.name,
          spec: buildScheduleSpec({
            schedule: {
              name: sc.name,
              cron: sc.cron,
              ttl: sc.ttl ?? "720h",
              paused: sc.paused,
              namespaces: sc.namespaces ?? [],
              excludedResources: sc.excludedResources ?? [],
            },
            storageLocation: BSL_NAME,
            snapshotVolumes: false,
            defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
            profile: PROFILE_LABEL,
          }),
        })),
        firstBackup: { enabled: a.firstBackup, timeoutSeconds: FIRST_BACKUP_TIMEOUT_SECONDS },
      },
      { parent: this, provider, dependsOn: velero.ready },
    );
    this.namespace = pulumi.output(v.namespace);
    this.bslName = pulumi.output(BSL_NAME);
    this.scheduleNames = pulumi.output(schedules.names);
    this.apiServer = pulumi.unsecret(kubeconfig.apply(apiServerOf));
    this.registerOutputs({
      namespace: this.namespace,
      bslName: this.bslName,
      scheduleNames: this.scheduleNames,
      apiServer: this.apiServer,
    });
  }
}
