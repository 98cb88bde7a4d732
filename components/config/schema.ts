import { z } from "zod";
import { checkVeleroCron } from "./cron";
import * as names from "../model/names";
import {
  backendOf,
  backendSecretKeys,
  findBackend,
  cloudSchema as backendCloudSchema,
  storageBackends,
} from "../backends";
import type { StorageBackend } from "../backends/backend";
import { selectTarget } from "../targets";
import { DEFAULT_VERSIONS, isChartVersion, isImageTag } from "../velero/versions";

/**
 * The one configuration schema of the program (keys under `velero-dr:`).
 *
 * It describes the raw config as a user writes it in `stacks/Pulumi.<stack>.yaml`; defaults are
 * applied here, so the rest of the program reads fully-resolved plain data. Unknown keys are
 * errors: a misspelt key silently ignored is how a "hardened" setting ends up off.
 */

export { show, named, goDuration, int, uniqueList, labelMap } from "../model/values";
import { show, named, goDuration, int, uniqueList, labelMap } from "../model/values";
import { MANAGED_BY_LABELS } from "../velero/specs";

const cron = z.string().superRefine((v, ctx) => {
  const r = checkVeleroCron(v);
  if (!r.ok) {
    ctx.addIssue({
      code: "custom",
      input: v,
      message: `got ${show(v)}: ${r.reason}; expected a 5-field cron in UTC such as "0 0 * * *" (daily at midnight) or a descriptor like "@daily"`,
    });
  }
});

/** Backend keys of the schema, typed by each backend itself (components/backends): none here. */
const untyped = (shape: Record<string, z.ZodType>) => shape as Record<never, never>;

/**
 * The backends' own storage keys. A key several backends read, each with its own shape (`replica`:
 * an Azure account or an S3 bucket in the recovery region), is parsed here as any value and checked
 * with the stack's backend's schema (sourceSchema's refinement, `sharedStorageKeyIssues`); the
 * backend reads it with that schema again.
 */
function backendStorageKeys(): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const b of Object.values(storageBackends) as StorageBackend[]) {
    for (const [k, schema] of Object.entries(b.storageKeys)) out[k] = k in out ? z.unknown() : schema;
  }
  return out;
}

/** Storage keys more than one backend reads (checked by the stack's backend's own schema). */
export const SHARED_STORAGE_KEYS: readonly string[] = (() => {
  const seen = new Map<string, number>();
  for (const b of Object.values(storageBackends) as StorageBackend[]) {
    for (const k of Object.keys(b.storageKeys)) seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
})();

/** A shared storage key's value checked by the stack's backend's schema: its issues, under `storage.<key>`. */
function sharedStorageKeyIssues(
  backend: StorageBackend,
  storage: Record<string, unknown>,
): z.core.$ZodIssue[] {
  return SHARED_STORAGE_KEYS.flatMap((k) => {
    const schema = backend.storageKeys[k];
    if (!schema || storage[k] === undefined) return [];
    const parsed = schema.safeParse(storage[k], { reportInput: true });
    return parsed.success
      ? []
      : parsed.error.issues.map((i) => {
          const path = ["storage", k, ...i.path];
          // A missing leaf: said as such (added to the outer context, the input would be the whole config).
          if (i.code === "invalid_type" && i.input === undefined) {
            return {
              code: "custom",
              path,
              message: `is required; expected a ${i.expected}`,
            } as z.core.$ZodIssue;
          }
          return { ...i, path } as z.core.$ZodIssue;
        });
  });
}

/** `velero-dr:storage`: the keys every backend reads, and each backend's own (refused on the others). */
export const storageSchema = z.strictObject({
  /** Old blob or object versions (overwritten or deleted backups) are removed after this many days. */
  versionRetentionDays: int(1, 3650, "days").default(90),
  /** `pulumi destroy` refuses to touch the storage until it is unprotected (it is retained either way). */
  protect: z.boolean().default(true),
  /** Object prefix in the container: several clusters can share one container. */
  prefix: named(names.OBJECT_PREFIX).optional(),
  ...untyped(backendStorageKeys()),
});

export const clusterSchema = z
  .strictObject({
    /** EKS cluster to back up (cloud aws): the kubeconfig authenticates with `aws eks get-token`. */
    eksName: named(names.EKS_CLUSTER).optional(),
    /** AKS cluster to back up: the Kubernetes provider is built from its user credentials. */
    aksName: named(names.AKS_CLUSTER).optional(),
    aksResourceGroup: named(names.RESOURCE_GROUP).optional(),
    /** The cluster's node resource group (MC_...); read from AKS when `aksName` is set. */
    nodeResourceGroup: named(names.RESOURCE_GROUP).optional(),
  })
  .prefault({});

export const identitySchema = z
  .strictObject({
    /** The service principal password is replaced this often (create-before-delete). */
    rotationDays: int(7, 730, "days").default(90),
    displayName: z.string().min(1).max(120).optional(),
  })
  .prefault({});

const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: named(names.QUANTITY), memory: named(names.QUANTITY) }),
  limits: z.strictObject({ cpu: named(names.QUANTITY), memory: named(names.QUANTITY) }),
});

