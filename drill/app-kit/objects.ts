/** Kubernetes objects of the app fixtures, as plain data (enough of each for KWOK and Velero). */
type Obj = Record<string, any>;

export const namespace = (name: string): Obj => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

export interface WorkloadSpec {
  namespace: string;
  name: string;
  /** Labels of the workload, its pods and (for a StatefulSet) its claims. */
  labels: Record<string, string>;
  container: string;
  image: string;
  replicas?: number;
  /** Pod volumes backed by claims: volume name -> [claim name, mount path]. */
  claims?: Record<string, [string, string]>;
}

const podSpec = (w: WorkloadSpec, claimVolumes: boolean): Obj => ({
  containers: [
    {
      name: w.container,
      image: w.image,
      volumeMounts: Object.entries(w.claims ?? {}).map(([name, [, mountPath]]) => ({ name, mountPath })),
    },
  ],
  ...(claimVolumes && w.claims
    ? {
        volumes: Object.entries(w.claims).map(([name, [claimName]]) => ({
          name,
          persistentVolumeClaim: { claimName },
        })),
      }
    : {}),
});

export const deployment = (w: WorkloadSpec): Obj => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
  spec: {
    replicas: w.replicas ?? 1,
    selector: { matchLabels: w.labels },
    template: { metadata: { labels: w.labels }, spec: podSpec(w, true) },
  },
});

/** A StatefulSet whose `claims` are volumeClaimTemplates (claims <volume>-<pod>). */
export const statefulSet = (w: WorkloadSpec): Obj => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
  spec: {
    serviceName: w.name,
    replicas: w.replicas ?? 1,
    selector: { matchLabels: w.labels },
    template: { metadata: { labels: w.labels }, spec: podSpec(w, false) },
    volumeClaimTemplates: Object.keys(w.claims ?? {}).map((name) => ({
      metadata: { name, labels: w.labels },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    })),
  },
});

export const claim = (namespace: string, name: string, labels: Record<string, string> = {}): Obj => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace, labels },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
});

export const service = (
  namespace: string,
  name: string,
  selector: Record<string, string>,
  type = "ClusterIP",
  labels: Record<string, string> = {},
): Obj => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace, labels },
  spec: { type, selector, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
});

export const configMap = (namespace: string, name: string, data: Record<string, string>): Obj => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});

export const secret = (namespace: string, name: string, data: Record<string, string>): Obj => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace },
  type: "Opaque",
  stringData: data,
});

export const list = (items: Obj[]): Obj => ({ apiVersion: "v1", kind: "List", items });
