import { createHash } from "crypto";
import { z } from "zod";
import { int, named, show } from "../../model/values";
import { lookupRegion } from "../../azure/regions";
import * as names from "../../model/names";
import type { SourceCommon } from "../../config/validate";
import { DEFAULT_VERSIONS } from "../../velero/versions";
import { buildAzureBslConfig, buildAzureVslConfig } from "../../velero/locations";
import {
  AZURE_DISK_ACTIONS,
  AZURE_STORAGE_ACTIONS,
  buildVeleroRoles,
  resourceGroupId,
} from "../../identity/azure-role";
import type { AccessDescription, DestinationLocations, DestinationSupport, ResolveContext } from "../backend";
import type { StorageBackend } from "../backend";
import { azureIdentityBasics } from "./identity-basics";
import { readLocation } from "../kit/read-location";
import type { SourceOutputs } from "../../config/destination-schema";

/**
 * Azure Blob storage (`velero-dr:cloud: azure`): the backups in a storage account's container,
 * disk snapshots in their own resource group, Velero as an Azure AD application. The config part
 * (this file) is plain zod; the Pulumi code is in source.ts and destination.ts, loaded on use.
 */

/**
 * An Azure region name (the storage's, and a new cluster's): a known one, in any case (ARM compares
 * locations ignoring case; the stack uses the lower-case name), refused otherwise with the name
 * meant ("West Europe" is westeurope) or the nearest known ones.
 */
const azureRegion = z.string().transform((v, ctx) => {
  const r = lookupRegion(v);
  if (r.region) return r.region;
  ctx.issues.push({
    code: "custom",
    input: v,
    message: r.hint
      ? `got ${show(v)}; Azure's name for that region is ${r.hint}: set ${r.hint}`
      : `got ${show(v)}, which is not a known Azure region name (components/azure/regions.ts, from az account list-locations); nearest: ${r.nearest.join(", ")}`,
  });
  return z.NEVER;
});

/** `velero-dr:storage.replica` on an Azure source. */
function azureReplicaSchema() {
  return z.strictObject({
    /** The recovery region (not the primary's). */
    location: azureRegion,
    accountName: named(names.STORAGE_ACCOUNT).optional(),
    resourceGroupName: named(names.RESOURCE_GROUP).optional(),
  });
}

/** The resolved replica of an Azure source (every name set). */
export interface AzureReplicaConfig {
  location: string;
  accountName: string;
  resourceGroupName: string;
}

/** `velero-dr:azure`. */
export const azureSection = z.strictObject({
  /** Subscription holding the backup storage (and the cluster's node resource group). */
  subscriptionId: named(names.UUID),
  tenantId: named(names.UUID),
  location: azureRegion,
  cloudName: z
    .enum(["AzurePublicCloud", "AzureUSGovernmentCloud", "AzureChinaCloud", "AzureGermanCloud"])
    .default("AzurePublicCloud"),
});

export type AzureSection = z.output<typeof azureSection>;

/** `velero-dr:storage.*` keys of Azure Blob storage. */
export const azureStorageKeys = {
  resourceGroupName: named(names.RESOURCE_GROUP).optional(),
  /** Use an existing resource group instead of creating one (it is then never touched). */
  existingResourceGroup: z.boolean().default(false),
  accountName: named(names.STORAGE_ACCOUNT).optional(),
  containerName: named(names.BLOB_CONTAINER).default("velero"),
  /** Zone- or region-redundant only: a backup that dies with the zone is no backup. */
  replication: z.enum(["GRS", "ZRS", "GZRS", "RAGRS", "RAGZRS"]).default("GRS"),
  softDeleteDays: int(1, 365, "days").default(30),
  containerSoftDeleteDays: int(1, 365, "days").default(30),
  /** Time-based immutability (WORM) on the container; must cover the longest TTL. */
  immutabilityDays: int(1, 146000, "days").optional(),
  snapshotResourceGroupName: named(names.RESOURCE_GROUP).optional(),
  /** CanNotDelete management lock on the account (needs Owner or User Access Administrator to create). */
  deleteLock: z.boolean().default(true),
  /**
   * A second account in the recovery region, hardened like the primary, filled by Azure Blob object
   * replication from the primary's container: the backups a destination reads when the primary's
   * region is gone.
   */
  replica: azureReplicaSchema().optional(),
};

type AzureStorageKeys = z.output<z.ZodObject<typeof azureStorageKeys>>;

/** A destination's Azure settings (validation requires them with cloud azure). */
export function azureOf(cfg: object): AzureSection {
  const a = (cfg as { azure?: AzureSection }).azure;
  if (!a) throw new Error("velero-dr: an Azure destination without its velero-dr:azure settings");
  return a;
}

