import * as path from "path";
import { dashEnterpriseApp } from "..";
import { dashEnterprise, DashOptions } from "../profile";
import { buildRestoreChain, ChainInput } from "../../../components/restore/chain";
import { AppProfile } from "../../../components/model/profile";
import { buildScheduleSpec } from "../../../components/velero/specs";
import { LocalCluster } from "../../../drill/lib/kube";
import { waitFor } from "../../../drill/lib/procs";
import { backupContents } from "../../../drill/lib/velero";
import {
  Check,
  ConfigEdits,
  DrillOptions,
  DrillReport,
  newDrillReport,
  DrillTarget,
  DrillWorld,
  NEW_LB,
  OLD_LB,
  printSummary,
  restoreName,
  veleroRestoreSeconds,
} from "../../../drill/scenario";
import {
  baseObjects,
  claimObjects,
  CRDS,
  EXPECTED_RESTORED,
  owner,
  ownedObjects,
  PS,
  SUPPORTING_SOFTWARE_CRDS,
  withClaims,
} from "./fixture";

/**
 * Dash Enterprise's drill (`npm run drill`, apps/dash-enterprise/test/drill.e2e.ts): its fixture
 * on the source, the project's Schedule for the profile, the restore chain with its KOTS gate
 * (an operator's redeploy simulated), and what must hold afterwards.
 */

export const BASE_DOMAIN = "dash.example.com";
export const SCHEDULE = "dash-daily";

/** Dash Enterprise's settings (velero-dr:app) in the drill's destination stack file. */
const DASH_SETTINGS: Partial<DashOptions> = { builderTimeoutMinutes: 15 };

/** What the vendor's cleanup step deletes and a KOTS redeploy applies again (the release's manifests). */
const REDEPLOYED = [
  { resource: "builders.kpack.io", name: "dash-app-builder" },
  { resource: "appstacks.dash.plotly.com", name: "de-appstack" },
  { resource: "deployments.apps", name: "ingress-nginx-controller" },
];

/** The drill's world with Dash Enterprise: its domain, its fixture, its Schedule, its chain, its gate. */
export class DashWorld extends DrillWorld {
  /** MinIO with the bucket, and BIND serving Dash's records as they were before the disaster. */
  override async startServices(
    baseDomain = BASE_DOMAIN,
    recordPrefixes = dashEnterprise.restore.dnsRecordPrefixes,
  ): Promise<void> {
    await super.startServices(baseDomain, recordPrefixes);
  }

  /** A new cluster as the vendor's restore.sh leaves it: with the supporting software. */
  override async startDestinationCluster(name = "destination"): Promise<LocalCluster> {
    const c = await super.startDestinationCluster(name);
    c.apply({ apiVersion: "v1", kind: "List", items: SUPPORTING_SOFTWARE_CRDS });
    c.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    return c;
  }

