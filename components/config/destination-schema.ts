import { z } from "zod";
import * as names from "./names";
import {
  azureSchema,
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

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

const domain = z.string().refine((v) => HOSTNAME.test(v), {
  error: (iss) => `got ${show(iss.input)}; expected a lowercase DNS name such as dash.example.com`,
});

/** A destination restores Azure backups only: the AWS backend has no restore path yet. */
const destinationCloudSchema = z.literal("azure", {
  error: (iss) =>
    `got ${show(iss.input)}; expected "azure" (a destination stack restores from Azure storage only; AWS restore is not implemented)`,
});

/** The source stack's outputs, as `stacks/source.ts` exports them. */
export const sourceOutputsSchema = z.looseObject({
  cloud: z
    .literal("azure", {
      error: "the source stack backs up to AWS; a destination stack restores from Azure storage only",
    })
    .optional(),
  profile: z.string(),
  azure: z.looseObject({
    subscriptionId: named(names.UUID),
    tenantId: named(names.UUID),
    location: z.string().optional(),
    cloudName: z.string().default("AzurePublicCloud"),
  }),
  storage: z.looseObject({
    resourceGroupName: named(names.RESOURCE_GROUP),
    accountName: named(names.STORAGE_ACCOUNT),
    containerName: named(names.BLOB_CONTAINER),
    prefix: z.string().default(""),
    snapshotResourceGroupName: named(names.RESOURCE_GROUP),
  }),
  velero: z.looseObject({
    namespace: named(names.DNS1123_LABEL),
    version: z.string(),
    chartVersion: z.string(),
    pluginVersion: z.string(),
    bslName: z.string().default("default"),
    uploaderType: z.string().default(""),
  }),
  schedules: z.array(z.string()).default([]),
  cluster: z.looseObject({
    apiServer: z.url({ error: (iss) => `got ${show(iss.input)}; expected the source API server URL` }),
    nodeResourceGroup: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    uid: z.string().optional(),
    aksName: z.string().optional(),
    aksResourceGroup: z.string().optional(),
  }),
});

export type SourceOutputs = z.output<typeof sourceOutputsSchema>;

const sourceRefSchema = z
  .strictObject({
    /** Stack reference, e.g. `organization/velero-dr/dash-prod`. */
    stack: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/, {
        error: (iss) => `got ${show(iss.input)}; expected <org>/<project>/<stack>`,
      })
      .optional(),
    /** The source's outputs typed in, for when its state is unreachable. */
    outputs: sourceOutputsSchema.optional(),
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
  })
  .refine((b) => !(b.name !== undefined && b.schedule !== undefined), {
    error: "set backup.name or backup.schedule, not both",
  })
  .prefault({});

const createClusterSchema = z.strictObject({
  resourceGroupName: named(names.RESOURCE_GROUP).optional(),
  name: named(names.AKS_CLUSTER).optional(),
  /** At least the source's minor version (Velero restores to the same or a newer Kubernetes). */
  kubernetesVersion: z.string().regex(/^1\.\d+(\.\d+)?$/, {
    error: (iss) => `got ${show(iss.input)}; expected a version such as 1.29 or 1.29.7`,
  }),
  /** Dash Enterprise nodes use 8 vCPUs (seed 001: Standard DDv5 family). */
  nodeVmSize: z
    .string()
    .regex(/^Standard_[A-Za-z0-9_]+$/, {
      error: (iss) => `got ${show(iss.input)}; expected an Azure VM size such as Standard_D8s_v5`,
    })
    .default("Standard_D8s_v5"),
  nodeCount: int(1, 100, "nodes").default(4),
  availabilityZones: z.array(z.enum(["1", "2", "3"])).optional(),
  /** Node resource group name; fixed up front so Velero's identity can be scoped before the cluster exists. */
  nodeResourceGroup: named(names.RESOURCE_GROUP).optional(),
});

const clusterSchema = z
  .strictObject({
    create: createClusterSchema.optional(),
    aksName: named(names.AKS_CLUSTER).optional(),
    aksResourceGroup: named(names.RESOURCE_GROUP).optional(),
    nodeResourceGroup: named(names.RESOURCE_GROUP).optional(),
  })
  .prefault({});

