import * as pulumi from "@pulumi/pulumi";
import { azureIdentityBasics } from "./identity-basics";
import { AksCluster } from "../components/cluster/aks-cluster";
import { ClusterAccess } from "../components/cluster/cluster-access";
import { SourceOutputs, sourceOutputsSchema } from "../components/config/destination-schema";
import { DestinationStackConfig } from "../components/config/validate";
import { DNS_RECORDS, WAIT_LB } from "../components/dns/dns-steps";
import { dnsProviderOf } from "../components/dns/providers";
import { AzureVeleroIdentity } from "../components/identity/azure-velero-identity";
import { buildRestoreChain } from "../components/restore/chain";
import { DESTINATION_BSL, destinationChainInput } from "../components/restore/destination-chain";
import { ChainView, RestoreChain } from "../components/restore/restore-chain";
import { GUARD, RESTORE_ACCESS, STORAGE_ACCESS, VELERO_INSTALLED } from "../components/restore/velero-steps";
import { buildAzureBslConfig, buildAzureVslConfig } from "../components/velero/locations";
import { buildProfileSchedules } from "../components/velero/specs";
import { VeleroInstall, VeleroValuesArgs } from "../components/velero/velero-install";
import { VeleroSchedules } from "../components/velero/velero-schedules";
import { minorOf } from "../components/velero/versions";
import { Provider } from "@pulumi/kubernetes/provider";

const BSL_NAME = DESTINATION_BSL;
const VSL_NAME = "default";
const AZURE_PLUGIN_IMAGE = "velero/velero-plugin-for-microsoft-azure";

export interface DestinationOptions {
  now?: Date;
}

/**
 * The destination stack: when the source cluster is lost, build (or take) a cluster, install
 * Velero read-only on the same backups, and run the restore chain step by step.
 */
export function destinationProgram(
  cfg: DestinationStackConfig,
  options: DestinationOptions = {},
): Record<string, unknown> {
  const source = sourceOutputs(cfg);
  const target = targetCluster(cfg, source);

  // The guard's value is checked here as well, so a preview already refuses the source cluster.
  const sourceApiServer = pulumi.all([source, target.apiServer]).apply(([s, dest]) => {
    if (dest === s.cluster.apiServer) {
      throw new Error(
        `velero-dr: the destination cluster is the source cluster (${dest}); restoring into the cluster a backup came from is not supported`,
      );
    }
    return s.cluster.apiServer;
  });

  const chain = buildRestoreChain(destinationChainInput(cfg));

  // Velero's identity lives in Azure AD and ARM only: nothing of it is in the target cluster. For
  // a cluster this stack creates (new, so it cannot be the source cluster) it is built while AKS
  // creates the cluster, and its propagation overlaps the creation instead of delaying Velero;
  // whatever is scoped to the node resource group still waits for the cluster, which creates that
  // group. For a cluster that already exists it waits for the guard, as before: that target may
  // yet turn out to be the source (and its node group the source's).
  let identity: AzureVeleroIdentity | undefined;
  const veleroIdentity = (c: ChainView): AzureVeleroIdentity =>
    (identity ??= new AzureVeleroIdentity(
      "velero-identity",
      {
        ...azureIdentityBasics(cfg, options.now),
        storageResourceGroupId: source.apply((s) =>
          rgId(s.azure.subscriptionId, s.storage.resourceGroupName),
        ),
        storageAccountId: source.apply(
          (s) =>
            `${rgId(s.azure.subscriptionId, s.storage.resourceGroupName)}/providers/Microsoft.Storage/storageAccounts/${s.storage.accountName}`,
        ),
        snapshotResourceGroupId: source.apply((s) =>
          rgId(s.azure.subscriptionId, s.storage.snapshotResourceGroupName),
        ),
        nodeResourceGroupName: target.nodeResourceGroup,
      },
      cfg.cluster.create ? {} : { dependsOn: [c.command(GUARD)] },
    ));

  const dns = dnsProviderOf(cfg.dns);
  let records: pulumi.Output<string>[] = [];
  const restore = new RestoreChain("restore", {
    chain,
    kubeconfig: target.kubeconfig,
    runtimeEnv: {
      SOURCE_API_SERVER: sourceApiServer,
      SOURCE_CLUSTER_UID: source.apply((s) => s.cluster.uid ?? ""),
    },
    // The provider's secrets that are set (its config check requires the ones its steps read).
    secretEnv: Object.fromEntries(
      Object.entries(dns.secretEnv ?? {})
        .filter(([, key]) => (cfg as unknown as Record<string, unknown>)[key] !== undefined)
        .map(([env, key]) => [env, new pulumi.Config().requireSecret(key)]),
    ),
    external: {
      // Nothing touches the target before the guard has shown it is not the source cluster.
      [VELERO_INSTALLED]: (c) => [
        veleroInstall(cfg, target, source, veleroIdentity(c), c.command(GUARD)).release,
      ],
      // The location is Available once Velero runs and may list the storage account's keys: its
      // wait needs the storage grant. The restore creates disks from snapshots in the node group:
      // it needs every grant of Velero's identity. Neither is left to the credentials Secret,
      // which waits for no grant, so the disk grants, which can only start once the cluster
      // exists, do not delay Velero's install nor the backup sync.
      [STORAGE_ACCESS]: (c) => veleroIdentity(c).storageGrants,
      [RESTORE_ACCESS]: (c) => [veleroIdentity(c)],
      // The provider's own resources (azure: the RecordSets) wait for the new address; its
      // publish step waits for them.
      ...(dns.resources
        ? {
            [DNS_RECORDS]: (c: ChainView) => {
              const r = dns.resources?.({
                dns: cfg.dns,
                address: c.produced("LB_ADDRESS"),
                after: c.command(WAIT_LB),
              });
              records = r?.records ?? [];
              return r?.publishAfter ?? [];
            },
          }
        : {}),
    },
  });

  const v = cfg.velero;
  let scheduleNames: string[] = [];
  if (cfg.restore.promoteToPrimary) {
    // Only once the restored system is healthy does the destination start writing backups.
    const schedules = new VeleroSchedules("schedules", {
      provider: target.provider,
      kubeconfig: target.kubeconfig,
      namespace: v.namespace,
      storageLocation: BSL_NAME,
      profile: cfg.profile.name,
      schedules: buildProfileSchedules(cfg.schedules, cfg.profile, {
        storageLocation: BSL_NAME,
        volumeSnapshotLocation: VSL_NAME,
        defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
      }),
      firstBackup: { enabled: false, timeoutSeconds: 0 },
      dependsOn: [restore.last],
    });
    scheduleNames = schedules.names;
  }

  return {
    role: "destination",
    profile: cfg.profile.name,
    cluster: { apiServer: target.apiServer, nodeResourceGroup: target.nodeResourceGroup },
    restoreSteps: chain.steps.map((s) => s.id),
    backup: restore.produced("RESTORE_BACKUP_NAME"),
    loadBalancerAddress: restore.produced("LB_ADDRESS"),
    dnsRecords: records,
    schedules: scheduleNames,
    runbook: `npm run runbook -- ${cfg.stack}`,
  };
}

