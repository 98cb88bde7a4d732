/**
 * Helm values for chart vmware-tanzu/velero 3.x (3.1.6 runs Velero 1.10).
 *
 * Only what the program decides is set; everything else keeps the chart default, so an
 * upgrade of the chart's own defaults is visible in its changelog rather than hidden here.
 */

/** Name of the Secret holding Velero's cloud credentials (key `cloud`), as `velero install` names it. */
export const CREDENTIALS_SECRET = "cloud-credentials";

/** Helm release name: Velero objects are then named `velero`, `velero-server`, ... */
export const RELEASE_NAME = "velero";

export interface LocationValues {
  name: string;
  config: Record<string, string>;
}

export interface VeleroValuesInput {
  /** Velero's provider name of the storage backend's plugin ("azure", "aws"; see components/backends). */
  provider: string;
  version: string;
  pluginImage: string;
  pluginVersion: string;
  imageRegistry?: string;
  imagePullSecrets: string[];
  /**
   * Secret (key `cloud`) created by the program; credentials never pass through Helm values.
   * Absent with IRSA: Velero then uses the role named by `serviceAccountAnnotations`.
   */
  credentialsSecretName?: string;
  /** Annotations of Velero's service account (IRSA: `eks.amazonaws.com/role-arn`). */
  serviceAccountAnnotations?: Record<string, string>;
  /**
   * Annotations of the Velero pod. A changed value rolls the Deployment, so a rotated credential
   * is read by a fresh pod before the old credential is deleted.
   */
  podAnnotations?: Record<string, string>;
  bsl: LocationValues & { bucket: string; prefix?: string; accessMode: "ReadWrite" | "ReadOnly" };
  /** None: the storage backend takes no volume snapshots (the chart then creates no VSL). */
  vsl?: LocationValues;
  priorityClassName: string;
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  nodeAgent: boolean;
  uploaderType: "kopia" | "restic";
  defaultVolumesToFsBackup: boolean;
  airGapped: boolean;
  logLevel: string;
  backupSyncPeriod: string;
  /** Force the chart's ServiceMonitor on (it then fails without the Prometheus operator). */
  serviceMonitor: boolean;
  /**
   * Alerting needs Velero's metrics scraped: "auto" renders the ServiceMonitor when the cluster
   * serves monitoring.coreos.com/v1 (the chart's own Capabilities check), "on" always.
   */
  monitoring?: { mode: "auto" | "on"; labels: Record<string, string> };
}

/** The values that come from the user's `velero` settings alone, the same for every storage backend. */
export type VeleroSettingsValues = Pick<
  VeleroValuesInput,
  | "version"
  | "pluginVersion"
  | "imageRegistry"
  | "imagePullSecrets"
  | "priorityClassName"
  | "resources"
  | "nodeAgent"
  | "uploaderType"
  | "defaultVolumesToFsBackup"
  | "airGapped"
  | "logLevel"
  | "backupSyncPeriod"
  | "serviceMonitor"
>;

/**
 * The storage-neutral part of the values from validated `velero` settings (a stack's config or a
 * component's args): one mapping, so a setting added to one caller cannot be missed by the other.
 */
export function veleroSettingsValues(v: VeleroSettingsValues): VeleroSettingsValues {
  return {
    version: v.version,
    pluginVersion: v.pluginVersion,
    imageRegistry: v.imageRegistry,
    imagePullSecrets: v.imagePullSecrets,
    priorityClassName: v.priorityClassName,
    resources: v.resources,
    nodeAgent: v.nodeAgent,
    uploaderType: v.uploaderType,
    defaultVolumesToFsBackup: v.defaultVolumesToFsBackup,
    airGapped: v.airGapped,
    logLevel: v.logLevel,
    backupSyncPeriod: v.backupSyncPeriod,
    serviceMonitor: v.serviceMonitor,
  };
}

