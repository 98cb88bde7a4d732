import { mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { stringify as toYaml } from "yaml";
import { AnyApp, configureApp } from "../components/apps/definition";
import { readStackFile } from "../components/config/stack-file";
import { CONFIG_NAMESPACE, DestinationStackConfig, validateConfig } from "../components/config/validate";
import { secretConfigKeyOf } from "../components/dns/providers";
import { Chain, ChainInput } from "../components/restore/chain";
import { destinationChainInput } from "../components/restore/destination-chain";
import { runChain, StepEvent, StepResult } from "../components/restore/runner";
import { DEFAULT_VERSIONS } from "../components/velero/versions";
import { LocalBind } from "./lib/bind";
import { DESTINATION_PORTS, LocalCluster, SOURCE_PORTS } from "./lib/kube";
import { BUCKET, drillBslConfig, drillStore, LocalVelero, NAMESPACE } from "./lib/velero";
import { Minio } from "./lib/minio";
import { Processes } from "./lib/procs";

/**
 * What every drill shares, whatever the app: its options and report, the local services and
 * clusters (DrillWorld), the chain run on the destination. An app's scenario composes them (the
 * reference app's is apps/dash-enterprise/drill/scenario.ts, `npm run drill`; any app's,
 * app-scenario.ts).
 */

export interface DrillOptions {
  bin: string;
  plugins: string;
  pluginVersion: string;
  pins?: Record<string, string>;
  workDir: string;
  log: (line: string) => void;
  /** The region the drill's MinIO signs with (default `minio`; an `aws` backend drill: an AWS region). */
  storeRegion?: string;
}

export interface Phase {
  name: string;
  seconds: number;
}

import { Check } from "./app-kit/check";
import type { AppEngineResult } from "./engine-app-drill";
import type { Throughput } from "./lib/fs-backup";
import type { ReplicaLag } from "./lib/replication";

export type { Check };

export interface DrillReport {
  ok: boolean;
  versions: Record<string, string>;
  backup: string;
  phases: Phase[];
  steps: { id: string; status: string; seconds: number }[];
  rtoSeconds: number;
  veleroRestoreSeconds: number;
  checks: Check[];
  /** The recovery under the real Pulumi engine (`npm run drill`; absent with `--runner`). */
  engine?: EngineReport;
  /** More apps recovered by the real engine in the same drill. */
  apps?: AppEngineResult[];
  failure?: string;
  /**
   * A region-loss drill: the source region's object store was lost with the source cluster, and
   * the destination recovered from the replica in the recovery region.
   */
  regionLoss?: boolean;
  /** The store's own replication to the recovery region, as the drill watched it. */
  replication?: ReplicationReport;
  /** Velero's file-system backup through its node agents, as the drill measured it. */
  fsBackup?: FsBackupReport;
  /** The destination stack's own recovery report, where a driver (`npm run dr`) ran the recovery. */
  recovery?: {
    ok: boolean;
    /** First chain step -> health green. */
    rtoSeconds?: number;
    /** First `pulumi up` -> health green. */
    rtoWithSetupSeconds?: number;
    rpoSeconds?: number;
    backup?: string;
    reportFile?: string;
  };
}

/** A bucket replicated by its store to another region's, as a region-loss drill saw it. */
export interface ReplicationReport {
  primary: string;
  replica: string;
  bucket: string;
  /** The remote target's ARN the store's admin API returned. */
  arn: string;
  /** Before the disaster, every object version of the primary was in the replica, identical. */
  identical: boolean;
  versions: number;
  /** How long the newest backup took to reach the replica (its metadata object written -> seen there), s. */
  observedDelaySeconds: number;
  /** At the disaster: the newest backup in the primary vs in the replica (the RPO replication added). */
  atDisaster: ReplicaLag;
}

/** Velero's file-system backup (its node agents, for real) as a drill measured it. */
export interface FsBackupReport {
  uploader: string;
  /** The volumes copied file by file (`<namespace>/<claim>`). */
  volumes: string[];
  /**
   * The backup whose PodVolumeBackups are measured: the first, which uploads every byte (a later
   * one uploads only what changed).
   */
  backup: string;
  /** The node agents' PodVolumeBackups of that backup: their bytes over their window. */
  backupThroughput: Throughput;
  /** A raw copy (`cp -a` + `sync`) of the same data on the same disk, in the same run. */
  rawCopy: Throughput;
  /** fs-backup bytes/s over raw copy bytes/s. */
  ratio: number;
  /** The PodVolumeRestores of the recovery (the store they read: `restoredFrom`). */
  restoreThroughput?: Throughput;
  restoredFrom?: string;
  /** Every restored volume byte-identical to what the source's pods had at the restored backup. */
  identical?: boolean;
}

/** What the real engine did in a drill, and what it cost compared with the drill's own step runner. */
export interface EngineReport {
  /** The Pulumi CLI's version. */
  cli: string;
  /** `pulumi up` of the source stack: Velero, Schedules, app preparation, location check, first backup. */
  sourceUp: { ok: boolean; seconds: number };
  /** The destination's `pulumi up` runs (to the gate, then after it), in all. */
  destinationUp: { ok: boolean; seconds: number; runs: number };
  /** The destination stopped at the app's gate and a second `pulumi up` finished after the operator's flag. */
  resumedAfterGate: boolean;
  /** `pulumi preview --policy-pack policies` of the source and destination stacks: no mandatory violation. */
  policyPackPassed: boolean;
  /** The mandatory policies by which the real analyzer refused the deliberately broken destination. */
  brokenStackRefusedBy: string[];
  /** `pulumi preview` of the destination stack (with the policy pack), seconds. */
  destinationPreviewSeconds: number;
  /** Destination cluster up -> health green, by `pulumi up` (the operator's own time at the gate excluded). */
  engineRtoSeconds: number;
  /** The same on a second destination cluster, Velero installed by the drill and the chain run by the runner. */
  runnerRtoSeconds: number;
  /** engineRtoSeconds / runnerRtoSeconds: what recovering through the engine costs. */
  overheadRatio: number;
}

/** An empty report of a drill in `w`, its phases recorded as they run. */
export function newDrillReport(o: DrillOptions, w: DrillWorld): DrillReport {
  return {
    ok: false,
    versions: o.pins ?? { VELERO_PLUGIN_AWS_VERSION: o.pluginVersion },
    backup: "",
    phases: w.phases,
    steps: [],
    rtoSeconds: 0,
    veleroRestoreSeconds: 0,
    checks: [],
  };
}

const ZONE = "example.com";
/**
 * The TTL of the app's records, as the drill's stack config states it (`dns.ttlSeconds`) and its
 * BIND zone serves them: the unpublish step waits one TTL, so a short one keeps the drill short.
 */
const DNS_TTL_SECONDS = 2;
/** The source's load balancer address (the app's DNS records before the disaster) and the destination's. */
export const OLD_LB = "203.0.113.10";
export const NEW_LB = "203.0.113.20";

/**
 * The DNS records of the source, before the disaster (as Plotly's Dash Enterprise AKS installation
 * guide names them).
 */
export function initialRecords(base: string, prefixes: string[]) {
  return [
    { name: base, type: "A", value: OLD_LB },
    ...prefixes.map((p) => ({ name: `${p}-${base}`, type: "CNAME", value: `${base}.` })),
  ];
}

/**
 * What a drill restores: the app (its definition, and its `velero-dr:app` settings as the
 * destination's stack file holds them), from which schedule, under which name.
 */
export interface DrillTarget {
  definition: AnyApp;
  app: Record<string, unknown>;
  schedule: string;
  baseDomain: string;
}

/** Changes to the drill's destination config (keys under `velero-dr:`; `app` is merged into the app's settings). */
export type ConfigEdits = Record<string, unknown> & { app?: Record<string, unknown> };

/** A stack file the drill wrote: `Pulumi.<stack>.yaml` and, beside it, its secrets (mode 600). */
export interface DrillStackFile {
  stack: string;
  dir: string;
  file: string;
  secretsFile: string;
}

/**
 * The world of one drill: its processes and services, whatever the app; a scenario (an app's own,
 * or app-scenario.ts for any app) composes its phases.
 */
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
  /**
   * How the source backs volumes up, as its outputs say it (`velero.uploaderType`, `fsBackup`,
   * `snapshotVolumes`): by default nothing copied file by file.
   */
  sourceVolumeOutputs: Record<string, unknown> = {};
  private lbTimer?: NodeJS.Timeout;
  /** The secret config values of the destination stack last written (its steps' secrets come from them). */
  private stackSecrets: Record<string, unknown> = {};

  constructor(readonly o: DrillOptions) {
    this.procs = new Processes(path.join(o.workDir, "logs"));
    this.minio = new Minio(o.bin, this.procs, path.join(o.workDir, "minio"), 9000, "minio", o.storeRegion);
    this.bind = new LocalBind(this.procs, path.join(o.workDir, "bind"), ZONE);
    this.velero = new LocalVelero(o.bin, o.plugins, this.procs, path.join(o.workDir, "velero"));
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
  async startServices(baseDomain: string, recordPrefixes: string[]): Promise<void> {
    await this.minio.start();
    await this.minio.createBucket(BUCKET);
    await this.bind.start(initialRecords(baseDomain, recordPrefixes), DNS_TTL_SECONDS);
  }

  /** The backup location's config on MinIO, as the s3compat backend builds it. */
  bslConfig(): Record<string, string> {
    return drillBslConfig(this.minio, this.o.pluginVersion);
  }

  async startSource(): Promise<void> {
    const c = new LocalCluster("source", SOURCE_PORTS, this.o.workDir, this.o.bin, this.procs);
    this.source = c;
    await c.start(3);
    this.sourceUid = c.kubectl(["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]).stdout;
  }

  /** Velero on the source, with these Schedules (the project's, built for the profile). */
  async startSourceVelero(
    schedules: { name: string; spec: Record<string, unknown> }[],
    profile: string,
  ): Promise<void> {
    const c = this.source as LocalCluster;
    this.velero.installCrds(c);
    this.velero.prepare(c, this.bslConfig(), "ReadWrite");
    await this.velero.start("velero-source", c, this.minio);
    for (const s of schedules) this.applySchedule(s, profile);
  }

  /** One Velero Schedule on the source, labelled as the source stack labels its Schedules. */
  applySchedule(s: { name: string; spec: Record<string, unknown> }, profile: string): void {
    (this.source as LocalCluster).apply({
      apiVersion: "velero.io/v1",
      kind: "Schedule",
      metadata: {
        name: s.name,
        namespace: NAMESPACE,
        labels: { "app.kubernetes.io/managed-by": "velero-dr", "velero-dr/profile": profile },
      },
      spec: s.spec,
    });
  }

  async backup(schedule: string): Promise<string> {
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
    await this.startDestinationCluster(name);
    await this.startDestinationVelero(name);
  }

  /** Velero on the destination cluster by the drill's own means (no stack): what the runner's chain needs. */
  async startDestinationVelero(name = "destination"): Promise<void> {
    const c = this.dest as LocalCluster;
    this.velero.installCrds(c);
    // ReadOnly until the restore is done, as the destination stack installs it.
    this.velero.prepare(c, this.bslConfig(), "ReadOnly");
    await this.velero.start(`velero-${name}`, c, this.minio);
  }

  /**
   * The new cluster alone, with the load-balancer stand-in: what a destination stack finds before
   * it installs Velero itself (under the real engine).
   */
  async startDestinationCluster(name = "destination"): Promise<LocalCluster> {
    const c = new LocalCluster(name, DESTINATION_PORTS, this.o.workDir, this.o.bin, this.procs);
    this.dest = c;
    await c.start(3);
    this.startLoadBalancerStandIn();
    return c;
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

  /**
   * The source stack's outputs as a destination reads them (`source.outputs` typed in, as after a
   * disaster that took the source's state): the source cluster, the Velero the drill runs, the store.
   */
  sourceOutputs(target: DrillTarget): Record<string, unknown> {
    const source = this.source as LocalCluster;
    const store = drillStore(this.minio, this.o.pluginVersion);
    return {
      cloud: "s3compat",
      profile: target.definition.name,
      velero: {
        namespace: NAMESPACE,
        version: this.o.pins?.VELERO_VERSION ?? DEFAULT_VERSIONS.velero,
        // No Helm chart in the drill (Velero runs out of cluster); the version the stacks install.
        chartVersion: DEFAULT_VERSIONS.chart,
        pluginVersion: this.o.pluginVersion,
        bslName: "default",
        uploaderType: "",
        ...this.sourceVolumeOutputs,
      },
      schedules: [target.schedule],
      cluster: { apiServer: source.server, uid: this.sourceUid },
      s3compat: { ...store, publicUrl: "" },
      storage: { bucket: BUCKET, prefix: "" },
    };
  }

  /**
   * The drill's destination stack config: the values a user puts in `Pulumi.<stack>.yaml` to
   * restore into the destination cluster — cloud s3compat on the drill's MinIO (the source's
   * outputs typed in), the destination cluster by its kubeconfig, RFC 2136 DNS on the drill's BIND
   * where the app's vendor moves DNS in its restore (no `dns` elsewhere, as its document), the app
   * and its settings — and the secret ones (`pulumi config set --secret`).
   */
  destinationConfig(
    target: DrillTarget,
    edits: ConfigEdits = {},
  ): { values: Record<string, unknown>; secrets: Record<string, unknown> } {
    const dest = this.dest as LocalCluster;
    if (!dest) throw new Error("the drill's destination stack needs a destination cluster: start it first");
    const { app, restore, ...rest } = edits;
    const settings = { ...target.app, ...(app ?? {}) };
    const def = target.definition;
    const movesDns = configureApp(def, def.options.parse(settings)).profile.restore.dnsCutOver;
    const values: Record<string, unknown> = {
      role: "destination",
      cloud: "s3compat",
      profile: target.definition.name,
      app: settings,
      source: { outputs: this.sourceOutputs(target) },
      backup: { schedule: target.schedule },
      velero: { namespace: NAMESPACE },
      // Upper bounds: a drill that stalls fails in minutes rather than the production defaults' hours.
      restore: {
        promoteToPrimary: true,
        allowPartiallyFailed: false,
        restoreTimeoutMinutes: 10,
        backupSyncTimeoutMinutes: 2,
        healthTimeoutMinutes: 2,
        ...((restore as object | undefined) ?? {}),
      },
      ...(movesDns ? { dns: this.dnsConfig(target.baseDomain) } : {}),
      ...rest,
    };
    const secrets = {
      kubeconfig: dest.kubeconfig,
      // The store's key pair is a setting of the s3compat backend only (an edit may choose another).
      ...(values.cloud === "s3compat"
        ? {
            s3compatCredentials: { accessKeyId: this.minio.accessKey, secretAccessKey: this.minio.secretKey },
          }
        : {}),
      ...(movesDns || rest.dns ? { dnsTsigSecret: this.bind.secret } : {}),
    };
    return { values, secrets };
  }

  /** `velero-dr:dns` for the drill's BIND: RFC 2136 updates of `baseDomain` (the secret: dnsTsigSecret). */
  dnsConfig(baseDomain: string): Record<string, unknown> {
    return {
      provider: "rfc2136",
      baseDomain,
      zone: ZONE,
      ttlSeconds: DNS_TTL_SECONDS,
      rfc2136: {
        server: "127.0.0.1",
        port: this.bind.port,
        keyName: this.bind.keyName,
        keyAlgorithm: this.bind.keyAlgorithm,
      },
    };
  }

  /**
   * Writes the destination config as a stack file in the work dir, `stacks/Pulumi.drill-<cluster>.yaml`
   * (what a real `pulumi up` of the destination is handed), the secrets beside it in a mode-600
   * JSON file: a stack file holds them encrypted, which needs the stack's secrets provider.
   */
  writeDestinationStack(target: DrillTarget, edits: ConfigEdits = {}): DrillStackFile {
    const { values, secrets } = this.destinationConfig(target, edits);
    const stack = `drill-${(this.dest as LocalCluster).name}`;
    const dir = path.join(this.o.workDir, "stacks");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const secretsFile = path.join(dir, `Pulumi.${stack}.secrets.json`);
    const header = [
      `# The drill's destination stack (${target.definition.name}): restore from the drill's MinIO into`,
      `# its ${(this.dest as LocalCluster).name} cluster. Its secrets are in ${path.basename(secretsFile)}; for`,
      "# a real `pulumi up`, set each with `pulumi config set --secret velero-dr:<key>`:",
      ...Object.keys(secrets).map((k) => `#   ${CONFIG_NAMESPACE}:${k}`),
    ];
    const config = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v]),
    );
    writeFileSync(file, `${header.join("\n")}\n${toYaml({ config })}`);
    writeFileSync(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    return { stack, dir, file, secretsFile };
  }

  /**
   * The restore chain's input, by the product's own path: the destination stack file written,
   * read back as Pulumi hands config to the program, validated (`validateConfig`, with the drilled
   * app's definition as the app registry) and turned into the chain input (`destinationChainInput`)
   * as the destination stack and the runbook do.
   */
  chainInputFor(target: DrillTarget, edits: ConfigEdits = {}): ChainInput {
    return destinationChainInput(this.destinationStackConfig(target, edits));
  }

  /** The drill's destination stack file written, read back and validated as the program does. */
  destinationStackConfig(target: DrillTarget, edits: ConfigEdits = {}): DestinationStackConfig {
    const f = this.writeDestinationStack(target, edits);
    const input = readStackFile(f.stack, f.dir);
    const secrets = JSON.parse(readFileSync(f.secretsFile, "utf8")) as Record<string, unknown>;
    const cfg = validateConfig(
      {
        ...input,
        values: { ...input.values, ...secrets },
        secretKeys: [...input.secretKeys, ...Object.keys(secrets)],
      },
      { [target.definition.name]: target.definition },
    );
    if (cfg.role !== "destination") throw new Error(`${f.file} is not a destination stack`);
    this.stackSecrets = secrets;
    return cfg;
  }

  /** Runs (or resumes) the chain on the destination with the runner the tests use too. */
  async runChain(
    chain: Chain,
    stateFile: string,
    stopAfter?: string,
  ): Promise<{ ok: boolean; results: StepResult[] }> {
    const c = this.dest as LocalCluster;
    // What the stack passes its step Commands: each secret a step reads, from its config key.
    const secretEnv: Record<string, string> = {};
    for (const env of new Set(chain.steps.flatMap((st) => st.script.secretEnv ?? []))) {
      const key = secretConfigKeyOf(env);
      const value = key === undefined ? undefined : this.stackSecrets[key];
      if (typeof value !== "string") throw new Error(`no secret config value for the steps' ${env}`);
      secretEnv[env] = value;
    }
    return runChain(chain, {
      kubeconfig: c.kubeconfig,
      secretEnv,
      baseEnv: {
        PATH: `${this.o.bin}:/usr/local/bin:/usr/bin:/bin`,
        HOME: this.o.workDir,
        TMPDIR: this.o.workDir,
        VELERO_DR_POLL_SECONDS: "1",
      },
      stateFile,
      stopAfter,
      onSpawn: (id, child) => this.procs.adopt(`step-${id}`, child),
      onStep: (e: StepEvent) => {
        if (e.status === "running") this.o.log(`   - ${e.id}: ${e.title}`);
        else if (e.status !== "skipped") this.o.log(`     ${e.status} in ${e.seconds?.toFixed(1)} s`);
        else this.o.log(`   - ${e.id}: already done (skipped)`);
        if (e.status === "failed" && e.output) this.o.log(e.output.trim().replace(/^/gm, "       | "));
      },
    });
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

export function veleroRestoreSeconds(c: LocalCluster, backup: string): number {
  const r = c.getJson(["-n", NAMESPACE, "get", "restores.velero.io", restoreName(backup)]);
  return (Date.parse(r.status.completionTimestamp) - Date.parse(r.status.startTimestamp)) / 1000;
}

export function restoreName(backup: string): string {
  return `restore-${backup}`;
}

export function printSummary(o: DrillOptions, r: DrillReport): void {
  o.log("");
  o.log("== Result");
  for (const c of r.checks)
    o.log(`   ${c.ok ? "PASS" : "FAIL"}  ${c.name}${c.detail ? ` (${c.detail})` : ""}`);
  o.log("");
  o.log("   phase                                                             seconds");
  for (const p of r.phases) o.log(`   ${p.name.padEnd(64)} ${p.seconds.toFixed(1).padStart(7)}`);
  o.log("");
  o.log(`   RTO (disaster declared -> health green): ${r.rtoSeconds.toFixed(1)} s`);
  if (r.regionLoss && r.replication) {
    const x = r.replication;
    o.log(
      `   region loss: the source region's store ${x.primary} lost; recovered from the replica ${x.replica} (${x.arn})`,
    );
    o.log(
      `   replication: ${x.identical ? "identical" : "NOT identical"} before the disaster (${x.versions} versions); newest backup reached the replica in ${x.observedDelaySeconds.toFixed(1)} s`,
    );
    o.log(
      `   replica lag at the disaster (RPO added by replication): ${x.atDisaster.lagSeconds === null ? "no backup in the replica" : `${x.atDisaster.lagSeconds.toFixed(1)} s`}; newest in the primary ${x.atDisaster.newestInPrimary?.name ?? "-"}, in the replica ${x.atDisaster.newestInReplica?.name ?? "-"}${x.atDisaster.missingInReplica.length ? `; missing: ${x.atDisaster.missingInReplica.join(", ")}` : ""}`,
    );
  }
  if (r.fsBackup) {
    const x = r.fsBackup;
    const mib = (t: Throughput) => `${(t.bytesPerSecond / (1 << 20)).toFixed(1)} MiB/s`;
    o.log(
      `   fs-backup (${x.uploader}, node agents, ${x.volumes.length} volumes): ${x.backupThroughput.bytes} bytes in ${x.backupThroughput.seconds} s = ${mib(x.backupThroughput)}; raw copy of the same data on the same disk ${x.rawCopy.seconds.toFixed(2)} s = ${mib(x.rawCopy)} (fs-backup / raw copy ${x.ratio.toFixed(3)})`,
    );
    if (x.restoreThroughput) {
      o.log(
        `   fs-restore from ${x.restoredFrom ?? "?"}: ${x.restoreThroughput.bytes} bytes in ${x.restoreThroughput.seconds} s = ${mib(x.restoreThroughput)}; restored volumes ${x.identical ? "byte-identical" : "NOT identical"}`,
      );
    }
  }
  if (r.recovery) {
    const f = (s?: number) => (s === undefined ? "not measured" : `${s.toFixed(1)} s`);
    o.log(
      `   recovery report: RTO ${f(r.recovery.rtoSeconds)} (first step), ${f(r.recovery.rtoWithSetupSeconds)} (first pulumi up); RPO ${f(r.recovery.rpoSeconds)}`,
    );
  }
  if (r.engine) {
    const e = r.engine;
    o.log(
      `   engine: Pulumi CLI ${e.cli}; source up ${e.sourceUp.seconds.toFixed(1)} s; destination up x${e.destinationUp.runs} ${e.destinationUp.seconds.toFixed(1)} s`,
    );
    o.log(
      `   engine: policy pack ${e.policyPackPassed ? "passed" : "FAILED"}; broken destination refused by ${e.brokenStackRefusedBy.join(", ") || "NOTHING"}`,
    );
    o.log(
      `   engine: destination preview ${e.destinationPreviewSeconds.toFixed(1)} s; recovery ${e.engineRtoSeconds.toFixed(1)} s vs runner ${e.runnerRtoSeconds.toFixed(1)} s (x${e.overheadRatio.toFixed(2)})`,
    );
  }
  o.log(`   raw Velero restore time (Restore start -> completion): ${r.veleroRestoreSeconds.toFixed(1)} s`);
  o.log(`   ${r.ok ? "DRILL PASSED" : "DRILL FAILED"}`);
}
