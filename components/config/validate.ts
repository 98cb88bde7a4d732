import { z } from "zod";
import { AppRegistry, configureApp, ConfiguredApp, StackRole } from "../apps/definition";
import { AppProfile } from "../model/profile";
import {
  backendOf,
  BACKEND_NAMES,
  backendSecretKeys,
  findBackend,
  SourceStackConfig,
  storageBackends,
} from "../backends";
import type { StorageBackend } from "../backends/backend";
import { targetOf } from "../targets";
import type { SizedCreateCluster, SizedCreateEks } from "../targets/target";
import { durationSeconds } from "../model/durations";
import { DEFAULT_VERSIONS, minorOf } from "../velero/versions";
import { pairingProblems, VersionKey } from "../velero/compatibility";
import { ConfigError, keyPath } from "./errors";
import { formatIssues as formatZodIssues } from "./issues";
import { backupLocationProblems } from "../backends/kit/read-location";
import { cronMaxIntervalSeconds } from "./cron";
import { pluginVersionOf, RawSourceConfig, roleSchema, sourceSchema } from "./schema";
import { scheduleProblems } from "./schedule-checks";
import {
  destinationVolumeProblems,
  resolveVolumeBackup,
  sourceVolumeFacts,
  VolumeKeysSet,
  volumeKeysSet,
} from "./volume-backup";
import type { RawDestinationConfig, SourceOutputs } from "./destination-schema";
import { DnsConfig } from "../dns/dns-config";
import type { DnsProvider } from "../dns/provider";

import { AlertSchedule, ScheduleConfig } from "../model/schedules";

export type { AlertSchedule, ScheduleConfig };

export const CONFIG_NAMESPACE = "velero-dr";

/**
 * Keys whose values must be Pulumi secrets (`pulumi config set --secret`): the cluster's, the DNS
 * providers' and the storage backends' (`StorageBackend.secretKeys`; a test checks each is here).
 */
export const SECRET_KEYS = ["kubeconfig", "dnsTsigSecret", "alertWebhooks", "s3compatCredentials"] as const;

/** Keys a destination takes from the source stack: running other versions would risk the restore. */
const FROM_SOURCE = ["version", "chartVersion", "pluginVersion", "vendorApprovedVersion"];

/** Alerting, resolved: what to create and where to notify. */
export interface AlertingConfig {
  enabled: boolean;
  marginSeconds: number;
  /** "auto": applied when the cluster serves the PrometheusRule CRD; "on": always; "off": never. */
  prometheusRule: "auto" | "on" | "off";
  prometheusLabels: Record<string, string>;
  cloudAlert: boolean;
  emails: string[];
  /** How many webhook URLs the secret `alertWebhooks` holds (the URLs stay secret). */
  webhookCount: number;
  /** Unpaused schedules (a paused schedule is expected to take no backups). */
  schedules: AlertSchedule[];
}

/** The in-cluster part of alerting (what a promoted destination has too). */
export type InClusterAlerting = Pick<
  AlertingConfig,
  "enabled" | "marginSeconds" | "prometheusRule" | "prometheusLabels" | "schedules"
>;

type RawVelero = RawSourceConfig["velero"];

/** What every source config holds, whatever its backend (each backend adds its own keys). */
export interface SourceCommon
  extends Omit<
    RawSourceConfig,
    | "schedules"
    | "namespaces"
    | "excludedResources"
    | "profile"
    | "cloud"
    | "alerting"
    | "alertWebhooks"
    | "velero"
    | "app"
  > {
  stack: string;
  profile: AppProfile;
  /** The application (`velero-dr:profile`) configured from `velero-dr:app` by its own schema. */
  app: ConfiguredApp;
  schedules: ScheduleConfig[];
  velero: RawVelero & { pluginVersion: string };
  alerting: AlertingConfig;
}

export type { AzureSourceConfig } from "../backends/azure";
export type { AwsConfig, AwsSourceConfig } from "../backends/aws";
export type { S3CompatSourceConfig } from "../backends/s3compat";
export type { SourceStackConfig } from "../backends";

