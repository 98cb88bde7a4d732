/**
 * A fake destination cluster right after Velero restored Dash Enterprise into it, as state
 * for the fake CLIs (test/fakes): what the restore chain's scripts read and change.
 */
export const DEST_SERVER = "https://dr-cluster.hcp.northeurope.azmk8s.io:443";
export const SOURCE_SERVER = "https://dash-enterprise-dns-1a2b3c.hcp.westeurope.azmk8s.io:443";
export const TSIG_SECRET = "c2VjcmV0LXRzaWcta2V5LWZvci10aGUtdGVzdHMtMzI=";

export const UIDS = {
  dashEnterprise: "11111111-1111-4111-8111-111111111111",
  buildstack: "22222222-2222-4222-8222-222222222222",
  harborCluster: "33333333-3333-4333-8333-333333333333",
  redpanda: "44444444-4444-4444-8444-444444444444",
  kubeSystem: "99999999-9999-4999-8999-999999999999",
};

const meta = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace, ...extra },
});

export function kubeconfigFor(server: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: c",
    "  cluster:",
    `    server: ${server}`,
    "contexts:",
    "- name: c",
    "  context: {cluster: c, user: u}",
    "current-context: c",
    "users:",
    "- name: u",
    "  user: {token: dest-kube-token-5e1f}",
    "",
  ].join("\n");
}

export interface WorldOptions {
  restorePhases?: string[];
  restoreStatus?: Record<string, unknown>;
  backups?: { name: string; phase: string; completed: string }[];
  builderReady?: string[];
  kotsPlugin?: boolean;
  /** A bare new cluster: nobody ran the vendor's restore.sh (no cert-manager, no Istio). */
  withoutPrerequisites?: boolean;
  /** The load balancer Service routes to no Ready pod (its only pod is not ready). */
  entryPointUnserved?: boolean;
}

/** The CRDs by which the chain recognises cert-manager and Istio. */
export function supportingSoftware(): Record<string, unknown> {
  const crd = (name: string) => ({ metadata: { name } });
  return {
    "customresourcedefinitions.apiextensions.k8s.io//certificates.cert-manager.io": crd(
      "certificates.cert-manager.io",
    ),
    "customresourcedefinitions.apiextensions.k8s.io//issuers.cert-manager.io": crd("issuers.cert-manager.io"),
    "customresourcedefinitions.apiextensions.k8s.io//virtualservices.networking.istio.io": crd(
      "virtualservices.networking.istio.io",
    ),
  };
}