/** The validated, fully-defaulted configuration of an Azure source stack: plain data. */
export interface AzureSourceConfig extends SourceCommon {
  cloud: "azure";
  azure: AzureSection;
  storage: SourceCommon["storage"] &
    Omit<AzureStorageKeys, "replica"> & {
      resourceGroupName: string;
      accountName: string;
      snapshotResourceGroupName: string;
      replica?: AzureReplicaConfig;
    };
}

/** What a destination reads of an Azure source stack's outputs. */
export const azureSourceOutputKeys = {
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
    /** The replica in the recovery region (sources with `storage.replica`; absent on older ones). */
    replica: z
      .looseObject({
        resourceGroupName: named(names.RESOURCE_GROUP),
        accountName: named(names.STORAGE_ACCOUNT),
        containerName: named(names.BLOB_CONTAINER),
        location: z.string(),
      })
      .optional(),
  }),
};

export type AzureSourceOutputs = z.output<z.ZodObject<typeof azureSourceOutputKeys>>;

/** Storage account names are global in Azure: derive a stable one from subscription and stack. */
export function defaultAccountName(subscriptionId: string, stack: string): string {
  const digest = createHash("sha256").update(`${subscriptionId}/${stack}`).digest("hex");
  return `velerodr${digest.slice(0, 14)}`;
}

/**
 * The replica's names (defaults: a stable account name of its own, group
 * `velero-dr-<stack>-replica`), and what cannot work: the primary's region (the replica would die
 * with it), the primary's account or resource group.
 */
function resolveReplica(
  r: { location: string; accountName?: string; resourceGroupName?: string },
  primary: { location: string; subscriptionId: string; accountName: string; resourceGroupName: string },
  ctx: ResolveContext,
): AzureReplicaConfig {
  const key = "velero-dr:storage.replica";
  if (r.location === primary.location) {
    ctx.problems.push(
      `${key}.location: got ${JSON.stringify(r.location)}, the primary's own region (velero-dr:azure.location); a replica there is lost with the region it should survive: set the recovery region, e.g. ${pairHint(primary.location)}`,
    );
  }
  const accountName = r.accountName ?? defaultAccountName(primary.subscriptionId, `${ctx.stack}/replica`);
  if (accountName === primary.accountName) {
    ctx.problems.push(
      `${key}.accountName: got ${JSON.stringify(accountName)}, the primary's account (velero-dr:storage.accountName); the replica is a second account: set another name (3-24 lowercase letters and digits, globally unique) or leave the key out for a derived one`,
    );
  }
  const resourceGroupName = r.resourceGroupName ?? `velero-dr-${ctx.stack}-replica`;
  if (resourceGroupName === primary.resourceGroupName) {
    ctx.problems.push(
      `${key}.resourceGroupName: got ${JSON.stringify(resourceGroupName)}, the primary's resource group (velero-dr:storage.resourceGroupName), whose metadata lives in the primary's region; set another group or leave the key out (default velero-dr-${ctx.stack}-replica)`,
    );
  }
  return { location: r.location, accountName, resourceGroupName };
}

/** "its paired region <x>" where the pair is known, else a neutral example. */
function pairHint(location: string): string {
  const pair = AZURE_PAIRS[location];
  return pair ? `its paired region ${pair}` : "another region than the primary's";
}

/** A few Azure region pairs (Microsoft's "cross-region replication" list), for messages only. */
const AZURE_PAIRS: Record<string, string> = {
  westeurope: "northeurope",
  northeurope: "westeurope",
  eastus: "westus",
  westus: "eastus",
  eastus2: "centralus",
  centralus: "eastus2",
  uksouth: "ukwest",
  ukwest: "uksouth",
  germanywestcentral: "germanynorth",
  francecentral: "francesouth",
  swedencentral: "swedensouth",
};

/** The account a destination reads the backups from (`backup.location`), from the source's outputs. */
export interface AzureReadAccount {
  location: "primary" | "replica";
  resourceGroupName: string;
  accountName: string;
  containerName: string;
}

/** The source's replica, as messages name it (`DestinationSupport.replica`). */
export const azureReplicaOf: NonNullable<DestinationSupport["replica"]> = (o) => {
  const r = (o as unknown as AzureSourceOutputs).storage.replica;
  return r ? { where: `\`${r.accountName}\` (${r.location})` } : undefined;
};

/**
 * Where an Azure destination reads: `backup.location` as set, else the replica when the source has
 * one, else the primary (kit/read-location.ts, as every backend). A replica asked for that the
 * source does not have is refused (validation says so first; this is the last line).
 */
