/**
 * One line per top-level key under `velero-dr:` (both roles), for the project file's `config:` block
 * (tools/project-config.ts generates it from the schemas; README "Configuration reference" says more).
 * A test checks this map holds exactly the keys the source and destination schemas know.
 */
export const CONFIG_KEY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  role: "source (protect a running cluster) or destination (restore into another cluster)",
  cloud: "The storage backend: azure, aws or s3compat",
  profile: "The application: the name of an app folder under apps/",
  app: "The application's own settings, checked by its profile's schema",
  production: "Marks a production stack: the policy pack then requires immutable storage",
  namespaces: "Namespaces backed up instead of the profile's",
  excludedResources: "Resource kinds never backed up, instead of the profile's",
  fsBackup: "profile: the profile's volumes copied file by file; off: snapshots (default: the profile's)",
  azure: "Azure settings (subscriptionId, tenantId, location, cloudName): required with cloud azure",
  aws: "AWS settings (a source: region, accountId, identity, bucket, KMS, Object Lock; a destination: region, accountId, oidcProviderArn, s3Url, s3ForcePathStyle): required with cloud aws",
  s3compat:
    "S3-compatible store settings (a source: endpoint, bucket, region, ...; a destination: the replica): required on a source with cloud s3compat",
  s3compatCredentials: "{accessKeyId, secretAccessKey} of the S3-compatible store",
  storage: "Backup storage settings (names, retention, replication, immutability, protection, replica)",
  cluster: "The cluster to protect (source) or the new cluster to create (destination)",
  kubeconfig: "The kubeconfig of the cluster, instead of a named AKS or EKS cluster",
  identity: "Velero's cloud identity: credential rotation period and display name",
  velero: "Velero install: namespace, versions, chart, mirror, resources, node agent, uploader",
  schedules:
    "Backup schedules {name, cron, ttl, paused, namespaces, excludedResources} (default: the profile's)",
  firstBackup: "Take one backup at install and wait for it to complete",
  scheduleFloorMinutes: "The shortest time a schedule may leave between two backups (5-1440 minutes)",
  bslCheck: "Wait for the backup storage location to be Available after install (enabled, timeoutSeconds)",
  alerting: "Alerts: no recent backup in the cluster (PrometheusRule) and on the storage (cloud alert)",
  alertWebhooks: "https webhook URLs the cloud alert notifies",
  tags: "Extra tags on the cloud resources",
  mode: "recovery, or rehearsal: prove the recovery without touching production",
  rehearsal: "A rehearsal's recovery objectives",
  source: "The source: its stack reference (stack) or its outputs typed in (outputs)",
  backup: "Which backup to restore: name, or the newest of schedule; location primary or replica",
  restore: "The restore chain: promotion, gates, timeouts, the load balancer to wait for",
  dns: "DNS cut-over: provider (azure, rfc2136, route53, manual, none), base domain, zone, TTL",
  dnsTsigSecret: "The TSIG key's secret for dns.provider rfc2136",
};
