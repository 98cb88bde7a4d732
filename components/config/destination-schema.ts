import { z } from "zod";
import { DNS_PROVIDER_NAMES, dnsProviders } from "../dns/providers";
import { DnsProvider } from "../dns/provider";
import { domain } from "../model/domain";
import * as names from "../model/names";
import {
  destinationBackends,
  findBackend,
  destinationCloudSchema as backendsDestinationCloudSchema,
} from "../backends";
import type { StorageBackend } from "../backends/backend";
import { selectTarget } from "../targets";
import {
  backendSecrets,
  destinationAlertingSchema,
  identitySchema,
  int,
  named,
  profileSchema,
  appSchema,
  scheduleSchema,
  show,
  tagsSchema,
  veleroSchema,
} from "./schema";

/**
 * Configuration of a destination stack: where the backups are (the source stack, or its
 * outputs typed in when its state is gone with the disaster), which backup, the cluster to
 * restore into, how DNS is cut over, and what to do at the gates.
 */

/** A destination restores from a backend with a destination side (components/backends). */
const destinationCloudSchema = backendsDestinationCloudSchema();

/**
 * The source stack's outputs, as `stacks/source.ts` exports them: what every source exports. What
 * the destination's backend reads of its own (Azure: `azure`, `storage`) is checked by
 * `sourceOutputsSchemaFor` its backend.
 */
export const sourceOutputsSchema = z.looseObject({
  /** The source's `velero-dr:cloud` (absent in outputs typed in from before it was exported: Azure's). */
  cloud: z.string().optional(),
  profile: z.string(),
  velero: z.looseObject({
    namespace: named(names.DNS1123_LABEL),
    version: z.string(),
    chartVersion: z.string(),
    pluginVersion: z.string(),
    bslName: z.string().default("default"),
    uploaderType: z.string().default(""),
    /**
     * Which volumes the source copies file by file (absent in outputs of a source from before it
     * was exported: see sourceVolumeBackup) and whether it snapshots the others.
     */
    fsBackup: z.enum(["off", "profile", "all"]).optional(),
    snapshotVolumes: z.boolean().optional(),
  }),
  schedules: z.array(z.string()).default([]),
  cluster: z.looseObject({
    // The guard compares these with the destination's: a value that is none would never match.
    apiServer: z.url({
      protocol: /^https$/,
      error: (iss) => `got ${show(iss.input)}; expected the source API server URL (https://...)`,
    }),
    nodeResourceGroup: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    uid: z
      .string()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
        error: (iss) => `got ${show(iss.input)}; expected the source's kube-system uid (a UUID)`,
      })
      .optional(),
    aksName: z.string().optional(),
    aksResourceGroup: z.string().optional(),
    eksName: z.string().optional(),
  }),
});

export type SourceOutputs = z.output<typeof sourceOutputsSchema>;

/** The source's outputs as a destination of `backend` reads them: the common keys and the backend's own. */
export function sourceOutputsSchemaFor(backend: StorageBackend) {
  return sourceOutputsSchema.extend(backend.destination?.sourceOutputKeys ?? {});
}

/** Each destination backend's own settings, `velero-dr:<cloud>` (typed by the backend itself). */
const destinationSections = Object.fromEntries(
  destinationBackends().map((b) => [
    b.name,
    (b.destination as NonNullable<typeof b.destination>).section.optional(),
  ]),
) as Record<never, never>;

const sourceRefSchema = z
  .strictObject({
    /** Stack reference, e.g. `organization/velero-dr/dash-prod`. */
    stack: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/, {
        error: (iss) => `got ${show(iss.input)}; expected <org>/<project>/<stack>`,
      })
      .optional(),
    /**
     * The source's outputs typed in, for when its state is unreachable: checked against the
     * schema of the destination's backend (`sourceOutputsSchemaFor`) by validateConfig.
     */
    outputs: z.looseObject({}).optional(),
  })
  .refine((s) => (s.stack === undefined) !== (s.outputs === undefined), {
    error:
      "set exactly one of source.stack (a stack reference) or source.outputs (the source stack's outputs)",
  });

const backupSchema = z
  .strictObject({
    /** A specific backup. */
    name: named(names.DNS1123_LABEL).optional(),
    /** Or: the newest Completed backup of this schedule, resolved at run time. */
    schedule: named(names.SCHEDULE_NAME).optional(),
    /**
     * Where Velero reads the backups: the source's own storage (`primary`) or its replica in the
     * recovery region (`replica`). Unset: the replica when the source's outputs have one.
     */
    location: z.enum(["primary", "replica"]).optional(),
  })
  .refine((b) => !(b.name !== undefined && b.schedule !== undefined), {
    error: "set backup.name or backup.schedule, not both",
  })
  .prefault({});