  /**
   * The fixture on the source; with `claims`, its stateful parts mount claims (DASH_CLAIMS: the
   * drills of volume data, which run a provisioner and write the claims' data themselves).
   */
  installFixture(opts: { claims?: boolean } = {}): void {
    const c = this.source as LocalCluster;
    const mount = (items: Record<string, any>[]) => (opts.claims ? withClaims(items) : items);
    c.apply({ apiVersion: "v1", kind: "List", items: [...SUPPORTING_SOFTWARE_CRDS, ...CRDS] });
    c.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    const base = mount(baseObjects());
    // The claims right after their namespaces, before the workloads that mount them.
    const namespaces = base.filter((o) => o.kind === "Namespace");
    const rest = base.filter((o) => o.kind !== "Namespace");
    c.apply({
      apiVersion: "v1",
      kind: "List",
      items: [...namespaces, ...(opts.claims ? claimObjects() : []), ...rest],
    });
    const uid = (res: string, name: string) =>
      c.kubectl(["-n", PS, "get", res, name, "-o", "jsonpath={.metadata.uid}"]).stdout;
    const uids = {
      dashEnterprise: uid("dashenterprises.dash.plotly.com", "dash-enterprise"),
      redpanda: uid("clusters.redpanda.vectorized.io", "redpanda"),
    };
    c.apply({ apiVersion: "v1", kind: "List", items: mount(ownedObjects(uids)) });
    const withBuild = { ...uids, buildstack: uid("buildstacks.dash.plotly.com", "de-buildstack") };
    c.apply({ apiVersion: "v1", kind: "List", items: mount(ownedObjects(withBuild)) });
    c.apply({
      apiVersion: "v1",
      kind: "List",
      items: mount(ownedObjects({ ...withBuild, harborCluster: uid("harborclusters.goharbor.io", "de") })),
    });
    c.kubectl([
      "-n",
      PS,
      "patch",
      "service",
      "ingress-nginx-controller",
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: OLD_LB }] } } }),
    ]);
  }

  /** Velero on the source with the project's own Schedule for the profile (what the source stack creates). */
  override async startSourceVelero(): Promise<void> {
    await super.startSourceVelero([{ name: SCHEDULE, spec: dashScheduleSpec() }], dashEnterprise.name);
  }

  override async backup(schedule = SCHEDULE): Promise<string> {
    return super.backup(schedule);
  }

  /** What the drill restores: Dash Enterprise with the drill's settings, its Schedule and domain. */
  readonly target: DrillTarget = {
    definition: dashEnterpriseApp,
    app: DASH_SETTINGS,
    schedule: SCHEDULE,
    baseDomain: BASE_DOMAIN,
  };

  /** The chain input from the drill's destination stack config (with these config edits). */
  chainInput(edits: ConfigEdits = {}): ChainInput {
    return this.chainInputFor(this.target, edits);
  }

  /**
   * What an operator does at the KOTS gate: redeploy in the Admin Console. Without a real KOTS
   * here, the drill applies what a redeploy produces — the builder, appstack and ingress
   * controller again, as they are in the backup (the release's manifests), and the Dash
   * operator's status — then confirms the gate.
   */
  operatorRedeploys(): void {
    const c = this.dest as LocalCluster;
    const deUid = c.kubectl([
      "-n",
      PS,
      "get",
      "dashenterprises.dash.plotly.com",
      "dash-enterprise",
      "-o",
      "jsonpath={.metadata.uid}",
    ]).stdout;
    const de = owner("dash.plotly.com/v1alpha1", "DashEnterprise", "dash-enterprise", deUid);
    // A redeploy applies the app's release manifests again: the objects as they were backed up,
    // read from the backup itself, never from the drill's fixture, so that whatever labels the
    // installation used come back exactly (a Service selector and its pods must still match).
    const backedUp = backupContents(this.velero, c, this.backupName, this.o.workDir);
    const items = REDEPLOYED.map(({ resource, name }) => {
      const o = backedUp(resource, PS, name);
      const meta = o.metadata as Record<string, any>;
      const redeployed: Record<string, any> = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: {
          name: meta.name,
          namespace: meta.namespace,
          labels: { ...(meta.labels ?? {}), "redeployed-by": "kots" },
          ...(meta.annotations ? { annotations: meta.annotations } : {}),
          // The operator that owns it is the live one, with its new uid.
          ...(meta.ownerReferences ? { ownerReferences: [de] } : {}),
        },
        spec: o.spec,
      };
      // kpack's controller would report the new builder Ready; the drill runs no kpack.
      if (o.kind === "Builder") redeployed.status = { conditions: [{ type: "Ready", status: "True" }] };
      return redeployed;
    });
    c.apply({ apiVersion: "v1", kind: "List", items });
    this.setOperatorStatus({ appstack: "healthy", buildstack: "healthy" });
  }

  /** The Dash operator's status fields on the destination, as the operator reports them (none runs here). */
  setOperatorStatus(status: { appstack?: string; buildstack?: string }): void {
    (this.dest as LocalCluster).kubectl([
      "-n",
      PS,
      "patch",
      "dashenterprises.dash.plotly.com",
      "dash-enterprise",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ]);
  }
}

/**
 * The Schedule spec the source stack builds for a Dash profile (the project's own; a test may hand
 * it a mutated profile to show the drill's checks catch it).
 */