export const veleroSchema = z
  .strictObject({
    namespace: named(names.DNS1123_LABEL).default("velero"),
    version: z
      .string()
      .refine(isImageTag, { error: (iss) => `got ${show(iss.input)}; expected an image tag such as v1.10.3` })
      .default(DEFAULT_VERSIONS.velero),
    chartVersion: z
      .string()
      .refine(isChartVersion, {
        error: (iss) => `got ${show(iss.input)}; expected a chart version such as 3.1.6`,
      })
      .default(DEFAULT_VERSIONS.chart),
    /**
     * A Velero patch release the app's vendor approved in place of the profile's pin (e.g. v1.10.5
     * for Dash Enterprise's v1.10.3): must equal `version`, and be of the pin's minor line.
     */
    vendorApprovedVersion: z
      .string()
      .refine(isImageTag, { error: (iss) => `got ${show(iss.input)}; expected an image tag such as v1.10.5` })
      .optional(),
    /** Plugin image tag; the default is the cloud's plugin for velero.version (both v1.6.2 for 1.10.3). */
    pluginVersion: z
      .string()
      .refine(isImageTag, { error: (iss) => `got ${show(iss.input)}; expected an image tag such as v1.6.2` })
      .optional(),
    chartRepository: z
      .url({
        protocol: /^(https|oci)$/,
        error: (iss) => `got ${show(iss.input)}; expected an https:// or oci:// URL`,
      })
      .default(DEFAULT_VERSIONS.chartRepository),
    /** A local chart directory or .tgz (air-gapped sites); replaces chartRepository. */
    chartPath: z.string().min(1).optional(),
    /** Private registry that mirrors velero/velero, the plugin and velero-restore-helper. */
    imageRegistry: named(names.IMAGE_REGISTRY).optional(),
    imagePullSecrets: z.array(named(names.DNS1123_LABEL)).default([]),
    /**
     * Air-gapped: the chart from chartPath or a mirror (never the public repository), and a
     * ConfigMap pointing file-system restores at the mirrored restore helper. Velero 1.10.3 finds
     * that ConfigMap by its labels (velero.io/plugin-config and velero.io/pod-volume-restore=
     * RestoreItemAction, exactly one in its namespace), so the chart's name prefix does not matter.
     */
    airGapped: z.boolean().default(false),
    priorityClassName: named(names.DNS1123_LABEL).default("velero-dr-critical"),
    /** Create the priority class (false: it exists already). */
    createPriorityClass: z.boolean().default(true),
    resources: resourcesSchema.default({
      requests: { cpu: "500m", memory: "256Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    }),
    // The next three default to the app profile's volume backup (resolved by validate.ts, which
    // tells these defaults from a value the stack set): the node agent is on whenever a volume is
    // copied file by file, the uploader is the profile's (else kopia; Velero 1.10.3's own default
    // is restic).
    nodeAgent: z.boolean().default(false),
    uploaderType: z.enum(["kopia", "restic"]).default("kopia"),
    defaultVolumesToFsBackup: z.boolean().default(false),
    logLevel: z.enum(["debug", "info", "warning", "error"]).default("info"),
    backupSyncPeriod: goDuration("1m").default("1m"),
    serviceMonitor: z.boolean().default(false),
    helmTimeoutSeconds: int(60, 3600, "seconds").default(600),
  })
  .prefault({});

export const scheduleSchema = z.strictObject({
  name: named(names.SCHEDULE_NAME),
  cron,
  ttl: goDuration("720h").optional(),
  paused: z.boolean().default(false),
  namespaces: uniqueList(named(names.DNS1123_LABEL), "namespace").optional(),
  excludedResources: z.array(named(names.RESOURCE_KIND)).optional(),
});

export const bslCheckSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    timeoutSeconds: int(30, 3600, "seconds").default(300),
  })
  .prefault({});

/** `velero-dr:profile`: the application; validateConfig checks it against the app registry. */
export const profileSchema = z.string();

/** `velero-dr:app`: a map; its keys are checked by the profile's own schema (components/apps). */
export const appSchema = z
  .record(z.string(), z.unknown(), { error: "expected a map of the profile's settings" })
  .default({});

/** `velero-dr:cloud`: one of the storage backends (components/backends). */
export const cloudSchema = backendCloudSchema();

/** Each backend's settings, `velero-dr:<cloud>` (required with that cloud, refused with another). */
const backendSections = untyped(
  Object.fromEntries(
    Object.values(storageBackends).map((b: StorageBackend) => [b.name, b.section.optional()]),
  ),
);

/** The backends' secret keys (e.g. `s3compatCredentials`), each optional here (required by its backend). */
export const backendSecrets = untyped(
  Object.fromEntries(backendSecretKeys().map((k) => [k.key, k.schema.optional()])),
);

/**
 * Labels `alerting.prometheusLabels` must not set: chart 3.1.6's ServiceMonitor template writes its
 * own four and then the additional labels into the same map (a duplicate key fails the release or
 * silently replaces the chart's), and velero-dr marks the PrometheusRule as its own.
 */
const CHART_SETS = "the Velero chart sets this label on its ServiceMonitor itself";
export const PROMETHEUS_RESERVED_LABELS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    Object.keys(MANAGED_BY_LABELS).map((k) => [
      k,
      `${CHART_SETS} (to Helm), and velero-dr on the PrometheusRule (to velero-dr, marking it as its own)`,
    ]),
  ),
  "app.kubernetes.io/name": CHART_SETS,
  "app.kubernetes.io/instance": CHART_SETS,
  "helm.sh/chart": CHART_SETS,
};