/** Velero on the target, read-only on the source's backups, with the source's versions. */
function veleroInstall(
  cfg: DestinationStackConfig,
  target: Target,
  source: pulumi.Output<SourceOutputs>,
  identity: AzureVeleroIdentity,
  guard: pulumi.Resource,
): VeleroInstall {
  const v = cfg.velero;
  const values: pulumi.Output<VeleroValuesArgs> = source.apply((s) => ({
    provider: "azure" as const,
    version: s.velero.version,
    pluginImage: AZURE_PLUGIN_IMAGE,
    pluginVersion: s.velero.pluginVersion,
    imageRegistry: v.imageRegistry,
    imagePullSecrets: v.imagePullSecrets,
    bsl: {
      name: BSL_NAME,
      bucket: s.storage.containerName,
      prefix: s.storage.prefix || undefined,
      // Read-only until the restore is done: nothing in the new cluster may write or delete
      // backups (not even garbage collection of expired ones) while they are being restored.
      accessMode: "ReadOnly" as const,
      config: buildAzureBslConfig({
        resourceGroup: s.storage.resourceGroupName,
        storageAccount: s.storage.accountName,
        subscriptionId: s.azure.subscriptionId,
      }),
    },
    vsl: {
      name: VSL_NAME,
      config: buildAzureVslConfig({
        resourceGroup: s.storage.snapshotResourceGroupName,
        subscriptionId: s.azure.subscriptionId,
        incremental: true,
      }),
    },
    priorityClassName: v.priorityClassName,
    resources: v.resources,
    // File-system backups restore only with the node agent and the same uploader.
    nodeAgent: v.nodeAgent || s.velero.uploaderType !== "",
    uploaderType: (s.velero.uploaderType || v.uploaderType) as "kopia" | "restic",
    defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
    airGapped: v.airGapped,
    logLevel: v.logLevel,
    backupSyncPeriod: v.backupSyncPeriod,
    serviceMonitor: v.serviceMonitor,
  }));
  return new VeleroInstall(
    "velero",
    {
      provider: target.provider,
      kubeconfig: target.kubeconfig,
      namespace: v.namespace,
      chart: {
        version: source.apply((s) => s.velero.chartVersion),
        repository: v.chartRepository,
        path: v.chartPath,
      },
      // Velero is installed while the role assignments are created and propagate: nothing in it
      // needs them to start. What uses a permission waits for its grant below (the location's
      // readiness for the storage grant, the restore for every grant).
      credentialsFile: identity.credentialsFileUngated,
      createPriorityClass: v.createPriorityClass,
      helmTimeoutSeconds: v.helmTimeoutSeconds,
      bslCheck: { enabled: false, timeoutSeconds: 0 },
      settings: {
        nodeAgent: values.apply((x) => x.nodeAgent),
        priorityClassName: v.priorityClassName,
        bslName: BSL_NAME,
      },
      values,
    },
    { dependsOn: [guard] },
  );
}