export function dashWorld(o: WorldOptions = {}): Record<string, any> {
  const ps = "plotly-system";
  const backups = o.backups ?? [
    { name: "dash-daily-20261119000000", phase: "Completed", completed: "2026-11-19T00:04:00Z" },
    { name: "dash-daily-20261120000000", phase: "Completed", completed: "2026-11-20T00:04:00Z" },
    { name: "dash-daily-20261120120000", phase: "PartiallyFailed", completed: "2026-11-20T12:04:00Z" },
  ];
  const objects: Record<string, unknown> = {
    "namespaces//kube-system": { metadata: { name: "kube-system", uid: UIDS.kubeSystem } },
    // The supporting software Plotly's restore.sh installs on the new cluster (not in the backup).
    ...(o.withoutPrerequisites ? {} : supportingSoftware()),
    // The endpoints controller's view of the load balancer Service: Ready pods behind it.
    "endpoints/plotly-system/ingress-nginx-controller": {
      ...meta("ingress-nginx-controller", ps),
      subsets: o.entryPointUnserved
        ? [{ notReadyAddresses: [{ ip: "10.244.1.7" }], ports: [{ port: 80 }] }]
        : [{ addresses: [{ ip: "10.244.1.7" }], ports: [{ port: 80 }] }],
    },
    "namespaces//cert-injection-webhook": { metadata: { name: "cert-injection-webhook" } },
    "deployments.apps/cert-injection-webhook/cert-injection-webhook": {
      ...meta("cert-injection-webhook", "cert-injection-webhook"),
      spec: { replicas: 0 },
    },
    "backupstoragelocations.velero.io/velero/default": {
      ...meta("default", "velero"),
      spec: { accessMode: "ReadOnly" },
      status: { phase: "Available" },
    },
    "services/plotly-system/ingress-nginx-controller": {
      ...meta("ingress-nginx-controller", ps),
      sequences: { ".status.loadBalancer.ingress": [[], [{ ip: "20.50.60.70" }]] },
    },
    "dashenterprises.dash.plotly.com/plotly-system/dash-enterprise": {
      ...meta("dash-enterprise", ps, { uid: UIDS.dashEnterprise }),
      sequences: {
        ".status.appstack": ["provisioning", "healthy"],
        ".status.buildstack": ["pending", "healthy"],
      },
    },
    "buildstacks.dash.plotly.com/plotly-system/de-buildstack": meta("de-buildstack", ps, {
      uid: UIDS.buildstack,
    }),
    "appstacks.dash.plotly.com/plotly-system/de-appstack": meta("de-appstack", ps, {
      uid: "aaaaaaaa-0000-4000-8000-000000000001",
    }),
    "giteas.dash.plotly.com/plotly-system/gitea-cluster": meta("gitea-cluster", ps),
    "harborclusters.goharbor.io/plotly-system/de": meta("de", ps, { uid: UIDS.harborCluster }),
    "harbors.goharbor.io/plotly-system/de-harbor": meta("de-harbor", ps),
    "clusters.redpanda.vectorized.io/plotly-system/redpanda": meta("redpanda", ps, { uid: UIDS.redpanda }),
    "statefulsets.apps/plotly-system/redpanda": meta("redpanda", ps),
    "builders.dash.plotly.com/plotly-system/dash-app-builder": meta("dash-app-builder", ps, {
      uid: "restored-builder",
    }),
    "deployments.apps/plotly-system/ingress-nginx-controller": meta("ingress-nginx-controller", ps),
    "deployments.apps/imageswap-system/imageswap": meta("imageswap", "imageswap-system"),
  };
  for (const b of backups) {
    objects[`backups.velero.io/velero/${b.name}`] = {
      ...meta(b.name, "velero", { labels: { "velero.io/schedule-name": "dash-daily" } }),
      status: {
        phase: b.phase,
        // Velero's status of a synced backup: started four minutes before it completed.
        startTimestamp: new Date(Date.parse(b.completed) - 240_000).toISOString().replace(".000Z", "Z"),
        completionTimestamp: b.completed,
        progress: { itemsBackedUp: 574, totalItems: 574 },
      },
    };
  }
  for (const c of ["core", "portal", "registry", "jobservice"]) {
    objects[`pods/plotly-system/de-harbor-${c}-0`] = meta(`de-harbor-${c}-0`, ps, {
      labels: { [`${c}.goharbor.io/name`]: `de-harbor-harbor-${c}` },
    });
  }
  // What the Dash operators and KOTS re-create after the cleanup step deletes them.
  const recreate = {
    "builders.dash.plotly.com/plotly-system/dash-app-builder": {
      ...meta("dash-app-builder", ps, { uid: "recreated-builder" }),
      sequences: {
        ".status.conditions": (o.builderReady ?? ["False", "True"]).map((s) => [
          { type: "Ready", status: s },
        ]),
      },
    },
    "appstacks.dash.plotly.com/plotly-system/de-appstack": meta("de-appstack", ps, {
      uid: "recreated-appstack",
    }),
    "deployments.apps/plotly-system/ingress-nginx-controller": meta("ingress-nginx-controller", ps, {
      uid: "recreated-ingress",
    }),
  };
  return {
    objects,
    recreate,
    onCreate: {
      "restores.velero.io": {
        sequences: { ".status.phase": o.restorePhases ?? ["InProgress", "InProgress", "Completed"] },
        status: {
          progress: { itemsRestored: 574, totalItems: 574 },
          startTimestamp: "2026-11-20T06:00:00Z",
          completionTimestamp: "2026-11-20T06:01:30Z",
          warnings: 3,
          errors: 0,
          ...(o.restoreStatus ?? {}),
        },
      },
    },
    plugins: o.kotsPlugin ? { kots: true } : {},
    tsigSecret: TSIG_SECRET,
    dns: {
      "dash.example.com": { type: "A", value: "10.9.8.7", ttl: 300 },
      "api-dash.example.com": { type: "CNAME", value: "dash.example.com", ttl: 300 },
    },
  };
}