function serviceMonitorValues(i: VeleroValuesInput): Record<string, unknown> {
  if (!i.monitoring) return { enabled: i.serviceMonitor, autodetect: !i.serviceMonitor };
  const forced = i.serviceMonitor || i.monitoring.mode === "on";
  return {
    enabled: true,
    autodetect: !forced,
    ...(Object.keys(i.monitoring.labels).length > 0 ? { additionalLabels: i.monitoring.labels } : {}),
  };
}

/**
 * Image reference, honouring a private mirror (the air-gapped layout of Plotly's Dash Enterprise backup
 * and restore guide: `<registry>/<name>:<tag>`).
 */
export function imageRef(name: string, tag: string, registry?: string): { repository: string; tag: string } {
  const base = name.split("/").pop() as string;
  return { repository: registry ? `${registry}/${base}` : name, tag };
}

export function buildVeleroValues(i: VeleroValuesInput): Record<string, unknown> {
  const velero = imageRef("velero/velero", i.version, i.imageRegistry);
  const plugin = imageRef(i.pluginImage, i.pluginVersion, i.imageRegistry);
  const values: Record<string, unknown> = {
    // Chart 3.x takes pull secret names as plain strings.
    image: { ...velero, pullPolicy: "IfNotPresent", imagePullSecrets: i.imagePullSecrets },
    initContainers: [
      {
        name: i.pluginImage.split("/").pop(),
        image: `${plugin.repository}:${plugin.tag}`,
        imagePullPolicy: "IfNotPresent",
        volumeMounts: [{ mountPath: "/target", name: "plugins" }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
    ],
    // The chart's CRD upgrade Job pulls docker.io/bitnami/kubectl:<k8s minor>, which no longer
    // exists (helm-charts #698): the install would hang in ImagePullBackOff. CRDs come from crds/.
    upgradeCRDs: false,
    cleanUpCRDs: false,
    priorityClassName: i.priorityClassName,
    resources: i.resources,
    podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    metrics: { enabled: true, serviceMonitor: serviceMonitorValues(i) },
    configuration: {
      provider: i.provider,
      backupStorageLocation: {
        name: i.bsl.name,
        provider: i.provider,
        bucket: i.bsl.bucket,
        ...(i.bsl.prefix ? { prefix: i.bsl.prefix } : {}),
        default: true,
        accessMode: i.bsl.accessMode,
        config: i.bsl.config,
      },
      ...(i.vsl
        ? { volumeSnapshotLocation: { name: i.vsl.name, provider: i.provider, config: i.vsl.config } }
        : {}),
      logLevel: i.logLevel,
      backupSyncPeriod: i.backupSyncPeriod,
      ...(i.nodeAgent
        ? { uploaderType: i.uploaderType, defaultVolumesToFsBackup: i.defaultVolumesToFsBackup }
        : {}),
    },
    credentials: i.credentialsSecretName
      ? { useSecret: true, existingSecret: i.credentialsSecretName }
      : // IRSA: no credentials file; the AWS SDK reads the web identity token the EKS webhook mounts.
        { useSecret: false },
    ...(i.serviceAccountAnnotations
      ? { serviceAccount: { server: { annotations: i.serviceAccountAnnotations } } }
      : {}),
    ...(i.podAnnotations ? { podAnnotations: i.podAnnotations } : {}),
    backupsEnabled: true,
    snapshotsEnabled: i.vsl !== undefined,
    deployNodeAgent: i.nodeAgent,
    ...(i.nodeAgent ? { nodeAgent: { priorityClassName: i.priorityClassName } } : {}),
    // Schedules are created by the program as custom resources (they need `paused`, which the
    // 3.x chart cannot set), never by the chart.
    schedules: {},
  };
  if (i.airGapped) {
    const helper = imageRef("velero/velero-restore-helper", i.version, i.imageRegistry);
    values.configMaps = {
      // Without it, file-system restores pull velero-restore-helper from Docker Hub (Plotly's Dash
      // Enterprise backup and restore guide).
      "fs-restore-action-config": {
        labels: { "velero.io/plugin-config": "", "velero.io/pod-volume-restore": "RestoreItemAction" },
        data: { image: `${helper.repository}:${helper.tag}` },
      },
    };
  }
  return values;
}
