/**
 * The Dash Enterprise fixture the drill backs up: the custom resources of the Dash operators
 * with the owner references the guide's patch commands imply, the core workloads, Services (one
 * a LoadBalancer), ConfigMaps, Secrets, webhook configurations and EndpointSlices (which the
 * profile excludes) — enough that a wrong exclude list or a lost owner reference shows.
 */
export const PS = "plotly-system";

type Obj = Record<string, any>;

const crd = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  extraColumns: Obj[] = [],
): Obj => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: "Namespaced",
    names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [
      {
        name: version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        additionalPrinterColumns: extraColumns,
      },
    ],
  },
});

export const CRDS: Obj[] = [
  crd("dash.plotly.com", "v1alpha1", "DashEnterprise", "dashenterprises", [
    { name: "Appstack", type: "string", jsonPath: ".status.appstack" },
    { name: "Buildstack", type: "string", jsonPath: ".status.buildstack" },
  ]),
  crd("dash.plotly.com", "v1alpha1", "Appstack", "appstacks"),
  crd("dash.plotly.com", "v1alpha1", "Buildstack", "buildstacks"),
  crd("dash.plotly.com", "v1alpha1", "Gitea", "giteas"),
  crd("goharbor.io", "v1beta1", "HarborCluster", "harborclusters"),
  crd("goharbor.io", "v1beta1", "Harbor", "harbors"),
  crd("redpanda.vectorized.io", "v1alpha1", "Cluster", "clusters"),
  crd("kpack.io", "v1alpha2", "Builder", "builders"),
];

/**
 * What the vendor's restore.sh installs on a new cluster before the restore ("supporting
 * software", Dash Enterprise on AKS installation guide), as far as the chain can see it: the CRDs
 * of cert-manager and Istio (the drill runs no controllers). On the source too: a real
 * installation has them.
 */
export const SUPPORTING_SOFTWARE_CRDS: Obj[] = [
  crd("cert-manager.io", "v1", "Certificate", "certificates"),
  crd("cert-manager.io", "v1", "Issuer", "issuers"),
  crd("networking.istio.io", "v1beta1", "VirtualService", "virtualservices"),
];

const ns = (name: string): Obj => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

const deployment = (namespace: string, name: string, podLabels: Obj = {}, replicas = 1): Obj => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, ...podLabels } },
      spec: { containers: [{ name, image: `registry.example/${name}:1.0` }] },
    },
  },
});

/**
 * The ingress controller as the upstream ingress-nginx Helm chart labels it: the Service selects
 * the pods by the chart's selector labels (name, instance, component), not by `app`. A stand-in
 * that re-created the Deployment with other pod labels would leave the Service routing to nothing.
 */
function ingressController(): Obj[] {
  const selector = {
    "app.kubernetes.io/name": "ingress-nginx",
    "app.kubernetes.io/instance": "ingress-nginx",
    "app.kubernetes.io/component": "controller",
  };
  const labels = {
    ...selector,
    "app.kubernetes.io/part-of": "ingress-nginx",
    "app.kubernetes.io/version": "1.9.4",
    "app.kubernetes.io/managed-by": "Helm",
    "helm.sh/chart": "ingress-nginx-4.8.3",
  };
  const name = "ingress-nginx-controller";
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: PS, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...selector } },
          spec: {
            containers: [
              {
                name: "controller",
                image: "registry.k8s.io/ingress-nginx/controller:v1.9.4",
                // The Service's named target ports resolve to these (without them the endpoints
                // controller leaves the pod out: the Service would serve nothing).
                ports: [
                  { name: "http", containerPort: 80, protocol: "TCP" },
                  { name: "https", containerPort: 443, protocol: "TCP" },
                ],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: PS, labels },
      spec: {
        type: "LoadBalancer",
        selector,
        ports: [
          { name: "http", port: 80, targetPort: "http" },
          { name: "https", port: 443, targetPort: "https" },
        ],
      },
    },
  ];
}

const service = (namespace: string, name: string, type = "ClusterIP", app = name): Obj => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec: { type, selector: { app }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
});

const configMap = (namespace: string, name: string, data: Obj): Obj => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});
const secret = (namespace: string, name: string, data: Obj): Obj => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace },
  type: "Opaque",
  stringData: data,
});