/** The validated configuration of a destination stack. */
export interface DestinationStackConfig
  extends Omit<
    RawDestinationConfig,
    "profile" | "backup" | "dns" | "schedules" | "source" | "app" | "cluster" | "alerting"
  > {
  stack: string;
  /** `cluster.create`'s node pool resolved: the stack's keys, else the vendor's sizing, else the generic. */
  cluster: Omit<RawDestinationConfig["cluster"], "create" | "createEks"> & {
    create?: SizedCreateCluster;
    createEks?: SizedCreateEks;
  };
  profile: AppProfile;
  app: ConfiguredApp;
  source: { stack?: string; outputs?: SourceOutputs };
  backup: { name?: string; schedule?: string; location?: "primary" | "replica" };
  /** `none` where the stack sets no `dns` and the app's vendor does not move DNS. */
  dns: DnsConfig;
  /** The in-cluster alerting of the promoted destination (its own schedules). */
  alerting: InClusterAlerting;
  /** `restore.loadBalancer`: the entry point the chain waits for (absent: no wait). */
  restore: RawDestinationConfig["restore"];
  schedules: ScheduleConfig[];
  /** The volume keys the stack set itself (the destination's checks once a stack reference answers). */
  volumeKeys: VolumeKeysSet;
}

export type StackConfig = SourceStackConfig | DestinationStackConfig;

export interface RawConfigInput {
  /** Config values without the `velero-dr:` prefix; structured values already parsed. */
  values: Record<string, unknown>;
  /** Keys (without prefix) that were set as secrets. */
  secretKeys: string[];
  stack: string;
  /** Secret keys whose content was not available (read without decrypting): not checked. */
  redacted?: string[];
}

/**
 * Validates a stack's raw configuration and resolves every default.
 *
 * Pure: no Pulumi calls, no resources. Throws a ConfigError listing every problem at once;
 * the program calls it before registering anything, so bad input never leaves a half-built stack.
 */
export function validateConfig(input: RawConfigInput, apps: AppRegistry): StackConfig {
  const problems: string[] = [];
  const role = roleSchema.safeParse(input.values, { reportInput: true });
  if (!role.success) {
    throw new ConfigError(formatIssues(role.error.issues, roleSchema));
  }
  for (const key of SECRET_KEYS) {
    if (input.values[key] !== undefined && !input.secretKeys.includes(key)) {
      problems.push(
        `${CONFIG_NAMESPACE}:${key}: is stored in plain text; set it again with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${key}\``,
      );
    }
  }
  const app = checkApp(input.values, role.data.role, apps);
  problems.push(...app.problems);
  problems.push(...backendKeyProblems(input, role.data.role));
  const values = withoutRedactedBackendSecrets(input);
  if (role.data.role === "destination") {
    const velero = values.velero as Record<string, unknown> | undefined;
    for (const k of FROM_SOURCE) {
      if (velero && typeof velero === "object" && k in velero) {
        problems.push(
          `${CONFIG_NAMESPACE}:velero.${k}: a destination runs the source stack's Velero versions (restoring with other versions is unsupported); remove this key`,
        );
      }
    }
    const stripped =
      velero && typeof velero === "object"
        ? Object.fromEntries(Object.entries(velero).filter(([k]) => !FROM_SOURCE.includes(k)))
        : velero;
    problems.push(...sourceOutputsProblems(values));
    const destinationSchema = loadDestinationSchema();
    const parsed = destinationSchema.safeParse(
      { ...values, ...(velero ? { velero: stripped } : {}) },
      { reportInput: true },
    );
    if (!parsed.success) {
      problems.push(...formatIssues(parsed.error.issues, destinationSchema));
      throw new ConfigError(problems);
    }
    const data = parsed.data;
    return settle(problems, () =>
      resolveDestination(
        rehearsalProblems(data, input.values, app.app as ConfiguredApp, problems),
        app.app as ConfiguredApp,
        input.stack,
        problems,
        input.redacted ?? [],
        volumeKeysSet(values),
      ),
    );
  }
  problems.push(...foreignStorageKeys(values));
  const parsed = sourceSchema.safeParse(values, { reportInput: true });
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error.issues, sourceSchema));
    throw new ConfigError(problems);
  }
  const data = parsed.data;
  return settle(problems, () =>
    resolveSource(
      data,
      app.app as ConfiguredApp,
      input.stack,
      problems,
      input.redacted ?? [],
      versionKeysSet(values),
      volumeKeysSet(values),
    ),
  );
}

/**
 * The backend's own rules on the raw values, before defaults hide what was set: its secret keys
 * (required with it, refused with another backend) and keys that mean nothing on its stacks.
 */
