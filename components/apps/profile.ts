/**
 * App profiles: what an application needs from backup and restore, as plain data.
 *
 * A profile is the one place where an application's knowledge lives (which namespaces hold
 * its state, which kinds must not be backed up, how often and how long to keep backups,
 * what a restore requires). Builders read profiles; components never hard-code an app.
 */

export interface ProfileSchedule {
  /** Schedule name (DNS-1123 label, at most 48 characters: Velero appends `-YYYYMMDDhhmmss`). */
  name: string;
  /** Five-field cron in UTC, as Velero 1.10.3 parses it. */
  cron: string;
  /** Go duration; backups older than this are deleted by Velero. */
  ttl?: string;
}

export interface RestoreRequirements {
  /** The vendor does not support restoring into the cluster the backup came from. */
  differentCluster: boolean;
  /** Velero server version the vendor requires, if any (`v1.10.3` for Dash Enterprise 5). */
  veleroVersion?: string;
  /** Kubernetes on the destination must be the same minor or newer (Velero's migration rule). */
  sameOrNewerKubernetes: boolean;
}

/** What the destination stack needs to bring the application back and point users at it. */
export interface RestoreTraits {
  /** Post-restore chain of the application (components/restore/apps/<chain>.ts). */
  chain: string;
  /** Namespace the post-restore steps work in. */
  appNamespace: string;
  /** Service whose load balancer address the DNS records point at. */
  loadBalancer: { namespace: string; service: string };
  /** Sub-domains published as CNAMEs `<prefix>-<base domain>` to the base domain. */
  dnsRecordPrefixes: string[];
}

export interface AppProfile {
  /** Identifier used in config (`velero-dr:profile`). */
  name: string;
  displayName: string;
  /** Where the profile's facts come from, so a reader can check them. */
  reference: string;
  /** Namespaces whose objects are backed up. */
  namespaces: string[];
  /** Resource kinds never backed up (Velero `excludedResources`). */
  excludedResources: string[];
  /** Default backup TTL (Go duration). */
  defaultTtl: string;
  /** Cluster-scoped resources: `undefined` lets Velero decide ("auto"). */
  includeClusterResources?: boolean;
  /** Take volume snapshots through the VSL. */
  snapshotVolumes: boolean;
  /** Schedules created when the stack configures none. */
  schedules: ProfileSchedule[];
  requirements: RestoreRequirements;
  restore: RestoreTraits;
}