const cr = (apiVersion: string, kind: string, name: string, extra: Obj = {}): Obj => ({
  apiVersion,
  kind,
  metadata: { name, namespace: PS, ...(extra.metadata ?? {}) },
  spec: extra.spec ?? { managed: true },
  ...(extra.status ? { status: extra.status } : {}),
});

/** Objects with no owner. */
export function baseObjects(): Obj[] {
  return [
    ns("dash-apps"),
    ns("dash-services"),
    ns(PS),
    cr("dash.plotly.com/v1alpha1", "DashEnterprise", "dash-enterprise", {
      spec: { baseDomain: "dash.example.com" },
      status: { appstack: "healthy", buildstack: "healthy" },
    }),
    cr("redpanda.vectorized.io/v1alpha1", "Cluster", "redpanda", { spec: { replicas: 1 } }),
    cr("kpack.io/v1alpha2", "Builder", "dash-app-builder", {
      spec: { tag: "registry-dash.example.com/builder" },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    }),
    ...ingressController(),
    deployment(PS, "kotsadm"),
    service(PS, "kotsadm"),
    ...["core", "portal", "registry", "jobservice"].map((c) =>
      deployment(PS, `de-harbor-harbor-${c}`, { [`${c}.goharbor.io/name`]: `de-harbor-harbor-${c}` }),
    ),
    service(PS, "redpanda"),
    configMap(PS, "dash-config", { baseDomain: "dash.example.com" }),
    secret(PS, "dash-license", { license: "fixture-license-not-real" }),
    deployment("dash-apps", "sales-dashboard", {}, 2),
    service("dash-apps", "sales-dashboard"),
    configMap("dash-apps", "sales-dashboard-config", { refresh: "60" }),
    secret("dash-apps", "sales-dashboard-db", { url: "postgres://fixture" }),
    deployment("dash-services", "app-db"),
    service("dash-services", "app-db"),
    secret("dash-services", "app-db-credentials", { password: "fixture-only" }),
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "dash-validator" },
      webhooks: [webhook("validate.dash.plotly.com")],
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "dash-mutator" },
      webhooks: [webhook("mutate.dash.plotly.com")],
    },
  ];
}

// Never called: failurePolicy Ignore and a selector nothing carries, so the fixture's own
// apiserver is not affected by a webhook that has no server behind it.
function webhook(name: string): Obj {
  return {
    name,
    admissionReviewVersions: ["v1"],
    sideEffects: "None",
    failurePolicy: "Ignore",
    objectSelector: { matchLabels: { "velero-dr-fixture/never": "true" } },
    clientConfig: { service: { namespace: "dash-services", name: "app-db", path: "/validate" } },
    rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }],
  };
}

export const owner = (apiVersion: string, kind: string, name: string, uid: string): Obj => ({
  apiVersion,
  kind,
  name,
  uid,
  controller: true,
  blockOwnerDeletion: true,
});

/**
 * Objects owned by others (owner UIDs known once the owners exist), as the patches of Plotly's Dash
 * Enterprise backup and restore guide imply.
 */
export function ownedObjects(uids: {
  dashEnterprise: string;
  buildstack?: string;
  harborCluster?: string;
  redpanda: string;
}): Obj[] {
  const de = owner("dash.plotly.com/v1alpha1", "DashEnterprise", "dash-enterprise", uids.dashEnterprise);
  const out: Obj[] = [
    cr("dash.plotly.com/v1alpha1", "Appstack", "de-appstack", { metadata: { ownerReferences: [de] } }),
    cr("dash.plotly.com/v1alpha1", "Buildstack", "de-buildstack", {
      metadata: { ownerReferences: [de], finalizers: ["csc.dash.plotly.com/finalizer"] },
    }),
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: {
        name: "redpanda",
        namespace: PS,
        ownerReferences: [owner("redpanda.vectorized.io/v1alpha1", "Cluster", "redpanda", uids.redpanda)],
      },
      spec: {
        serviceName: "redpanda",
        replicas: 1,
        selector: { matchLabels: { app: "redpanda" } },
        template: {
          metadata: { labels: { app: "redpanda" } },
          spec: { containers: [{ name: "redpanda", image: "registry.example/redpanda:1.0" }] },
        },
      },
    },
  ];
  if (uids.buildstack) {
    const bs = owner("dash.plotly.com/v1alpha1", "Buildstack", "de-buildstack", uids.buildstack);
    out.push(
      cr("dash.plotly.com/v1alpha1", "Gitea", "gitea-cluster", { metadata: { ownerReferences: [bs] } }),
      cr("goharbor.io/v1beta1", "HarborCluster", "de", { metadata: { ownerReferences: [bs] } }),
    );
  }
  if (uids.harborCluster) {
    out.push(
      cr("goharbor.io/v1beta1", "Harbor", "de-harbor", {
        metadata: {
          ownerReferences: [owner("goharbor.io/v1beta1", "HarborCluster", "de", uids.harborCluster)],
        },
      }),
    );
  }
  return out;
}