function backendKeyProblems(input: RawConfigInput, role: StackRole): string[] {
  const backend = findBackend(input.values.cloud);
  if (!backend) return [];
  const problems: string[] = [];
  for (const s of backendSecretKeys()) {
    const set = input.values[s.key] !== undefined;
    if (s.backend === backend && !set) {
      problems.push(
        `${CONFIG_NAMESPACE}:${s.key}: is required with cloud ${backend.name}; set it with \`${s.set}\``,
      );
    } else if (s.backend !== backend && set) {
      problems.push(`${CONFIG_NAMESPACE}:${s.key}: applies to cloud ${s.backend.name} only; remove it`);
    }
  }
  for (const [dotted, refused] of Object.entries(backend.refusedKeys?.[role] ?? {})) {
    const value = dotted
      .split(".")
      .reduce<unknown>(
        (o, k) =>
          o && typeof o === "object" && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined,
        input.values,
      );
    if (value !== undefined && (refused.when?.(value) ?? true)) {
      problems.push(
        `${CONFIG_NAMESPACE}:${dotted}: does not apply to cloud ${backend.name}: ${refused.why}; remove it`,
      );
    }
  }
  return problems;
}

/**
 * The source's outputs typed in (`source.outputs`), as the destination's backend reads them: the
 * keys every source exports and the backend's own, from the source's own cloud.
 */
function sourceOutputsProblems(values: Record<string, unknown>): string[] {
  const backend = findBackend(values.cloud);
  const source = values.source as { outputs?: unknown } | undefined;
  const outputs = source && typeof source === "object" ? source.outputs : undefined;
  if (!backend?.destination || !outputs || typeof outputs !== "object" || Array.isArray(outputs)) return [];
  const cloud = (outputs as { cloud?: unknown }).cloud;
  if (cloud !== undefined && cloud !== backend.name) {
    return [
      `${CONFIG_NAMESPACE}:source.outputs.cloud: got ${show(cloud)}: the source stack backs up to ${String(cloud)} storage, but this destination restores from ${backend.name}; set velero-dr:cloud to the source's cloud`,
    ];
  }
  const schema = z.looseObject({
    source: z.looseObject({ outputs: loadDestinationSchemaModule().sourceOutputsSchemaFor(backend) }),
  });
  const parsed = schema.safeParse({ source: { outputs } }, { reportInput: true });
  if (!parsed.success) return formatIssues(parsed.error.issues, schema);
  return (backend.destination.checkSourceOutputs?.(parsed.data.source.outputs as SourceOutputs) ?? []).map(
    (i) => `${keyPath(CONFIG_NAMESPACE, ["source", "outputs", ...i.path])}: ${i.message}`,
  );
}

/**
 * The values to parse: a backend secret read without decrypting (the runbook reads stack files so)
 * is a placeholder its schema would refuse; it is known to be set, which is all a tool needs.
 */
function withoutRedactedBackendSecrets(input: RawConfigInput): Record<string, unknown> {
  const hidden = backendSecretKeys()
    .map((k) => k.key)
    .filter((k) => input.redacted?.includes(k));
  return Object.fromEntries(Object.entries(input.values).filter(([k]) => !hidden.includes(k)));
}

/** The destination's schema, built only for a destination stack (a source stack does not need it). */
function loadDestinationSchema(): typeof import("./destination-schema").destinationSchema {
  return loadDestinationSchemaModule().destinationSchema;
}

function loadDestinationSchemaModule(): typeof import("./destination-schema") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("./destination-schema") as typeof import("./destination-schema");
}

/** A destination's backend (validated: one with a destination side). */
function destinationBackendOf(cloud: string): StorageBackend {
  return backendOf(cloud);
}

/** The DNS providers, loaded only for a destination stack (like its schema). */
function loadDnsProviders(): typeof import("../dns/providers") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../dns/providers") as typeof import("../dns/providers");
}