/** A new cluster's nodes when neither the stack nor the app's vendor says otherwise. */
export const GENERIC_NODES = {
  azureVmSize: "Standard_D8s_v5",
  awsInstanceType: "m6i.2xlarge",
  count: 4,
} as const;

const kubernetesVersion = z.string().regex(/^1\.\d+(\.\d+)?$/, {
  error: (iss) => `got ${show(iss.input)}; expected a version such as 1.29 or 1.29.7`,
});

const createClusterSchema = z.strictObject({
  resourceGroupName: named(names.RESOURCE_GROUP).optional(),
  name: named(names.AKS_CLUSTER).optional(),
  /** At least the source's minor version (Velero restores to the same or a newer Kubernetes). */
  kubernetesVersion,
  /** Unset: the size the app's vendor documents (profile.requirements.nodes), else GENERIC_NODES. */
  nodeVmSize: z
    .string()
    .regex(/^Standard_[A-Za-z0-9_]+$/, {
      error: (iss) => `got ${show(iss.input)}; expected an Azure VM size such as Standard_D8d_v5`,
    })
    .optional(),
  nodeCount: int(1, 100, "nodes").optional(),
  availabilityZones: z.array(z.enum(["1", "2", "3"])).optional(),
  /** Node resource group name; fixed up front so Velero's identity can be scoped before the cluster exists. */
  nodeResourceGroup: named(names.RESOURCE_GROUP).optional(),
});

/** A new EKS cluster (AWS destinations), in the site's VPC. */
const createEksSchema = z.strictObject({
  name: named(names.EKS_CLUSTER).optional(),
  /** At least the source's minor version (Velero restores to the same or a newer Kubernetes). EKS takes major.minor. */
  kubernetesVersion: z.string().regex(/^1\.\d+$/, {
    error: (iss) => `got ${show(iss.input)}; expected an EKS version (major.minor) such as 1.29`,
  }),
  /** Existing subnets, in two availability zones at least (EKS requires two). */
  subnetIds: z
    .array(
      z.string().regex(/^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/, {
        error: (iss) => `got ${show(iss.input)}; expected a subnet id such as subnet-0123456789abcdef0`,
      }),
    )
    .min(2, { error: "expected at least two subnets, in different availability zones (EKS requires two)" }),
  /** Unset: the size the app's vendor sizing gives (profile.requirements.nodes), else GENERIC_NODES. */
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
      error: (iss) => `got ${show(iss.input)}; expected an EC2 instance type such as m6i.2xlarge`,
    })
    .optional(),
  nodeCount: int(1, 100, "nodes").optional(),
});

const clusterSchema = z
  .strictObject({
    create: createClusterSchema.optional(),
    aksName: named(names.AKS_CLUSTER).optional(),
    aksResourceGroup: named(names.RESOURCE_GROUP).optional(),
    nodeResourceGroup: named(names.RESOURCE_GROUP).optional(),
    eksName: named(names.EKS_CLUSTER).optional(),
    createEks: createEksSchema.optional(),
  })
  .prefault({});

const restoreSchema = z
  .strictObject({
    /** PartiallyFailed ends the chain unless this is true. */
    allowPartiallyFailed: z.boolean().default(false),
    /**
     * Go on although supporting software the app's profile lists is missing from the new
     * cluster (after checking it is not needed, e.g. the vendor's list differs for this install).
     */
    prerequisitesConfirmed: z.boolean().default(false),
    /** After the restore the destination is the primary: BSL ReadWrite, schedules on. */
    promoteToPrimary: z.boolean().default(true),
    restoreTimeoutMinutes: int(5, 1440, "minutes").default(240),
    backupSyncTimeoutMinutes: int(1, 120, "minutes").default(15),
    healthTimeoutMinutes: int(1, 240, "minutes").default(30),
    /**
     * The Service of type LoadBalancer that serves the app on the new cluster, where it is not
     * the profile's (an ingress controller installed apart): DNS points at its address.
     */
    loadBalancer: z
      .strictObject({ namespace: named(names.DNS1123_LABEL), service: named(names.DNS1123_LABEL) })
      .optional(),
  })
  .prefault({});

const providers = Object.values(dnsProviders) as DnsProvider<{ provider: string }>[];

/** `dns`: the common keys, then each provider's own (`dns.azure`, `dns.rfc2136`, ...). */
const dnsSchema = z.strictObject({
  provider: z.enum(DNS_PROVIDER_NAMES),
  // Required by every provider that changes records (checked below), unused by `none`.
  baseDomain: domain.optional(),
  zone: domain.optional(),
  /**
   * The records' TTL: the unpublish waits it out, the publish writes it. Whatever the zone uses
   * (DNS allows any TTL, RFC 2181 section 8; failover zones run 5-30 s): a floor above the zone's
   * TTL would only make the stack wait longer than caches hold the records and write records
   * that outlive the zone's own choice.
   */
  ttlSeconds: int(1, 86400, "seconds").default(300),
  recordPrefixes: z.array(named(names.DNS1123_LABEL)).optional(),
  // Typed as the common keys: only the providers read their own (as RawDns).
  ...(Object.assign({}, ...providers.map((p) => p.keys ?? {})) as object),
});