export function dashScheduleSpec(
  profile: AppProfile = dashEnterprise,
  /** Every pod volume copied file by file (the profile's default where the stack copies volumes). */
  defaultVolumesToFsBackup = false,
): Record<string, unknown> {
  const schedule = profile.schedules[0];
  return buildScheduleSpec({
    schedule: {
      name: schedule.name,
      cron: schedule.cron,
      ttl: profile.defaultTtl,
      paused: false,
      namespaces: profile.namespaces,
      excludedResources: profile.excludedResources,
    },
    // As a source stack on the s3compat backend builds it: no snapshot location to name.
    storageLocation: "default",
    snapshotVolumes: profile.snapshotVolumes,
    defaultVolumesToFsBackup,
    profile: profile.name,
  });
}

/** The demo: back up, lose the source, restore, check. */
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const w = new DashWorld(o);
  const report: DrillReport = newDrillReport(o, w);
  try {
    await w.phase("start MinIO and BIND on loopback", () => w.startServices());
    await w.phase("start the source cluster", () => w.startSource());
    await w.phase("install the Dash Enterprise fixture", () => w.installFixture());
    await w.phase("install Velero on the source, apply the project's Schedule", () => w.startSourceVelero());
    report.backup = await w.phase("back up from the schedule (velero backup create --from-schedule)", () =>
      w.backup(),
    );
    w.backupName = report.backup;
    const disaster = Date.now();
    o.log(`== DISASTER DECLARED: the source cluster is lost (backup ${report.backup} is all there is)`);
    await w.phase("lose the source cluster", () => w.loseSource());
    await w.phase("start the destination cluster and Velero (BSL ReadOnly)", () => w.startDestination());
    const stateFile = path.join(o.workDir, "chain-state.json");
    let result = await w.phase("run the restore chain", () =>
      w.runChain(buildRestoreChain(w.chainInput()), stateFile),
    );
    report.steps.push(...result.results.map((r) => ({ id: r.id, status: r.status, seconds: r.seconds })));
    const gate = result.results.find((r) => r.status === "failed");
    if (gate?.id === "dash-kots-redeploy") {
      o.log(
        "== GATE: KOTS redeploy. The operator redeploys in the Admin Console and sets velero-dr:app.kotsRedeployed=true",
      );
      await w.phase("operator redeploys Dash Enterprise (simulated KOTS redeploy)", () =>
        w.operatorRedeploys(),
      );
      const confirmed = buildRestoreChain(w.chainInput({ app: { kotsRedeployed: true } }));
      result = await w.phase("resume the restore chain", () => w.runChain(confirmed, stateFile));
      report.steps.push(
        ...result.results
          .filter((r) => r.status !== "skipped")
          .map((r) => ({ id: r.id, status: r.status, seconds: r.seconds })),
      );
    }
    report.rtoSeconds = (Date.now() - disaster) / 1000;
    if (!result.ok)
      throw new Error(`the restore chain failed at ${result.results.find((r) => r.status === "failed")?.id}`);
    report.veleroRestoreSeconds = veleroRestoreSeconds(w.dest as LocalCluster, report.backup);
    report.checks = await checkRestore(w);
    report.ok = report.checks.every((c) => c.ok);
    printSummary(o, report);
  } catch (e) {
    report.failure = (e as Error).message;
    o.log(`drill: FAILED: ${report.failure}`);
  } finally {
    await w.stopAll();
  }
  return report;
}

