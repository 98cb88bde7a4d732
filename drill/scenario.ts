import * as path from "path";
import { ConfiguredApp } from "../components/apps/definition";
import { Chain, ChainInput } from "../components/restore/chain";
import { runChain, StepEvent, StepResult } from "../components/restore/runner";
import { LocalBind } from "./lib/bind";
import { DESTINATION_PORTS, LocalCluster, SOURCE_PORTS } from "./lib/kube";
import { BUCKET, LocalVelero, NAMESPACE } from "./lib/velero";
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
}

export interface Phase {
  name: string;
  seconds: number;
}

import { Check } from "./app-kit/check";

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
  failure?: string;
}

const ZONE = "example.com";
/** The source's load balancer address (the app's DNS records before the disaster) and the destination's. */
export const OLD_LB = "203.0.113.10";
export const NEW_LB = "203.0.113.20";

/** The DNS records of the source, before the disaster (seed 001 names). */
export function initialRecords(base: string, prefixes: string[]) {
  return [
    { name: base, type: "A", value: OLD_LB },
    ...prefixes.map((p) => ({ name: `${p}-${base}`, type: "CNAME", value: `${base}.` })),
  ];
}

/** What a drill restores: the app as the destination stack configures it, from which schedule, under which name. */
export interface DrillTarget {
  app: ConfiguredApp;
  schedule: string;
  baseDomain: string;
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
  async startServices(baseDomain: string, recordPrefixes: string[]): Promise<void> {
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

  /** Velero on the source, with these Schedules (the project's, built for the profile). */
  async startSourceVelero(
    schedules: { name: string; spec: Record<string, unknown> }[],
    profile: string,
  ): Promise<void> {
    const c = this.source as LocalCluster;
    this.velero.installCrds(c);
    this.velero.prepare(c, this.minio, "ReadWrite");
    await this.velero.start("velero-source", c, this.minio);
    for (const s of schedules) {
      c.apply({
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

  /** The destination stack's chain input for the drill: RFC 2136 DNS on the local BIND, short timeouts. */
  chainInputFor(target: DrillTarget, over: Partial<ChainInput> = {}): ChainInput {
    return {
      app: target.app,
      veleroNamespace: NAMESPACE,
      bslName: "default",
      backup: { schedule: target.schedule },
      dns: {
        provider: "rfc2136",
        baseDomain: target.baseDomain,
        zone: ZONE,
        ttlSeconds: 2,
        recordPrefixes: target.app.profile.restore.dnsRecordPrefixes,
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
  o.log(`   raw Velero restore time (Restore start -> completion): ${r.veleroRestoreSeconds.toFixed(1)} s`);
  o.log(`   ${r.ok ? "DRILL PASSED" : "DRILL FAILED"}`);
}
