import * as path from "path";
import { dashEnterpriseApp } from "../apps/dash-enterprise";
import { dashEnterprise, DashOptions } from "../apps/dash-enterprise/profile";
import { configureApp } from "../components/apps/definition";
import { buildRestoreChain, Chain, ChainInput } from "../components/restore/chain";
import { runChain, StepEvent, StepResult } from "../components/restore/runner";
import { buildScheduleSpec } from "../components/velero/specs";
import {
  baseObjects,
  CRDS,
  EXPECTED_RESTORED,
  initialRecords,
  NEW_LB,
  OLD_LB,
  owner,
  ownedObjects,
  PS,
} from "./fixture";
import { LocalBind } from "./lib/bind";
import { DESTINATION_PORTS, LocalCluster, SOURCE_PORTS } from "./lib/kube";
import { BUCKET, LocalVelero, NAMESPACE } from "./lib/velero";
import { Minio } from "./lib/minio";
import { Processes, waitFor } from "./lib/procs";

export interface DrillOptions {
  bin: string;
  plugins: string;
  pluginVersion: string;
  pins?: Record<string, string>;
  workDir: string;
  log: (line: string) => void;
}

export interface Phase {
  name: string;
  seconds: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface DrillReport {
  ok: boolean;
  versions: Record<string, string>;
  backup: string;
  phases: Phase[];
  steps: { id: string; status: string; seconds: number }[];
  rtoSeconds: number;
  veleroRestoreSeconds: number;
  checks: Check[];
  failure?: string;
}

const BASE_DOMAIN = "dash.example.com";
const ZONE = "example.com";
const SCHEDULE = "dash-daily";

/** Dash Enterprise configured as the drill's destination stack would configure it. */
export function dashApp(over: Partial<DashOptions> = {}) {
  return configureApp(
    dashEnterpriseApp,
    dashEnterpriseApp.options.parse({ builderTimeoutMinutes: 15, ...over }),
  );
}

/** The world of one drill: its processes and services; scenarios below compose its phases. */
export class DrillWorld {
  readonly procs: Processes;
  readonly minio: Minio;
  readonly bind: LocalBind;
  readonly velero: LocalVelero;
  source?: LocalCluster;
  backupName = "";
  dest?: LocalCluster;
  sourceUid = "";
  /** EndpointSlices of the source (names are random per cluster: a restored one keeps its name). */
  sourceSlices: string[] = [];
  readonly phases: Phase[] = [];
  private lbTimer?: NodeJS.Timeout;

  constructor(readonly o: DrillOptions) {
    this.procs = new Processes(path.join(o.workDir, "logs"));
    this.minio = new Minio(o.bin, this.procs, path.join(o.workDir, "minio"));
    this.bind = new LocalBind(this.procs, path.join(o.workDir, "bind"), ZONE);
    this.velero = new LocalVelero(
      o.bin,
      o.plugins,
      this.procs,
      path.join(o.workDir, "velero"),
      o.pluginVersion,
    );
  }

  async phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = Date.now();
    this.o.log(`== ${name}`);
    const r = await fn();
    const seconds = (Date.now() - t0) / 1000;
    this.phases.push({ name, seconds });
    this.o.log(`   done in ${seconds.toFixed(1)} s`);
    return r;
  }

  /** MinIO with the bucket, and BIND serving the app's records as they were before the disaster. */
  async startServices(
    baseDomain = BASE_DOMAIN,
    recordPrefixes = dashEnterprise.restore.dnsRecordPrefixes,
  ): Promise<void> {
    await this.minio.start();
    await this.minio.createBucket(BUCKET);
    await this.bind.start(initialRecords(baseDomain, recordPrefixes));
  }