/** The in-cluster alerting keys, which a promoted destination has too. */
const inClusterAlertingKeys = {
  /** false turns every alert of this program off (in-cluster and in the cloud). */
  enabled: z.boolean().default(true),
  /** Slack after a schedule's period before "no successful backup" fires (backup duration, clock skew). */
  marginMinutes: int(5, 1440, "minutes").default(120),
  /**
   * The PrometheusRule: `auto` applies it when the cluster serves the Prometheus operator's
   * PrometheusRule CRD (checked in the cluster at apply time), `true` always (fails without the
   * CRD), `false` never.
   */
  prometheusRule: z
    .union([z.boolean(), z.literal("auto")], {
      error: (iss) => `got ${show(iss.input)}; expected auto, true or false`,
    })
    .default("auto"),
  /** Labels on the PrometheusRule and the chart's ServiceMonitor (e.g. release: kube-prometheus-stack). */
  prometheusLabels: labelMap(PROMETHEUS_RESERVED_LABELS).default({}),
};

/**
 * A destination's alerting, for once it is the primary: the same in-cluster rules as a source's
 * (the storage-side alert belongs to the stack that owns the storage, the source's).
 */
export const destinationAlertingSchema = z.strictObject(inClusterAlertingKeys).prefault({});

export const alertingSchema = z
  .strictObject({
    ...inClusterAlertingKeys,
    /** Storage-side alert (Azure Monitor / CloudWatch) that fires even when the cluster is gone. */
    cloudAlert: z.boolean().default(true),
    /** E-mail addresses notified by the cloud alert. */
    emails: z.array(named(names.EMAIL)).default([]),
  })
  .prefault({});

export const tagsSchema = z.record(z.string().regex(/^[^<>%&\\?/]{1,512}$/), z.string().max(256)).default({});