export function azureReadAccount(
  outputs: unknown,
  choice: "primary" | "replica" | undefined,
): AzureReadAccount {
  const s = outputs as AzureSourceOutputs;
  const replica = s.storage.replica;
  if (choice === "replica" && !replica) {
    throw new Error(
      'velero-dr:backup.location: got "replica", but the source\'s outputs have no storage.replica (the source stack has no velero-dr:storage.replica); set velero-dr:backup.location: primary, or give the source a replica and run its `pulumi up` first',
    );
  }
  if (replica && readLocation({ replica: azureReplicaOf }, outputs as SourceOutputs, choice) === "replica") {
    return {
      location: "replica",
      resourceGroupName: replica.resourceGroupName,
      accountName: replica.accountName,
      containerName: replica.containerName,
    };
  }
  return {
    location: "primary",
    resourceGroupName: s.storage.resourceGroupName,
    accountName: s.storage.accountName,
    containerName: s.storage.containerName,
  };
}

/** The destination's `backup.location` (undefined: the default). */
function backupLocationOf(cfg: object | undefined): "primary" | "replica" | undefined {
  return (cfg as { backup?: { location?: "primary" | "replica" } } | undefined)?.backup?.location;
}

/** The BSL/VSL of an Azure destination, from the source's outputs and `backup.location`. */
export function azureDestinationLocations(outputs: unknown, cfg?: object): DestinationLocations {
  const s = outputs as AzureSourceOutputs;
  const read = azureReadAccount(outputs, backupLocationOf(cfg));
  return {
    provider: "azure",
    pluginImage: azure.pluginImage,
    bsl: {
      bucket: read.containerName,
      prefix: s.storage.prefix || undefined,
      config: buildAzureBslConfig({
        resourceGroup: read.resourceGroupName,
        storageAccount: read.accountName,
        subscriptionId: s.azure.subscriptionId,
      }),
    },
    vsl: {
      config: buildAzureVslConfig({
        resourceGroup: s.storage.snapshotResourceGroupName,
        subscriptionId: s.azure.subscriptionId,
        incremental: true,
      }),
    },
  };
}

/** Velero's Azure identity on a destination, as the runbook shows it (what AzureVeleroIdentity creates). */
const describeAzureAccess: DestinationSupport["describeAccess"] = ({ cfg, source, nodeResourceGroup }) => {
  const o = source as unknown as AzureSourceOutputs;
  const basics = azureIdentityBasics({ ...cfg, azure: azureOf(cfg) });
  const read = azureReadAccount(o, backupLocationOf(cfg));
  const storageRg = resourceGroupId(o.azure.subscriptionId, read.resourceGroupName);
  const nodeRg = nodeResourceGroup ?? "<the cluster's node resource group>";
  const roles = buildVeleroRoles({
    stack: cfg.stack,
    storageResourceGroupId: storageRg,
    storageAccountId: `${storageRg}/providers/Microsoft.Storage/storageAccounts/${read.accountName}`,
    snapshotResourceGroupId: resourceGroupId(o.azure.subscriptionId, o.storage.snapshotResourceGroupName),
    nodeResourceGroupId: resourceGroupId(basics.subscriptionId, nodeRg),
  });
  const description: AccessDescription = {
    summary:
      "Velero's own Azure AD application and service principal (not the source's), with a password the stack rotates and writes only into Velero's credentials Secret, and two custom roles holding the Azure plugin's documented permissions, each assigned where it is needed only:",
    rows: [
      ["Application (service principal)", `\`${basics.displayName}\` in tenant \`${basics.tenantId}\``],
      ["Password", `rotated every ${basics.rotationDays} days; never shown`],
      [
        "Backups read from",
        read.location === "replica"
          ? `the source's replica \`${read.accountName}\` (${o.storage.replica?.location ?? "recovery region"}), container \`${read.containerName}\`: nothing is granted on the source's primary account`
          : backupLocationOf(cfg) === undefined && read.accountName.startsWith("<")
            ? // Outputs not known yet (a stack reference): the default decides when they are.
              `the source's replica (\`<source output storage.replica.accountName>\`) when its outputs have one (\`backup.location\` unset), the roles then granted there instead; else its primary account \`${read.accountName}\`, container \`${read.containerName}\``
            : `the source's primary account \`${read.accountName}\`, container \`${read.containerName}\``,
      ],
      [
        `Role \`${roles.storage.roleName}\``,
        `${AZURE_STORAGE_ACTIONS.map((a) => `\`${a}\``).join(", ")} on ${roles.storage.assignmentScopes.map((x) => `\`${x}\``).join(", ")}`,
      ],
      [
        `Role \`${roles.disks.roleName}\``,
        `${AZURE_DISK_ACTIONS.map((a) => `\`${a}\``).join(", ")} on ${roles.disks.assignmentScopes.map((x) => `\`${x}\``).join(", ")}`,
      ],
      [
        "Credentials file (Secret key `cloud`)",
        `\`AZURE_SUBSCRIPTION_ID=${basics.subscriptionId}\`, \`AZURE_TENANT_ID=${basics.tenantId}\`, \`AZURE_CLIENT_ID=\` the application's, \`AZURE_CLIENT_SECRET=\` its password, \`AZURE_RESOURCE_GROUP=${nodeRg}\`, \`AZURE_CLOUD_NAME=${basics.cloudName}\``,
      ],
    ],
  };
  return description;
};