/** The DNS providers' secret config keys (e.g. `dnsTsigSecret`), each a top-level key. */
const dnsSecrets = Object.fromEntries(
  providers.flatMap((p) => Object.values(p.secretEnv ?? {})).map((k) => [k, z.string().min(1).optional()]),
) as object;

export const destinationSchema = z
  .strictObject({
    role: z.literal("destination"),
    /**
     * `rehearsal`: prove the recovery on a separate cluster without touching production — no DNS
     * change, no promotion (the location stays ReadOnly to the end), no Schedules.
     */
    mode: z.enum(["recovery", "rehearsal"]).default("recovery"),
    /**
     * The recovery objectives the report holds a recovery to (a rehearsal's driver fails on a
     * missed one): RTO from the first step to health green, RPO the age of the restored backup.
     */
    rehearsal: z
      .strictObject({
        objectives: z
          .strictObject({
            rtoMinutes: z.number().positive().max(10080).optional(),
            rpoHours: z.number().positive().max(8760).optional(),
          })
          .default({}),
      })
      .default({ objectives: {} }),
    cloud: destinationCloudSchema,
    profile: profileSchema,
    app: appSchema,
    production: z.boolean().default(false),
    source: sourceRefSchema,
    backup: backupSchema,
    // The backend's own settings (Azure: the subscription, tenant and location of its identity and
    // of a new AKS cluster); required where the backend says so.
    ...destinationSections,
    cluster: clusterSchema,
    kubeconfig: z.string().min(1).optional(),
    identity: identitySchema,
    velero: veleroSchema,
    restore: restoreSchema,
    // Required where the app's vendor moves DNS in its restore (checked with the profile);
    // elsewhere DNS is left as it is unless set.
    dns: dnsSchema.optional(),
    ...dnsSecrets,
    ...backendSecrets,
    /** Schedules created once the destination is the primary (the profile's by default). */
    schedules: z.array(scheduleSchema).min(1).optional(),
    /** The shortest time a schedule may leave between two backups (as a source's). */
    scheduleFloorMinutes: int(5, 1440, "minutes").default(60),
    /** Alerts on the destination's backups once it is promoted (the in-cluster rules of a source). */
    alerting: destinationAlertingSchema,
    tags: tagsSchema,
  })
  .superRefine((c, ctx) => {
    const backend = findBackend(c.cloud);
    for (const issue of backend ? backendIssues(backend, c) : []) ctx.addIssue({ code: "custom", ...issue });
    if (!c.dns) return;
    const dns = dnsProviders[c.dns.provider] as DnsProvider<{ provider: string }>;
    for (const issue of dns.check?.(c.dns, c) ?? []) ctx.addIssue({ code: "custom", ...issue });
    if (dns.needsDomain !== false) {
      for (const key of ["baseDomain", "zone"] as const) {
        if (c.dns[key] === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["dns", key],
            message: `is required with dns.provider ${c.dns.provider}; expected a DNS name such as ${key === "zone" ? "example.com" : "app.example.com"}`,
          });
        }
      }
    }
    if (
      c.dns.baseDomain !== undefined &&
      c.dns.zone !== undefined &&
      c.dns.baseDomain !== c.dns.zone &&
      !c.dns.baseDomain.endsWith(`.${c.dns.zone}`)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["dns", "baseDomain"],
        message: `got ${show(c.dns.baseDomain)}, which is not inside dns.zone ${show(c.dns.zone)}`,
      });
    }
  });

export type RawDestinationConfig = z.output<typeof destinationSchema>;

/**
 * The destination backend's rules: its section (required where it says so, another backend's
 * refused), its own checks, the cluster target.
 */
function backendIssues(
  backend: StorageBackend,
  c: RawDestinationConfig,
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const values = c as unknown as Record<string, unknown>;
  const support = backend.destination;
  if (support?.sectionRequired && values[backend.name] === undefined) {
    issues.push({
      path: [backend.name],
      message: `is required; expected a map of settings (${backend.sectionKeys}) with cloud ${backend.name}`,
    });
  }
  for (const other of destinationBackends()) {
    if (other !== backend && values[other.name] !== undefined) {
      issues.push({ path: [other.name], message: `applies to cloud ${other.name} only; remove it` });
    }
  }
  issues.push(...(support?.check?.(c) ?? []));
  issues.push(...selectTarget("destination", backend, c).issues);
  return issues;
}