  async startSource(): Promise<void> {
    const c = new LocalCluster("source", SOURCE_PORTS, this.o.workDir, this.o.bin, this.procs);
    this.source = c;
    await c.start(3);
    this.sourceUid = c.kubectl(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]).stdout;
  }

  installFixture(): void {
    const c = this.source as LocalCluster;
    c.apply({ apiVersion: "v1", kind: "List", items: CRDS });
    c.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    c.apply({ apiVersion: "v1", kind: "List", items: baseObjects() });
    const uid = (res: string, name: string) =>
      c.kubectl(["-n", PS, "get", res, name, "-o", "jsonpath={.metadata.uid}"]).stdout;
    const uids = {
      dashEnterprise: uid("dashenterprises.dash.plotly.com", "dash-enterprise"),
      redpanda: uid("clusters.redpanda.vectorized.io", "redpanda"),
    };
    c.apply({ apiVersion: "v1", kind: "List", items: ownedObjects(uids) });
    const withBuild = { ...uids, buildstack: uid("buildstacks.dash.plotly.com", "de-buildstack") };
    c.apply({ apiVersion: "v1", kind: "List", items: ownedObjects(withBuild) });
    c.apply({
      apiVersion: "v1",
      kind: "List",
      items: ownedObjects({ ...withBuild, harborCluster: uid("harborclusters.goharbor.io", "de") }),
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

  /** Velero on the source; the Dash Schedule unless `schedules` (the project's, built for a profile) are given. */
  async startSourceVelero(
    schedules?: { name: string; spec: Record<string, unknown> }[],
    profile?: string,
  ): Promise<void> {
    const c = this.source as LocalCluster;
    this.velero.installCrds(c);
    this.velero.prepare(c, this.minio, "ReadWrite");
    await this.velero.start("velero-source", c, this.minio);
    if (schedules) {
      for (const s of schedules) {
        c.apply({
          apiVersion: "velero.io/v1",
          kind: "Schedule",
          metadata: {
            name: s.name,
            namespace: NAMESPACE,
            labels: { "app.kubernetes.io/managed-by": "velero-dr", "velero-dr/profile": profile ?? "" },
          },
          spec: s.spec,
        });
      }
      return;
    }
    // The project's own Schedule for the profile (what the source stack creates).
    const schedule = dashEnterprise.schedules[0];
    c.apply({
      apiVersion: "velero.io/v1",
      kind: "Schedule",
      metadata: {
        name: SCHEDULE,
        namespace: NAMESPACE,
        labels: { "app.kubernetes.io/managed-by": "velero-dr", "velero-dr/profile": dashEnterprise.name },
      },
      spec: buildScheduleSpec({
        schedule: {
          name: schedule.name,
          cron: schedule.cron,
          ttl: dashEnterprise.defaultTtl,
          paused: false,
          namespaces: dashEnterprise.namespaces,
          excludedResources: dashEnterprise.excludedResources,
        },
        storageLocation: "default",
        volumeSnapshotLocation: "default",
        snapshotVolumes: dashEnterprise.snapshotVolumes,
        defaultVolumesToFsBackup: false,
        profile: dashEnterprise.name,
      }),
    });
  }

  async backup(schedule = SCHEDULE): Promise<string> {
    const c = this.source as LocalCluster;
    const out = this.velero.cli(c, ["backup", "create", "--from-schedule", schedule, "--wait"]).stdout;
    const name = /Backup request "([^"]+)" submitted/.exec(out)?.[1];
    if (!name) throw new Error(`could not read the backup name from: ${out}`);
    const phase = c.kubectl([
      "-n",
      NAMESPACE,
      "get",
      "backups.velero.io",
      name,
      "-o",
      "jsonpath={.status.phase}",
    ]).stdout;
    if (phase !== "Completed") {
      throw new Error(
        `backup ${name} ended ${phase}: ${this.velero.cli(c, ["backup", "describe", name, "--details"], true).stdout}`,
      );
    }
    return name;
  }

  /** The source cluster is lost: its Velero and control plane stop. */
  async loseSource(): Promise<void> {
    const c = this.source as LocalCluster;
    this.sourceSlices = c
      .getJson(["get", "endpointslices", "-A"])
      .items.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`);
    await this.velero.stop("velero-source");
    await (this.source as LocalCluster).stop();
  }

  async startDestination(name = "destination"): Promise<void> {
    const c = new LocalCluster(name, DESTINATION_PORTS, this.o.workDir, this.o.bin, this.procs);
    this.dest = c;
    await c.start(3);
    this.velero.installCrds(c);
    // ReadOnly until the restore is done, as the destination stack installs it.
    this.velero.prepare(c, this.minio, "ReadOnly");
    await this.velero.start(`velero-${name}`, c, this.minio);
    this.startLoadBalancerStandIn();
  }

  async stopDestination(name = "destination"): Promise<void> {
    if (this.lbTimer) clearInterval(this.lbTimer);
    await this.velero.stop(`velero-${name}`);
    await this.dest?.stop();
  }

  /** What a cloud's load-balancer controller does: give LoadBalancer Services an address. */
  private startLoadBalancerStandIn(): void {
    const c = this.dest as LocalCluster;
    this.lbTimer = setInterval(() => {
      const r = c.kubectl(["get", "services", "-A", "-o", "json"], undefined, true);
      if (r.code !== 0) return;
      for (const s of JSON.parse(r.stdout).items) {
        if (s.spec.type !== "LoadBalancer" || s.status?.loadBalancer?.ingress?.length) continue;
        const patch = JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: NEW_LB }] } } });
        c.kubectl(
          [
            "-n",
            s.metadata.namespace,
            "patch",
            "service",
            s.metadata.name,
            "--subresource=status",
            "--type=merge",
            "-p",
            patch,
          ],
          undefined,
          true,
        );
      }
    }, 1000);
  }

  chainInput(over: Partial<ChainInput> = {}): ChainInput {
    return {
      app: dashApp(),
      veleroNamespace: NAMESPACE,
      bslName: "default",
      backup: { schedule: SCHEDULE },
      dns: {
        provider: "rfc2136",
        baseDomain: BASE_DOMAIN,
        zone: ZONE,
        ttlSeconds: 2,
        recordPrefixes: dashEnterprise.restore.dnsRecordPrefixes,
        server: "127.0.0.1",
        port: this.bind.port,
        keyName: this.bind.keyName,
        keyAlgorithm: this.bind.keyAlgorithm,
      },
      promoteToPrimary: true,
      allowPartiallyFailed: false,
      timeouts: {
        bslSeconds: 120,
        backupSyncSeconds: 120,
        restoreSeconds: 600,
        loadBalancerSeconds: 120,
        healthSeconds: 120,
      },
      ...over,
    };
  }

  /** Runs (or resumes) the chain on the destination with the runner the tests use too. */
  async runChain(
    chain: Chain,
    stateFile: string,
    stopAfter?: string,
  ): Promise<{ ok: boolean; results: StepResult[] }> {
    const c = this.dest as LocalCluster;
    return runChain(chain, {
      kubeconfig: c.kubeconfig,
      runtimeEnv: {
        SOURCE_API_SERVER: (this.source as LocalCluster).server,
        SOURCE_CLUSTER_UID: this.sourceUid,
      },
      secretEnv: { DNS_TSIG_SECRET: this.bind.secret },
      baseEnv: {
        PATH: `${this.o.bin}:/usr/local/bin:/usr/bin:/bin`,
        HOME: this.o.workDir,
        TMPDIR: this.o.workDir,
        VELERO_DR_POLL_SECONDS: "1",
      },
      stateFile,
      stopAfter,
      onStep: (e: StepEvent) => {
        if (e.status === "running") this.o.log(`   - ${e.id}: ${e.title}`);
        else if (e.status !== "skipped") this.o.log(`     ${e.status} in ${e.seconds?.toFixed(1)} s`);
        else this.o.log(`   - ${e.id}: already done (skipped)`);
        if (e.status === "failed" && e.output) this.o.log(e.output.trim().replace(/^/gm, "       | "));
      },
    });
  }

  /**
   * What an operator does at the KOTS gate: redeploy in the Admin Console. Without a real KOTS
   * here, the drill applies what a redeploy produces (the builder, appstack and ingress
   * controller again, and the Dash operator's status), then confirms the gate.
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
    c.apply({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "kpack.io/v1alpha2",
          kind: "Builder",
          metadata: { name: "dash-app-builder", namespace: PS, labels: { "redeployed-by": "kots" } },
          spec: { tag: "registry-dash.example.com/builder" },
          status: { conditions: [{ type: "Ready", status: "True" }] },
        },
        {
          apiVersion: "dash.plotly.com/v1alpha1",
          kind: "Appstack",
          metadata: {
            name: "de-appstack",
            namespace: PS,
            labels: { "redeployed-by": "kots" },
            ownerReferences: [de],
          },
          spec: { managed: true },
        },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: {
            name: "ingress-nginx-controller",
            namespace: PS,
            labels: { app: "ingress-nginx-controller", "redeployed-by": "kots" },
          },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "ingress-nginx-controller" } },
            template: {
              metadata: { labels: { app: "ingress-nginx-controller" } },
              spec: {
                containers: [{ name: "controller", image: "registry.example/ingress-nginx-controller:1.0" }],
              },
            },
          },
        },
      ],
    });
    c.kubectl([
      "-n",
      PS,
      "patch",
      "dashenterprises.dash.plotly.com",
      "dash-enterprise",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { appstack: "healthy", buildstack: "healthy" } }),
    ]);
  }

  /** The destination BSL's access mode (ReadOnly until the chain promotes it). */
  bslAccessMode(): string {
    return (this.dest as LocalCluster).kubectl([
      "-n",
      NAMESPACE,
      "get",
      "bsl",
      "default",
      "-o",
      "jsonpath={.spec.accessMode}",
    ]).stdout;
  }

  async stopAll(): Promise<void> {
    if (this.lbTimer) clearInterval(this.lbTimer);
    await this.procs.stopAll();
  }
}

/** The demo: back up, lose the source, restore, check. */
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const w = new DrillWorld(o);
  const report: DrillReport = {
    ok: false,
    versions: o.pins ?? { VELERO_PLUGIN_AWS_VERSION: o.pluginVersion },
    backup: "",
    phases: w.phases,
    steps: [],
    rtoSeconds: 0,
    veleroRestoreSeconds: 0,
    checks: [],
  };
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
      const confirmed = buildRestoreChain(w.chainInput({ app: dashApp({ kotsRedeployed: true }) }));
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

export function veleroRestoreSeconds(c: LocalCluster, backup: string): number {
  const r = c.getJson(["-n", NAMESPACE, "get", "restores.velero.io", restoreName(backup)]);
  return (Date.parse(r.status.completionTimestamp) - Date.parse(r.status.startTimestamp)) / 1000;
}

export function restoreName(backup: string): string {
  return `restore-${backup}`;
}

/** What must hold after a successful drill. */
export async function checkRestore(w: DrillWorld): Promise<Check[]> {
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
    "the backup holds no EndpointSlice or webhook configuration (excluded by the profile)",
    !kinds.some((k) => /EndpointSlice|WebhookConfiguration/.test(k)),
    kinds.join(", "),
  );
  const destSlices = new Set(
    c
      .getJson(["get", "endpointslices", "-A"])
      .items.map((s: any) => `${s.metadata.namespace}/${s.metadata.name}`),
  );
  const restoredSlices = w.sourceSlices.filter((s) => destSlices.has(s));
  add(
    "no source EndpointSlice was restored (the destination rebuilt its own)",
    restoredSlices.length === 0 && w.sourceSlices.length > 0,
    `${w.sourceSlices.length} on the source, ${restoredSlices.length} restored`,
  );
  const webhooks = ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"].filter(
    (r) => c.getJson(["get", r]).items.length > 0,
  );
  add("webhook configurations were not restored", webhooks.length === 0, webhooks.join(", "));
  const uid = (res: string, name: string) =>
    c.kubectl(["-n", PS, "get", res, name, "-o", "jsonpath={.metadata.uid}"]).stdout;
  const ownerUid = (res: string, name: string) =>
    c.kubectl(["-n", PS, "get", res, name, "-o", "jsonpath={.metadata.ownerReferences[0].uid}"]).stdout;
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
  const redeployed = [
    "builders.kpack.io/dash-app-builder",
    "appstacks.dash.plotly.com/de-appstack",
    "deployments.apps/ingress-nginx-controller",
  ].filter(
    (k) =>
      c.kubectl(
        ["-n", PS, "get", ...k.split("/"), "-o", "jsonpath={.metadata.labels.redeployed-by}"],
        undefined,
        true,
      ).stdout !== "kots",
  );
  add(
    "the restored builder, appstack and ingress controller were deleted (only the redeployed ones exist)",
    redeployed.length === 0,
    redeployed.join(", "),
  );
  const mode = w.bslAccessMode();
  add("the backup storage location ended ReadWrite", mode === "ReadWrite", mode);
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

function printSummary(o: DrillOptions, r: DrillReport): void {
  o.log("");
  o.log("== Result");
  for (const c of r.checks)
    o.log(`   ${c.ok ? "PASS" : "FAIL"}  ${c.name}${c.detail ? ` (${c.detail})` : ""}`);
  o.log("");
  o.log("   phase                                                             seconds");
  for (const p of r.phases) o.log(`   ${p.name.padEnd(64)} ${p.seconds.toFixed(1).padStart(7)}`);
  o.log("");
  o.log(`   RTO (disaster declared -> health green): ${r.rtoSeconds.toFixed(1)} s`);
  o.log(`   raw Velero restore time (Restore start -> completion): ${r.veleroRestoreSeconds.toFixed(1)} s`);
  o.log(`   ${r.ok ? "DRILL PASSED" : "DRILL FAILED"}`);
}