export const azure: StorageBackend<AzureSourceConfig> = {
  name: "azure",
  label: "Azure",
  section: azureSection,
  sectionKeys: "subscriptionId, tenantId, location",
  storageKeys: azureStorageKeys,
  pluginImage: "velero/velero-plugin-for-microsoft-azure",
  defaultPluginVersion: DEFAULT_VERSIONS.azurePlugin,
  volumeSnapshots: true,
  fileSystemBackup: true,
  targets: { source: ["aks", "kubeconfig"], destination: ["create", "aks", "kubeconfig"] },
  clusterHint: "use cluster.aksName and cluster.aksResourceGroup",
  // Velero reads (source) and creates (destination) disks in the node resource group: a
  // kubeconfig does not say which it is.
  checkTarget: (role, target, c) =>
    target === "kubeconfig" && c.cluster.nodeResourceGroup === undefined
      ? [
          {
            path: ["cluster", "nodeResourceGroup"],
            message:
              role === "source"
                ? "required with kubeconfig: the AKS node resource group (MC_...) where Velero reads disks; find it with `az aks show --query nodeResourceGroup`"
                : "required with kubeconfig: the destination cluster's node resource group (MC_...) where Velero creates disks",
          },
        ]
      : [],
  resolveSource: (raw, common, ctx) => {
    const storage = raw.storage as SourceCommon["storage"] & AzureStorageKeys;
    const immutability = storage.immutabilityDays;
    if (immutability !== undefined && immutability * 86400 < ctx.longestTtlSeconds) {
      ctx.problems.push(
        `velero-dr:storage.immutabilityDays: got ${immutability}; backups live up to ${Math.ceil(ctx.longestTtlSeconds / 86400)} days (longest schedule TTL), so immutability must be at least that many days or the oldest backups lose their protection`,
      );
    }
    const azure = (raw as unknown as { azure: AzureSection }).azure;
    const snapshotRg = storage.snapshotResourceGroupName ?? `velero-dr-${ctx.stack}-snapshots`;
    if (raw.cluster.nodeResourceGroup !== undefined && raw.cluster.nodeResourceGroup === snapshotRg) {
      ctx.problems.push(
        `velero-dr:storage.snapshotResourceGroupName: got ${JSON.stringify(snapshotRg)}, the cluster's node resource group; snapshots there are deleted with the cluster, so use a separate group`,
      );
    }
    const resourceGroupName = storage.resourceGroupName ?? `velero-dr-${ctx.stack}-backups`;
    const accountName = storage.accountName ?? defaultAccountName(azure.subscriptionId, ctx.stack);
    // `storage.replica` is a key AWS reads too: checked by this schema already, read with it here.
    const replica = storage.replica
      ? resolveReplica(
          azureReplicaSchema().parse(storage.replica),
          { ...azure, accountName, resourceGroupName },
          ctx,
        )
      : undefined;
    return {
      ...common,
      cloud: "azure",
      azure,
      storage: {
        ...storage,
        resourceGroupName,
        snapshotResourceGroupName: snapshotRg,
        accountName,
        replica,
      },
    };
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  source: () => (require("./source") as typeof import("./source")).azureSource,
  destination: {
    sourceOutputKeys: azureSourceOutputKeys,
    // Velero's identity (subscription, tenant, cloud) and a new AKS cluster's location.
    section: azureSection,
    sectionRequired: true,
    // The azure-native and azuread providers need credentials before the first resource.
    preflight: (cfg, ctx) =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require("./preflight") as typeof import("./preflight")).azureCredentialFindings(
        ctx,
        azureOf(cfg).subscriptionId,
      ),
    // A disk snapshot is created in its disk's region, and the plugin creates a disk from it only
    // there: the source's location is where its snapshots are (the storage's and, as the examples
    // have it, the cluster's), the destination's where its cluster is.
    regions: {
      key: "azure.location",
      source: (o) => (o as unknown as AzureSourceOutputs).azure.location,
      destination: (c) => azureOf(c).location,
      sourceOutputPath: "azure.location",
    },
    targetContext: (cfg) => ({
      azure: { location: azureOf(cfg).location, subscriptionId: azureOf(cfg).subscriptionId },
    }),
    replica: azureReplicaOf,
    locations: azureDestinationLocations,
    describeAccess: describeAzureAccess,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    load: () => (require("./destination") as typeof import("./destination")).azureDestination,
  },
};