/** What must hold after a successful drill. */
export async function checkRestore(
  w: DashWorld,
  o: {
    promoted?: boolean;
    /**
     * Velero's identity could only read the bucket while restoring (an AWS destination's role):
     * Velero 1.10.3's upload of the restore's log was refused, so `velero restore logs` has nothing.
     */
    readOnlyStorage?: boolean;
  } = {},
): Promise<Check[]> {
  // Promoted (the drill's default) the location ends ReadWrite; a destination that is not (it read a
  // replica) keeps it ReadOnly.
  const promoted = o.promoted ?? true;
  const c = w.dest as LocalCluster;
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail?: string) => checks.push({ name, ok, detail });
  const exists = (key: string) => {
    const [res, ns, name] = key.split("/");
    return c.kubectlOk(["-n", ns, "get", res, name]);
  };
  const missing = EXPECTED_RESTORED.filter((k) => !exists(k));
  add(
    "every backed-up object is restored",
    missing.length === 0,
    missing.length ? `missing: ${missing.join(", ")}` : `${EXPECTED_RESTORED.length} objects`,
  );
  // What the backup holds, as Velero lists it (downloaded from the bucket by the destination's Velero).
  const contents = w.velero.cli(c, [
    "backup",
    "describe",
    w.backupName,
    "--details",
    "--colorized=false",
  ]).stdout;
  const kinds = [...contents.matchAll(/^\s{2}([\w.]+\/)?v1\w*\/(\w+):$/gm)].map((m) => m[2]);
  add(
    "the backup holds the app's kinds (Deployment, Secret, DashEnterprise, ...)",
    ["Deployment", "Secret", "DashEnterprise", "StatefulSet"].every((k) => kinds.includes(k)),
    kinds.join(", "),
  );
  add(
    "the backup holds no EndpointSlice (excluded by the profile; the namespaces have them)",
    !kinds.some((k) => /EndpointSlice/.test(k)),
    kinds.join(", "),
  );
  // Webhook configurations are cluster-scoped: Velero 1.10.3 takes none into a backup limited to
  // namespaces (its item collector skips cluster-scoped resources then, unless an item action adds
  // them), so the backup's contents cannot show their exclusion. The Backup Velero ran can: its
  // spec, as synced from the bucket to the destination.
  const spec = c.getJson(["-n", "velero", "get", "backups.velero.io", w.backupName]).spec ?? {};
  const excluded: string[] = spec.excludedResources ?? [];
  // What Plotly's guide excludes (its `velero backup create --exclude-resources`), not the profile's
  // list: a profile that lost an exclusion must fail here.
  const vendorExcluded = ["validatingwebhookconfiguration", "mutatingwebhookconfiguration", "endpointslices"];
  const missingExclusions = vendorExcluded.filter((r) => !excluded.includes(r));
  add(
    "the backup ran with the profile's exclusions (webhook configurations, EndpointSlices)",
    missingExclusions.length === 0,
    missingExclusions.length ? `not excluded: ${missingExclusions.join(", ")}` : excluded.join(", "),
  );
  const destSlices = new Set(
    c
      .getJson(["get", "endpointslices", "-A"])
      .items.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`),
  );
  const restoredSlices = w.sourceSlices.filter((s) => destSlices.has(s));
  // The destination's EndpointSlice controller deletes a slice its Service does not own (Velero
  // drops owner references), so a restored slice may be gone by now: Velero's own restore log
  // says whether it restored any.
  const restoreLog = w.velero.cli(c, ["restore", "logs", restoreName(w.backupName)], true).stdout;
  const sliceLines = restoreLog.split("\n").filter((l) => /Attempting to restore EndpointSlice:/.test(l));
  if (o.readOnlyStorage) {
    // No restore log in the bucket: the backup's own contents (no EndpointSlice, checked above)
    // and the destination's slices are what can be read. The log must indeed be absent.
    add(
      "no source EndpointSlice is in the destination (the restore log was refused by the read-only storage)",
      restoredSlices.length === 0 && w.sourceSlices.length > 0 && restoreLog === "" && kinds.length > 0,
      `${w.sourceSlices.length} on the source, ${restoredSlices.length} in the destination; restore log ${restoreLog === "" ? "absent" : "present"}`,
    );
  } else {
    add(
      "no source EndpointSlice was restored (the destination rebuilt its own)",
      restoredSlices.length === 0 &&
        sliceLines.length === 0 &&
        w.sourceSlices.length > 0 &&
        restoreLog !== "",
      `${w.sourceSlices.length} on the source, ${restoredSlices.length} still there, ${sliceLines.length} restored by Velero's log`,
    );
  }
  // A missing object reads as no uid (the check reports it rather than ending the drill).
  const uid = (res: string, name: string) =>
    c.kubectl(["-n", PS, "get", res, name, "-o", "jsonpath={.metadata.uid}"], undefined, true).stdout ||
    "(none)";
  const ownerUid = (res: string, name: string) =>
    c.kubectl(
      ["-n", PS, "get", res, name, "-o", "jsonpath={.metadata.ownerReferences[0].uid}"],
      undefined,
      true,
    ).stdout;
  const refs: [string, string, string, string][] = [
    ["buildstacks.dash.plotly.com", "de-buildstack", "dashenterprises.dash.plotly.com", "dash-enterprise"],
    ["giteas.dash.plotly.com", "gitea-cluster", "buildstacks.dash.plotly.com", "de-buildstack"],
    ["harborclusters.goharbor.io", "de", "buildstacks.dash.plotly.com", "de-buildstack"],
    ["harbors.goharbor.io", "de-harbor", "harborclusters.goharbor.io", "de"],
    ["statefulsets.apps", "redpanda", "clusters.redpanda.vectorized.io", "redpanda"],
  ];
  const wrong = refs.filter(([r, n, or, on]) => ownerUid(r, n) !== uid(or, on)).map(([r, n]) => `${r}/${n}`);
  add(
    "owner references point at the live owners' UIDs",
    wrong.length === 0,
    wrong.join(", ") || `${refs.length} objects`,
  );
  const finalizers = c.kubectl([
    "-n",
    PS,
    "get",
    "buildstacks.dash.plotly.com",
    "de-buildstack",
    "-o",
    "jsonpath={.metadata.finalizers}",
  ]).stdout;
  add("the Buildstack has its finalizer", finalizers.includes("csc.dash.plotly.com/finalizer"), finalizers);
  // Velero labels what it restores (velero.io/restore-name, kept by an apply over the object): the
  // redeploy's own objects exist only where the cleanup deleted the restored ones first.
  const redeployed = [
    "builders.kpack.io/dash-app-builder",
    "appstacks.dash.plotly.com/de-appstack",
    "deployments.apps/ingress-nginx-controller",
  ].filter((k) => {
    const r = c.kubectl(["-n", PS, "get", ...k.split("/"), "-o", "json"], undefined, true);
    const labels = r.code === 0 ? (JSON.parse(r.stdout).metadata.labels ?? {}) : {};
    return labels["redeployed-by"] !== "kots" || "velero.io/restore-name" in labels;
  });
  add(
    "the restored builder, appstack and ingress controller were deleted (only the redeployed ones exist)",
    redeployed.length === 0,
    redeployed.join(", "),
  );
  // The kube-controller-manager's endpoints controller decides this from the live pods' labels and
  // readiness: the restored Service must select the redeployed controller's Ready pods.
  const served = c.kubectl(
    [
      "-n",
      PS,
      "get",
      "endpoints",
      "ingress-nginx-controller",
      "-o",
      "jsonpath={.subsets[*].addresses[*].ip}",
    ],
    undefined,
    true,
  ).stdout;
  add(
    "the entry point is served: the load balancer Service has ready endpoints (the redeployed controller's pods)",
    served.trim().length > 0,
    served || "no ready endpoint",
  );
  const mode = w.bslAccessMode();
  if (promoted) add("the backup storage location ended ReadWrite", mode === "ReadWrite", mode);
  else add("the backup storage location stayed ReadOnly (not promoted)", mode === "ReadOnly", mode);
  const a = w.bind.query(BASE_DOMAIN, "A");
  const cname = w.bind.query(`api-${BASE_DOMAIN}`, "CNAME");
  add(`DNS: ${BASE_DOMAIN} answers the new load balancer address (BIND)`, a === NEW_LB, a);
  add(`DNS: api-${BASE_DOMAIN} is a CNAME to ${BASE_DOMAIN}`, cname === `${BASE_DOMAIN}.`, cname);
  const health = c.kubectl([
    "-n",
    PS,
    "get",
    "dashenterprise",
    "dash-enterprise",
    "-o",
    "jsonpath={.status.appstack}/{.status.buildstack}",
  ]).stdout;
  add("the health check passed (Appstack and Buildstack healthy)", health === "healthy/healthy", health);
  await waitFor("nothing", () => true, 1000);
  return checks;
}