/** What must come back, as `<resource>/<namespace>/<name>` (resource names as kubectl takes them). */
export const EXPECTED_RESTORED = [
  "dashenterprises.dash.plotly.com/plotly-system/dash-enterprise",
  "buildstacks.dash.plotly.com/plotly-system/de-buildstack",
  "giteas.dash.plotly.com/plotly-system/gitea-cluster",
  "harborclusters.goharbor.io/plotly-system/de",
  "harbors.goharbor.io/plotly-system/de-harbor",
  "clusters.redpanda.vectorized.io/plotly-system/redpanda",
  "statefulsets.apps/plotly-system/redpanda",
  "deployments.apps/plotly-system/kotsadm",
  "deployments.apps/plotly-system/de-harbor-harbor-core",
  "services/plotly-system/ingress-nginx-controller",
  "services/plotly-system/redpanda",
  "configmaps/plotly-system/dash-config",
  "secrets/plotly-system/dash-license",
  "deployments.apps/dash-apps/sales-dashboard",
  "services/dash-apps/sales-dashboard",
  "configmaps/dash-apps/sales-dashboard-config",
  "secrets/dash-apps/sales-dashboard-db",
  "deployments.apps/dash-services/app-db",
  "secrets/dash-services/app-db-credentials",
];

/**
 * Dash Enterprise's stateful parts with a claim each, for the drills of its volume data (the
 * region-loss drill): the app database's PostgreSQL data, Harbor's registry storage and Redpanda's
 * data directory (a StatefulSet's claim template, as Redpanda's operator makes it). Only those
 * drills install them (`withClaims`, `claimObjects`); the others keep the fixture without volumes.
 */
export interface DashClaim {
  namespace: string;
  /** The claim's name (a StatefulSet's: `<template>-<pod>`). */
  claim: string;
  workload: { kind: "Deployment" | "StatefulSet"; name: string };
  /** The volume's name in the pod (a StatefulSet's: its claim template's). */
  volume: string;
  mountPath: string;
}

export const DASH_CLAIMS: DashClaim[] = [
  {
    namespace: "dash-services",
    claim: "app-db-data",
    workload: { kind: "Deployment", name: "app-db" },
    volume: "data",
    mountPath: "/var/lib/postgresql/data",
  },
  {
    namespace: PS,
    claim: "de-harbor-registry",
    workload: { kind: "Deployment", name: "de-harbor-harbor-registry" },
    volume: "registry-data",
    mountPath: "/storage",
  },
  {
    namespace: PS,
    claim: "datadir-redpanda-0",
    workload: { kind: "StatefulSet", name: "redpanda" },
    volume: "datadir",
    mountPath: "/var/lib/redpanda/data",
  },
];

const claimSpec = { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } };

/** The Deployments' claims (a StatefulSet's come from its template). */
export function claimObjects(): Obj[] {
  return DASH_CLAIMS.filter((c) => c.workload.kind === "Deployment").map((c) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: c.claim, namespace: c.namespace },
    spec: claimSpec,
  }));
}

/** The fixture's workloads with their claims mounted (other objects unchanged). */
export function withClaims(items: Obj[]): Obj[] {
  return items.map((o) => {
    const c = DASH_CLAIMS.find(
      (x) =>
        x.workload.kind === o.kind &&
        x.workload.name === o.metadata.name &&
        x.namespace === o.metadata.namespace,
    );
    if (!c) return o;
    const copy = JSON.parse(JSON.stringify(o)) as Obj;
    const pod = copy.spec.template.spec;
    pod.containers[0].volumeMounts = [{ name: c.volume, mountPath: c.mountPath }];
    if (c.workload.kind === "StatefulSet") {
      copy.spec.volumeClaimTemplates = [{ metadata: { name: c.volume }, spec: claimSpec }];
    } else {
      pod.volumes = [{ name: c.volume, persistentVolumeClaim: { claimName: c.claim } }];
    }
    return copy;
  });
}