/** Resolves only a config without problems so far, and fails with every problem resolving found. */
function settle<T>(problems: string[], resolve: () => T): T {
  if (problems.length > 0) throw new ConfigError(problems);
  const resolved = resolve();
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

/**
 * Checks `velero-dr:app` against the profile's own option schema (and its role-specific rules),
 * so an app's settings get the same key/value/fix messages as every other key.
 */
function checkApp(
  values: Record<string, unknown>,
  role: StackRole,
  apps: AppRegistry,
): { app?: ConfiguredApp; problems: string[] } {
  const name = values.profile;
  // A missing or non-string profile is reported by the stack schema.
  if (typeof name !== "string") return { problems: [] };
  if (!Object.prototype.hasOwnProperty.call(apps, name)) {
    return {
      problems: [
        `${CONFIG_NAMESPACE}:profile: got ${show(name)}; expected one of ${Object.keys(apps).sort().join(", ")}`,
      ],
    };
  }
  const raw = values.app ?? {};
  // Not a map: the stack schema reports it.
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { problems: [] };
  const def = apps[name];
  const wrapper = z.strictObject({ app: def.options });
  const parsed = wrapper.safeParse({ app: raw }, { reportInput: true });
  if (!parsed.success) return { problems: formatIssues(parsed.error.issues, wrapper) };
  const options = parsed.data.app as object;
  const problems = (def.check?.(options, role) ?? []).map(
    (p) => `${CONFIG_NAMESPACE}:app.${p.key}: ${p.message}`,
  );
  return { app: configureApp(def, options), problems };
}

/**
 * A rehearsal changes nothing outside its own cluster: no DNS change and no promotion (a promoted
 * destination sets the production location ReadWrite and writes backups of its own to it). Set
 * any of dns, restore.promoteToPrimary or schedules and the stack is refused, naming the key; left
 * out, they are off.
 */
function rehearsalProblems(
  raw: RawDestinationConfig,
  values: Record<string, unknown>,
  app: ConfiguredApp,
  problems: string[],
): RawDestinationConfig {
  if (raw.mode !== "rehearsal") return raw;
  const restore = values.restore as { promoteToPrimary?: unknown } | undefined;
  if (restore?.promoteToPrimary === true) {
    problems.push(
      `${CONFIG_NAMESPACE}:restore.promoteToPrimary: got true with mode rehearsal; a rehearsal never promotes (the production location would go ReadWrite and take this cluster's backups): remove the key, or use mode recovery for a real recovery`,
    );
  }
  if (raw.dns && raw.dns.provider !== "none") {
    problems.push(
      `${CONFIG_NAMESPACE}:dns.provider: got ${show(raw.dns.provider)} with mode rehearsal; a rehearsal changes no DNS (${app.profile.displayName}'s users must stay on production): remove velero-dr:dns or set dns.provider none`,
    );
  }
  if (raw.schedules) {
    problems.push(
      `${CONFIG_NAMESPACE}:schedules: set with mode rehearsal; a rehearsal writes no backups (its location stays ReadOnly): remove the key`,
    );
  }
  return {
    ...raw,
    dns: raw.dns ?? { provider: "none", ttlSeconds: 300 },
    restore: { ...raw.restore, promoteToPrimary: false },
  } as RawDestinationConfig;
}

function resolveDestination(
  raw: RawDestinationConfig,
  app: ConfiguredApp,
  stack: string,
  problems: string[],
  redacted: string[],
  volumeKeys: VolumeKeysSet,
): DestinationStackConfig {
  const profile = app.profile;
  const backend = destinationBackendOf(raw.cloud);
  // The source's outputs as the backend reads them (checked already; its own keys' defaults).
  const src = raw.source.outputs
    ? (loadDestinationSchemaModule()
        .sourceOutputsSchemaFor(backend)
        .parse(raw.source.outputs) as SourceOutputs)
    : undefined;
  if (src && src.profile !== raw.profile) {
    problems.push(
      `${CONFIG_NAMESPACE}:profile: got ${show(raw.profile)}, but the source stack backed up profile ${show(src.profile)}; use the same profile`,
    );
  }
  if (src) {
    problems.push(...destinationVolumeChecks(raw, profile, backend, src, volumeKeys));
  }
  // The destination's own backups, once promoted, back volumes up as the profile says unless the
  // stack sets otherwise (a source's choices are its own config's). Its node agent serves them
  // (only a promoted destination backs up); the source's file-system backups add it regardless
  // (destinationVeleroValues).
  const own = resolveVolumeBackup(profile, backend, volumeKeys, (k) => `${CONFIG_NAMESPACE}:${k}`).settings;
  if (
    raw.restore.promoteToPrimary &&
    volumeKeys.nodeAgent === false &&
    (own.defaultVolumesToFsBackup || own.fsBackup === "profile")
  ) {
    problems.push(
      `${CONFIG_NAMESPACE}:velero.nodeAgent: got false, but once promoted this cluster's own backups copy ${own.defaultVolumesToFsBackup ? "every pod volume" : `${profile.displayName}'s listed volumes`} file by file (the profile's default), which needs the node agent; remove the key${own.defaultVolumesToFsBackup ? `, or set ${CONFIG_NAMESPACE}:velero.defaultVolumesToFsBackup: false to snapshot them instead` : ""}`,
    );
  }
  const velero = {
    ...raw.velero,
    nodeAgent: volumeKeys.nodeAgent ?? (raw.restore.promoteToPrimary && own.nodeAgent),
    uploaderType: own.uploaderType,
    defaultVolumesToFsBackup: own.defaultVolumesToFsBackup,
  };
  // The chosen target's own checks (a kubeconfig that is none, a target that is the source's cluster).
  const target = targetOf("destination", backend, raw);
  problems.push(...(target.checkResolved?.(raw, src?.cluster, redacted, stack) ?? []));
  const schedule =
    raw.backup.name === undefined ? (raw.backup.schedule ?? profile.schedules[0].name) : undefined;
  const schedules = resolveSchedules(raw.schedules, profile);
  // A destination writes backups only once promoted: only then do its Schedules exist.
  if (raw.restore.promoteToPrimary) {
    problems.push(...scheduleProblems(schedules, raw.scheduleFloorMinutes, scheduleKey(raw.schedules)));
  }
  const rawDns = raw.dns ?? { provider: "none" as const, ttlSeconds: 300 };
  if (!raw.dns && profile.restore.dnsCutOver) {
    // Every provider that changes records, from the registry.
    const changing = Object.values(loadDnsProviders().dnsProviders)
      .filter((p) => (p as DnsProvider<DnsConfig>).needsDomain !== false)
      .map((p) => p.name);
    problems.push(
      `${CONFIG_NAMESPACE}:dns.provider: is required for ${profile.displayName}: its vendor's restore procedure points the app's DNS names at the new cluster; set ${changing.slice(0, -1).join(", ")} or ${changing[changing.length - 1]} with dns.baseDomain and dns.zone, or none when someone else moves the names`,
    );
  }
  const recordPrefixes = rawDns.recordPrefixes ?? profile.restore.dnsRecordPrefixes;
  const provider = loadDnsProviders().dnsProviders[rawDns.provider] as DnsProvider<DnsConfig>;
  // The provider's secrets, where their content is at hand (not when read without decrypting).
  for (const key of Object.values(provider.secretEnv ?? {})) {
    const value = (raw as unknown as Record<string, unknown>)[key];
    if (redacted.includes(key) || typeof value !== "string") continue;
    const problem = provider.checkSecret?.(key, value, rawDns);
    if (problem) problems.push(`${CONFIG_NAMESPACE}:${key}: ${problem}`);
  }
  const dns = provider.resolve(rawDns, {
    recordPrefixes,
    azureSubscriptionId: (raw as { azure?: { subscriptionId: string } }).azure?.subscriptionId,
  });
  // The chain waits for the app's load balancer where DNS is pointed at it, or where the vendor's
  // procedure does so (its address is what the operator then publishes); elsewhere the app's
  // entry point is none of the restore's business, and an install without one must not wait.
  const entryPoint = raw.restore.loadBalancer ?? profile.restore.loadBalancer;
  const waitsForEntryPoint = dns.provider !== "none" || profile.restore.dnsCutOver;
  if (waitsForEntryPoint && !entryPoint) {
    problems.push(
      `${CONFIG_NAMESPACE}:restore.loadBalancer.service: is required with dns.provider ${dns.provider}: ${profile.displayName}'s profile names no Service of type LoadBalancer for DNS to point at; set restore.loadBalancer.namespace and restore.loadBalancer.service to the one that serves it (e.g. the ingress controller's)`,
    );
  }
  return {
    // The backend's secrets are read as Pulumi secrets where they are used, never from here.
    ...withoutBackendSecrets(omit(raw, ["app"])),
    stack,
    velero,
    volumeKeys,
    profile: { ...profile, snapshotVolumes: own.snapshotVolumes },
    app,
    source: { stack: raw.source.stack, outputs: src },
    backup: {
      name: raw.backup.name,
      schedule,
      ...(raw.backup.location !== undefined ? { location: raw.backup.location } : {}),
    },
    dns,
    restore: { ...raw.restore, loadBalancer: waitsForEntryPoint ? entryPoint : undefined },
    schedules,
    alerting: resolveInClusterAlerting(raw.alerting, schedules),
    cluster: withNodeSizing(raw.cluster, profile),
  };
}

/**
 * The destination's volume checks with the source's outputs at hand (typed in): where the backups
 * are read (a replica that exists, no promotion onto it), the cross-region guard, the node agent
 * and uploader. With a StackReference the destination stack runs the same
 * checks once the reference answers (stacks/destination.ts).
 */
export function destinationVolumeChecks(
  raw: RawDestinationConfig,
  profile: AppProfile,
  backend: StorageBackend,
  src: SourceOutputs,
  volumeKeys: VolumeKeysSet,
): string[] {
  const regions = backend.destination?.regions;
  // Where the backups are read from: a replica asked for must be in the source's outputs, and a
  // destination reading the replica is not promoted onto it.
  const replicaProblems = backend.destination
    ? backupLocationProblems({
        support: backend.destination,
        source: src,
        cfg: raw,
        choice: raw.backup.location,
        promoteToPrimary: raw.restore.promoteToPrimary,
        namespace: CONFIG_NAMESPACE,
      })
    : [];
  return replicaProblems.concat(
    destinationVolumeProblems({
      profile,
      source: sourceVolumeFacts(src.velero, backend),
      regions: regions
        ? {
            source: regions.source(src),
            destination: regions.destination(raw),
            key: regions.key,
            sourceOutputPath: regions.sourceOutputPath,
          }
        : undefined,
      set: volumeKeys,
      key: (k) => `${CONFIG_NAMESPACE}:${k}`,
    }),
  );
}

/** A new cluster's node pool: the stack's own keys win, then the size the vendor documents. */
function withNodeSizing(
  cluster: RawDestinationConfig["cluster"],
  profile: AppProfile,
): DestinationStackConfig["cluster"] {
  const { create, createEks } = cluster;
  const generic = loadDestinationSchemaModule().GENERIC_NODES;
  const nodes = profile.requirements.nodes ?? generic;
  return {
    ...cluster,
    create: create
      ? {
          ...create,
          nodeVmSize: create.nodeVmSize ?? nodes.azureVmSize,
          nodeCount: create.nodeCount ?? nodes.count,
        }
      : undefined,
    createEks: createEks
      ? {
          ...createEks,
          instanceType: createEks.instanceType ?? nodes.awsInstanceType ?? generic.awsInstanceType,
          nodeCount: createEks.nodeCount ?? nodes.count,
        }
      : undefined,
  };
}

/** The config key of a schedule's leaf: the stack's `schedules[i]`, or the profile's default. */
function scheduleKey(configured: unknown[] | undefined) {
  return (i: number, leaf: string) =>
    configured
      ? `${CONFIG_NAMESPACE}:schedules[${i}].${leaf}`
      : `${CONFIG_NAMESPACE}:schedules (the profile's default, schedule ${i + 1}: set velero-dr:schedules to change its ${leaf})`;
}

export function resolveSchedules(
  configured: Partial<ScheduleConfig>[] | undefined,
  profile: AppProfile,
): ScheduleConfig[] {
  return (configured ?? profile.schedules).map((s: Partial<ScheduleConfig>) => ({
    name: s.name as string,
    cron: s.cron as string,
    ttl: s.ttl ?? profile.defaultTtl,
    paused: s.paused ?? false,
    namespaces: s.namespaces ?? profile.namespaces,
    excludedResources: s.excludedResources ?? profile.excludedResources,
  }));
}

/** Storage keys of another backend: an ignored hardening key is worse than an error. */
function foreignStorageKeys(values: Record<string, unknown>): string[] {
  const storage = values.storage;
  const cloud = values.cloud;
  const backend = findBackend(cloud);
  if (!backend || !storage || typeof storage !== "object" || Array.isArray(storage)) return [];
  const others = Object.values(storageBackends as Record<string, StorageBackend>).filter(
    (b) => b !== backend,
  );
  return Object.keys(storage).flatMap((k) => {
    if (k in backend.storageKeys) return [];
    const owners = others.filter((b) => k in b.storageKeys).map((b) => b.name);
    return owners.length > 0
      ? [
          `${CONFIG_NAMESPACE}:storage.${k}: applies to cloud ${owners.join(" or ")} only; remove it${backend.storageHint ? ` ${backend.storageHint}` : ""}`,
        ]
      : [];
  });
}

function resolveAlerting(raw: RawSourceConfig, schedules: ScheduleConfig[]): AlertingConfig {
  const a = raw.alerting;
  return {
    ...resolveInClusterAlerting(a, schedules),
    cloudAlert: a.enabled && a.cloudAlert,
    emails: a.emails,
    webhookCount: raw.alertWebhooks?.length ?? 0,
  };
}

function resolveInClusterAlerting(
  a: RawDestinationConfig["alerting"],
  schedules: ScheduleConfig[],
): InClusterAlerting {
  return {
    enabled: a.enabled,
    marginSeconds: a.marginMinutes * 60,
    prometheusRule: !a.enabled
      ? "off"
      : a.prometheusRule === "auto"
        ? "auto"
        : a.prometheusRule
          ? "on"
          : "off",
    prometheusLabels: a.prometheusLabels,
    schedules: schedules
      .filter((s) => !s.paused)
      .map((s) => ({ name: s.name, periodSeconds: cronMaxIntervalSeconds(s.cron) })),
  };
}

function resolveSource(
  raw: RawSourceConfig,
  app: ConfiguredApp,
  stack: string,
  problems: string[],
  redacted: string[],
  versionsSet: ReadonlySet<VersionKey>,
  volumeKeys: VolumeKeysSet,
): SourceStackConfig {
  const base = app.profile;
  const backend = backendOf(raw.cloud);
  const volumes = resolveVolumeBackup(base, backend, volumeKeys, (k) => `${CONFIG_NAMESPACE}:${k}`);
  problems.push(...volumes.problems);
  const vb = volumes.settings;
  const profile: AppProfile = {
    ...base,
    namespaces: raw.namespaces ?? base.namespaces,
    excludedResources: raw.excludedResources ?? base.excludedResources,
    // The Schedules snapshot what is not copied file by file, unless the vendor's file-system mode
    // takes no snapshots (profile.volumeBackup.snapshotUnlisted).
    snapshotVolumes: vb.snapshotVolumes,
  };
  problems.push(...versionProblems(raw, profile, versionsSet));
  const schedules = resolveSchedules(raw.schedules, profile);
  problems.push(...scheduleProblems(schedules, raw.scheduleFloorMinutes, scheduleKey(raw.schedules)));
  const longestTtl = Math.max(...schedules.map((s) => durationSeconds(s.ttl)));
  const target = targetOf("source", backend, raw);
  problems.push(...(target.checkResolved?.(raw, undefined, redacted, stack) ?? []));
  // The webhook URLs are secret: the program reads them as a Pulumi secret, never from here.
  const common: SourceCommon = {
    // Each backend adds its own settings (`velero-dr:<cloud>`) as it resolves them.
    ...withoutBackendSections(withoutBackendSecrets(omit(raw, ["alertWebhooks", "app"]))),
    stack,
    profile,
    // The app as this stack runs it: its profile with the stack's namespaces and exclusions.
    app: { ...app, profile },
    schedules,
    fsBackup: vb.fsBackup,
    velero: {
      ...raw.velero,
      nodeAgent: vb.nodeAgent,
      uploaderType: vb.uploaderType,
      defaultVolumesToFsBackup: vb.defaultVolumesToFsBackup,
      pluginVersion: pluginVersionOf(raw.cloud, raw.velero.pluginVersion),
    },
    alerting: resolveAlerting(raw, schedules),
  };
  return backend.resolveSource(raw, common, {
    stack,
    longestTtlSeconds: longestTtl,
    problems,
  }) as SourceStackConfig;
}

/**
 * The versions the app's vendor pins (profile.requirements), held exactly: a vendor supports one
 * Velero, not its whole line. A patch release the vendor approved is named on purpose
 * (`velero.vendorApprovedVersion`), never slipped in by changing `velero.version` alone.
 */
/**
 * The stack's Velero versions: first whether they go together at all (upstream's compatibility
 * tables, components/velero/compatibility), then the vendor's pins, for the keys that passed the
 * first (one message per key: a plugin of the wrong line is not also told it is not the pin).
 */
export function versionProblems(
  raw: Pick<RawSourceConfig, "cloud" | "velero">,
  profile: Pick<AppProfile, "requirements" | "displayName">,
  set: ReadonlySet<VersionKey>,
): string[] {
  const v = raw.velero;
  const req = profile.requirements;
  const backend = backendOf(raw.cloud);
  const pairing = pairingProblems({
    version: v.version,
    chartVersion: v.chartVersion,
    pluginVersion: pluginVersionOf(raw.cloud, v.pluginVersion),
    chartPath: v.chartPath,
    set,
    pluginImage: backend.pluginImage,
    defaults: {
      version: DEFAULT_VERSIONS.velero,
      chartVersion: DEFAULT_VERSIONS.chart,
      pluginVersion: backend.defaultPluginVersion,
    },
    pins: { version: req.veleroVersion, chartVersion: req.chartVersion, pluginVersion: req.pluginVersion },
  });
  const reported = pairing.map((p) => `${CONFIG_NAMESPACE}:velero.${p.key}:`);
  return [
    ...pairing.map((p) => `${CONFIG_NAMESPACE}:velero.${p.key}: ${p.message}`),
    ...vendorPinProblems(raw, profile).filter((m) => !reported.some((k) => m.startsWith(k))),
  ];
}

/** The version keys a stack sets itself under `velero-dr:velero` (the raw values, before defaults). */
function versionKeysSet(values: Record<string, unknown>): Set<VersionKey> {
  const velero = values.velero;
  const keys: VersionKey[] = ["version", "chartVersion", "pluginVersion"];
  if (!velero || typeof velero !== "object" || Array.isArray(velero)) return new Set();
  return new Set(keys.filter((k) => (velero as Record<string, unknown>)[k] !== undefined));
}

export function vendorPinProblems(
  raw: Pick<RawSourceConfig, "cloud" | "velero">,
  profile: Pick<AppProfile, "requirements" | "displayName">,
): string[] {
  const req = profile.requirements;
  const v = raw.velero;
  const out: string[] = [];
  const key = (k: string) => `${CONFIG_NAMESPACE}:velero.${k}`;
  const who = profile.displayName;
  if (req.veleroVersion && v.version !== req.veleroVersion) {
    const approved = v.vendorApprovedVersion;
    if (approved === undefined) {
      out.push(
        `${key("version")}: got ${show(v.version)}; ${who} requires Velero ${req.veleroVersion} (the vendor's pin). ` +
          `Set velero.version: ${req.veleroVersion}, or, for a patch release the vendor approved, also velero.vendorApprovedVersion: ${v.version}`,
      );
    } else if (approved !== v.version) {
      out.push(
        `${key("vendorApprovedVersion")}: got ${show(approved)}, but velero.version is ${show(v.version)}; name the release you run in both`,
      );
    } else if (minorOf(approved) !== minorOf(req.veleroVersion)) {
      out.push(
        `${key("vendorApprovedVersion")}: got ${show(approved)}; only a patch release of ${who}'s Velero ${req.veleroVersion} (v${minorOf(req.veleroVersion)}.x) can stand in for it`,
      );
    }
  } else if (v.vendorApprovedVersion !== undefined && v.vendorApprovedVersion !== v.version) {
    out.push(
      `${key("vendorApprovedVersion")}: got ${show(v.vendorApprovedVersion)}, but velero.version is ${show(v.version)}; remove it (nothing to approve)`,
    );
  }
  // "remove it" only where leaving the key out gives the pin (the program's default is the pin).
  const orRemove = (pin: string, byDefault: string) =>
    pin === byDefault ? ", or remove it to use the profile's pin" : "";
  const forVelero = `for Velero ${req.veleroVersion ?? v.version}`;
  if (req.chartVersion && v.chartPath === undefined && v.chartVersion !== req.chartVersion) {
    out.push(
      `${key("chartVersion")}: got ${show(v.chartVersion)}; ${who} requires chart ${req.chartVersion} ${forVelero} (the vendor's pin); set ${key("chartVersion")}: ${req.chartVersion}${orRemove(req.chartVersion, DEFAULT_VERSIONS.chart)}`,
    );
  }
  const plugin = pluginVersionOf(raw.cloud, v.pluginVersion);
  if (req.pluginVersion && plugin !== req.pluginVersion) {
    out.push(
      `${key("pluginVersion")}: got ${show(plugin)}; ${who} requires the object-store plugin ${req.pluginVersion} ${forVelero} (the vendor's pin); set ${key("pluginVersion")}: ${req.pluginVersion}${orRemove(req.pluginVersion, backendOf(raw.cloud).defaultPluginVersion)}`,
    );
  }
  return out;
}

function withoutBackendSecrets<T extends object>(o: T): T {
  const secrets = backendSecretKeys().map((k) => k.key);
  return Object.fromEntries(Object.entries(o).filter(([k]) => !secrets.includes(k))) as T;
}

function withoutBackendSections<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !(BACKEND_NAMES as string[]).includes(k))) as T;
}

function omit<T extends object, K extends keyof T>(o: T, keys: K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k as K))) as Omit<T, K>;
}

function formatIssues(issues: z.core.$ZodIssue[], schema: z.ZodType): string[] {
  return formatZodIssues(issues, schema, CONFIG_NAMESPACE, SECRET_KEYS);
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