function rgId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
}

/** The source stack's outputs, checked: a destination built on a wrong source must stop early. */
function sourceOutputs(cfg: DestinationStackConfig): pulumi.Output<SourceOutputs> {
  if (cfg.source.outputs) return pulumi.output(cfg.source.outputs) as unknown as pulumi.Output<SourceOutputs>;
  const ref = new pulumi.StackReference("source", { name: cfg.source.stack as string });
  return ref.outputs.apply((raw) => {
    const parsed = sourceOutputsSchema.safeParse(raw);
    if (!parsed.success) {
      const what = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(
        `velero-dr: stack ${cfg.source.stack} does not export a source stack's outputs (${what})`,
      );
    }
    if (parsed.data.profile !== cfg.profile.name) {
      throw new Error(
        `velero-dr: stack ${cfg.source.stack} backs up profile ${parsed.data.profile}, but this destination restores ${cfg.profile.name}`,
      );
    }
    return parsed.data;
  });
}

interface Target {
  provider: Provider;
  kubeconfig: pulumi.Output<string>;
  apiServer: pulumi.Output<string>;
  nodeResourceGroup: pulumi.Output<string>;
}

function targetCluster(cfg: DestinationStackConfig, source: pulumi.Output<SourceOutputs>): Target {
  const create = cfg.cluster.create;
  if (create) {
    const name = create.name ?? `dr-${cfg.stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 63);
    // Velero restores into the same or a newer Kubernetes only (migration-case.md).
    const kubernetesVersion = source.apply((s) => {
      const src = s.cluster.kubernetesVersion ? minorOf(`v${s.cluster.kubernetesVersion}`) : undefined;
      const dst = minorOf(
        `v${create.kubernetesVersion}${/^\d+\.\d+$/.test(create.kubernetesVersion) ? ".0" : ""}`,
      );
      if (src && dst && compareMinor(dst, src) < 0) {
        throw new Error(
          `velero-dr: cluster.create.kubernetesVersion ${create.kubernetesVersion} is older than the source cluster's ${s.cluster.kubernetesVersion}; Velero restores only into the same or a newer Kubernetes`,
        );
      }
      return create.kubernetesVersion;
    });
    const cluster = new AksCluster("cluster", {
      name,
      resourceGroupName: create.resourceGroupName ?? `velero-dr-${cfg.stack}-cluster`,
      location: cfg.azure.location,
      kubernetesVersion,
      nodeVmSize: create.nodeVmSize,
      nodeCount: create.nodeCount,
      availabilityZones: create.availabilityZones,
      nodeResourceGroup: create.nodeResourceGroup ?? `velero-dr-${cfg.stack}-nodes`,
      tags: { "managed-by": "velero-dr", "velero-dr-stack": cfg.stack, ...cfg.tags },
    });
    return cluster;
  }
  return new ClusterAccess("cluster", {
    aks: cfg.cluster.aksName
      ? { name: cfg.cluster.aksName, resourceGroupName: cfg.cluster.aksResourceGroup as string }
      : undefined,
    kubeconfig: cfg.kubeconfig !== undefined ? new pulumi.Config().requireSecret("kubeconfig") : undefined,
    nodeResourceGroup: cfg.cluster.nodeResourceGroup,
  });
}

function compareMinor(a: string, b: string): number {
  const [a1, a2] = a.split(".").map(Number);
  const [b1, b2] = b.split(".").map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}