export const sourceSchema = z
  .strictObject({
    role: z.literal("source"),
    cloud: cloudSchema,
    profile: profileSchema,
    /** Marks a production stack: the policy pack then requires immutable storage. */
    production: z.boolean().default(false),
    namespaces: uniqueList(named(names.DNS1123_LABEL), "namespace").optional(),
    excludedResources: z.array(named(names.RESOURCE_KIND)).optional(),
    /** The app's own settings (checked against the profile's option schema). */
    app: appSchema,
    /**
     * `profile`: Velero copies the profile's chosen volumes file by file with its node agent
     * (opt-in pod annotations the stack sets); `off`: volumes are snapshotted. Unset: the
     * profile's default (profile.volumeBackup), resolved by validate.ts.
     */
    fsBackup: z.enum(["off", "profile"]).default("off"),
    ...backendSections,
    storage: storageSchema.prefault({}),
    cluster: clusterSchema,
    /** Kubeconfig for the cluster (secret); alternative to cluster.aksName. */
    kubeconfig: z.string().min(1).optional(),
    identity: identitySchema,
    velero: veleroSchema,
    schedules: z
      .array(scheduleSchema)
      .min(1, { error: "expected at least one schedule (or leave the key out for the profile's default)" })
      .refine((l) => new Set(l.map((s) => s.name)).size === l.length, {
        error: "schedule names must be unique",
      })
      .optional(),
    firstBackup: z.boolean().default(false),
    /** The shortest time a schedule may leave between two backups (a backup must complete first). */
    scheduleFloorMinutes: int(5, 1440, "minutes").default(60),
    bslCheck: bslCheckSchema,
    alerting: alertingSchema,
    /** Webhook URLs notified by the cloud alert (secret: such URLs usually embed a token). */
    alertWebhooks: z
      .array(
        z.url({
          protocol: /^https$/,
          error: "expected an https:// URL (the value is secret and not shown)",
        }),
      )
      .optional(),
    tags: tagsSchema,
    ...backendSecrets,
  })
  .superRefine((c, ctx) => {
    const backend = findBackend(c.cloud);
    if (!backend) return;
    const values = c as unknown as Record<string, unknown>;
    const issue = (i: { path: (string | number)[]; message: string }) =>
      ctx.addIssue({ code: "custom", ...i });
    if (values[backend.name] === undefined) {
      issue({
        path: [backend.name],
        message: `is required; expected a map of settings (${backend.sectionKeys}) with cloud ${backend.name}`,
      });
    }
    for (const other of Object.values(storageBackends) as StorageBackend[]) {
      if (other !== backend && values[other.name] !== undefined) {
        issue({ path: [other.name], message: `applies to cloud ${other.name} only; remove it` });
      }
    }
    selectTarget("source", backend, c).issues.forEach(issue);
    for (const i of sharedStorageKeyIssues(backend, c.storage as Record<string, unknown>)) {
      ctx.addIssue(i as unknown as Parameters<typeof ctx.addIssue>[0]);
    }
    backend.checkSource?.(c).forEach(issue);
    checkVelero(c, ctx);
  });

export type RawSourceConfig = z.output<typeof sourceSchema>;

type Ctx = z.core.$RefinementCtx<RawSourceConfig>;

/** The plugin tag a stack runs: the configured one, or its backend's default. */
export function pluginVersionOf(cloud: string, configured: string | undefined): string {
  return configured ?? backendOf(cloud).defaultPluginVersion;
}

function checkVelero(c: RawSourceConfig, ctx: Ctx): void {
  // Whether the versions go together is checked once the profile is known (validate.ts,
  // versionProblems): the fix it names may be the profile's pin.
  if (c.velero.imagePullSecrets.length > 0 && c.velero.imageRegistry === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["velero", "imagePullSecrets"],
      message:
        "pull secrets only make sense with velero.imageRegistry (a private mirror); set it or remove them",
    });
  }
  if (c.velero.airGapped && c.velero.imageRegistry === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["velero", "airGapped"],
      message:
        "an air-gapped install needs velero.imageRegistry (the mirror holding velero, the plugin and velero-restore-helper)",
    });
  }
  if (
    c.velero.airGapped &&
    c.velero.chartPath === undefined &&
    c.velero.chartRepository === DEFAULT_VERSIONS.chartRepository
  ) {
    // Helm fetches the chart where `pulumi up` runs: an air-gapped site cannot reach the public one.
    ctx.addIssue({
      code: "custom",
      path: ["velero", "chartRepository"],
      message: `an air-gapped install cannot fetch the chart from the public repository ${DEFAULT_VERSIONS.chartRepository}; set velero.chartPath (the chart directory or .tgz copied in) or velero.chartRepository (your mirror)`,
    });
  }
  // Whether file-system backup has its node agent is checked once the profile is known
  // (validate.ts, resolveVolumeBackup): the profile's default may be what asks for it.
}

export const roleSchema = z.object({
  role: z.enum(["source", "destination"], {
    error: (iss) =>
      `got ${show(iss.input)}; expected "source" (protect a running cluster) or "destination" (restore into a new one)`,
  }),
});