const restoreSchema = z
  .strictObject({
    /** PartiallyFailed ends the chain unless this is true. */
    allowPartiallyFailed: z.boolean().default(false),
    /** After the restore the destination is the primary: BSL ReadWrite, schedules on. */
    promoteToPrimary: z.boolean().default(true),
    restoreTimeoutMinutes: int(5, 1440, "minutes").default(240),
    backupSyncTimeoutMinutes: int(1, 120, "minutes").default(15),
    healthTimeoutMinutes: int(1, 240, "minutes").default(30),
  })
  .prefault({});

const dnsSchema = z.strictObject({
  provider: z.enum(["azure", "rfc2136", "manual"]),
  baseDomain: domain,
  zone: domain,
  ttlSeconds: int(30, 86400, "seconds").default(300),
  recordPrefixes: z.array(named(names.DNS1123_LABEL)).optional(),
  azure: z
    .strictObject({
      resourceGroupName: named(names.RESOURCE_GROUP),
      subscriptionId: named(names.UUID).optional(),
    })
    .optional(),
  rfc2136: z
    .strictObject({
      server: z.string().refine((v) => IPV4.test(v) || HOSTNAME.test(v), {
        error: (iss) =>
          `got ${show(iss.input)}; expected the primary name server's IPv4 address or host name`,
      }),
      port: int(1, 65535, "port").default(53),
      keyName: domain,
      keyAlgorithm: z.enum(["hmac-sha256", "hmac-sha384", "hmac-sha512"]).default("hmac-sha256"),
    })
    .optional(),
  /** Manual DNS: continue past the unpublish gate. */
  unpublishConfirmed: z.boolean().default(false),
});

export const destinationSchema = z
  .strictObject({
    role: z.literal("destination"),
    cloud: destinationCloudSchema,
    profile: profileSchema,
    app: appSchema,
    production: z.boolean().default(false),
    source: sourceRefSchema,
    backup: backupSchema,
    azure: azureSchema,
    cluster: clusterSchema,
    kubeconfig: z.string().min(1).optional(),
    identity: identitySchema,
    velero: veleroSchema,
    restore: restoreSchema,
    dns: dnsSchema,
    /** TSIG secret for rfc2136 DNS (secret). */
    dnsTsigSecret: z.string().min(1).optional(),
    /** Schedules created once the destination is the primary (the profile's by default). */
    schedules: z.array(scheduleSchema).min(1).optional(),
    tags: tagsSchema,
  })
  .superRefine((c, ctx) => {
    const modes = [
      c.cluster.create !== undefined,
      c.cluster.aksName !== undefined,
      c.kubeconfig !== undefined,
    ].filter(Boolean).length;
    if (modes !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["cluster"],
        message:
          "choose exactly one target: cluster.create (a new AKS cluster), cluster.aksName + cluster.aksResourceGroup (an existing one) or a kubeconfig secret",
      });
    }
    if ((c.cluster.aksName === undefined) !== (c.cluster.aksResourceGroup === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["cluster"],
        message: "cluster.aksName and cluster.aksResourceGroup go together; set both",
      });
    }
    if (c.kubeconfig !== undefined && c.cluster.nodeResourceGroup === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["cluster", "nodeResourceGroup"],
        message:
          "required with kubeconfig: the destination cluster's node resource group (MC_...) where Velero creates disks",
      });
    }
    if (c.dns.provider === "azure" && c.dns.azure === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["dns", "azure"],
        message: "required with dns.provider azure: { resourceGroupName } of the DNS zone",
      });
    }
    if (c.dns.provider === "rfc2136") {
      if (c.dns.rfc2136 === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["dns", "rfc2136"],
          message: "required with dns.provider rfc2136: { server, keyName }",
        });
      }
      if (c.dnsTsigSecret === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["dnsTsigSecret"],
          message:
            "required with dns.provider rfc2136: `pulumi config set --secret velero-dr:dnsTsigSecret <base64 TSIG secret>`",
        });
      }
    }
    if (c.dns.baseDomain !== c.dns.zone && !c.dns.baseDomain.endsWith(`.${c.dns.zone}`)) {
      ctx.addIssue({
        code: "custom",
        path: ["dns", "baseDomain"],
        message: `got ${show(c.dns.baseDomain)}, which is not inside dns.zone ${show(c.dns.zone)}`,
      });
    }
  });

export type RawDestinationConfig = z.output<typeof destinationSchema>;
