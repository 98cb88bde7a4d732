import { existsSync, mkdirSync, readdirSync, writeFileSync } from "fs";
import * as path from "path";
import { codedxApp } from "..";
import { CodedxOptions } from "../profile";
import { waitForExec, runningPods } from "../../../drill/lib/exec";
import { LocalCluster } from "../../../drill/lib/kube";
import { NAMESPACE } from "../../../drill/lib/velero";
import { Processes, waitFor } from "../../../drill/lib/procs";
import { Check } from "../../../drill/scenario";
import { AppDrill, AppDrillBase, AppDrillContext } from "../../../drill/app-kit/app-drill";
import { MariaDBPod, MariaDBPods, REPLICATION_PASSWORD, REPLICATION_USER, SERVER_GATE } from "./mariadb-pods";
import {
  claim,
  configMap,
  deployment,
  list,
  namespace,
  secret,
  service,
  statefulSet,
} from "../../../drill/app-kit/objects";

/**
 * Code Dx in the drill. Its MariaDB master and subordinate are real servers that follow their
 * fake pods (MariaDBPods: started on the pod's data claim, replicating like the Bitnami image);
 * the vendor's hook (`/bitnami/mariadb/scripts/backup.sh && sleep 1m`) runs in the subordinate as
 * written, with a stand-in backup.sh (mariadb-scripts/: a real mariabackup, the vendor's script is
 * not public). The source stack's preparation leaves the data claims out of the backup; the
 * destination gets the PriorityClasses first, then everything; restart-db gives MariaDB new
 * claims; restore-db copies the backup into them, runs its mariabackup Jobs (JobRunner runs their
 * commands) and restarts replication - all through the project's chain.
 */
const SCRIPTS = path.join(__dirname, "mariadb-scripts");
const DB = "codedx";
const SCHEMA_AND_DATA = `
CREATE DATABASE ${DB};
CREATE TABLE ${DB}.projects (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL);
CREATE TABLE ${DB}.findings (id INT PRIMARY KEY, project_id INT NOT NULL, severity VARCHAR(16) NOT NULL);
INSERT INTO ${DB}.projects VALUES (1, 'payments'), (2, 'portal');
INSERT INTO ${DB}.findings VALUES (1, 1, 'High'), (2, 1, 'Medium'), (3, 2, 'Low'), (4, 2, 'Critical');`;

/** The rows of a batch query's output, as LocalMariaDB.query splits them. */
const rows = (stdout: string): string[][] =>
  stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));

const FINDINGS_SQL =
  "SELECT p.name, f.id, f.severity FROM findings f JOIN projects p ON p.id = f.project_id ORDER BY f.id";

/** A Velero Restore and the items its log says it restored, in order. */
interface RestoredItems {
  name: string;
  started: number;
  completed: number;
  items: { kind: string; name: string }[];
}

export class CodedxDrill extends AppDrillBase<CodedxOptions> implements AppDrill {
  /** The findings when the backup was taken (read from the source master). */
  backedUp: string[][] = [];
  readonly servers = new Map<string, MariaDBPods>();
  private procs?: Processes;

  constructor() {
    // Served through its own LoadBalancer Service (the fixture's): the chain checks it has ready pods.
    super(codedxApp, { loadBalancerService: "codedx" }, "codedx.example.com");
  }

  /** Code Dx's PriorityClasses and their values (the chart's app and database classes). */
  private get priorityClassValues(): [string, number][] {
    const r = this.options.releaseName;
    return [
      [`${r}-app-priority`, 10000],
      [`${r}-db-priority`, 20000],
    ];
  }

  get priorityClasses(): string[] {
    return this.priorityClassValues.map(([name]) => name);
  }

  get slavePod(): string {
    return `${this.options.releaseName}-mariadb-slave-0`;
  }

  get masterPod(): string {
    return `${this.options.releaseName}-mariadb-master-0`;
  }

  private get dbPods(): MariaDBPod[] {
    return [
      { pod: this.masterPod, role: "master", port: 13321 },
      { pod: this.slavePod, role: "slave", port: 13322 },
    ];
  }

  async startServers(ctx: AppDrillContext): Promise<void> {
    this.procs = new Processes(path.join(ctx.workDir, "logs"));
  }

  private objects() {
    const o = this.options;
    const r = o.releaseName;
    const ns = o.namespace;
    const svc = o.toolOrchestrationNamespace;
    const withPriority = (obj: any, priorityClassName: string) => {
      obj.spec.template.spec.priorityClassName = priorityClassName;
      return obj;
    };
    const db = (component: "master" | "slave") => {
      const sts = withPriority(
        statefulSet({
          namespace: ns,
          name: `${r}-mariadb-${component}`,
          labels: { app: "mariadb", component, release: r },
          container: "mariadb",
          image: "codedx/codedx-mariadb:v1.31.0",
          claims:
            component === "slave"
              ? { data: ["data", "/bitnami/mariadb"], backup: ["backup", "/bitnami/mariadb/backup"] }
              : { data: ["data", "/bitnami/mariadb"] },
        }),
        `${r}-db-priority`,
      );
      // Ready only once its server answers (as the image's readiness probe has it).
      sts.spec.template.spec.readinessGates = [{ conditionType: SERVER_GATE }];
      // Placed like a database on its own pool: restore-db's Jobs must follow.
      sts.spec.template.spec.nodeSelector = { "kubernetes.io/os": "linux" };
      sts.spec.template.spec.tolerations = [
        { key: "dedicated", operator: "Equal", value: "database", effect: "NoSchedule" },
      ];
      return sts;
    };
    return [
      ...this.priorityClassValues.map(([name, value]) => ({
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name },
        value,
        globalDefault: false,
      })),
      namespace(ns),
      namespace(svc),
      secret(ns, `${r}-mariadb-pd`, { "mariadb-root-password": "fixture-only" }),
      configMap(ns, `${r}-props`, { "codedx.props": "swa.db.url = jdbc:mariadb://codedx-mariadb/codedx" }),
      db("master"),
      db("slave"),
      claim(ns, `${r}-appdata`),
      withPriority(
        deployment({
          namespace: ns,
          name: r,
          labels: { app: "codedx", release: r },
          container: "codedx",
          image: "codedx/codedx-tomcat:v2024.1.0",
          claims: { "codedx-appdata": [`${r}-appdata`, "/opt/codedx"] },
        }),
        `${r}-app-priority`,
      ),
      service(ns, r, { app: "codedx", release: r }, "LoadBalancer"),
      deployment({
        namespace: svc,
        name: o.toolOrchestrationReleaseName,
        labels: { app: "tool-orchestration" },
        container: "tool-service",
        image: "codedx/codedx-tool-service:v2024.1.0",
      }),
      claim(svc, `${o.toolOrchestrationReleaseName}-minio`),
      deployment({
        namespace: svc,
        name: `${o.toolOrchestrationReleaseName}-minio`,
        labels: { app: "minio" },
        container: "minio",
        image: "docker.io/bitnami/minio:2021.4.6",
        claims: { data: [`${o.toolOrchestrationReleaseName}-minio`, "/data"] },
      }),
    ];
  }

  /** The database pods' commands: their volumes at their paths, the vendor's scripts, their server. */
  private setExecs(c: LocalCluster, ctx: AppDrillContext): void {
    const ns = this.options.namespace;
    for (const p of this.dbPods) {
      const mounts: Record<string, string> = {
        "/bitnami/mariadb": ctx.volumes.claimDir(c.name, ns, `data-${p.pod}`),
      };
      if (p.role === "slave") {
        mounts["/bitnami/mariadb/backup"] = ctx.volumes.claimDir(c.name, ns, `backup-${p.pod}`);
        mounts["/bitnami/mariadb/scripts"] = SCRIPTS;
      }
      c.setClusterExec(
        `codedx-mariadb-${p.role}`,
        { namespaces: [ns], names: [p.pod] },
        {
          containers: ["mariadb"],
          workDir: ctx.workDir,
          // The image's client configuration: its clients find its server.
          env: {
            HOME: this.clientHome(c, ctx, p),
            PATH: "/usr/local/bin:/usr/bin:/bin",
            // What the chart gives the Bitnami image of a subordinate (its replication settings).
            ...(p.role === "slave"
              ? {
                  MARIADB_MASTER_HOST: "127.0.0.1",
                  MARIADB_MASTER_PORT_NUMBER: String(this.dbPods[0].port),
                  MARIADB_REPLICATION_USER: REPLICATION_USER,
                  MARIADB_REPLICATION_PASSWORD: REPLICATION_PASSWORD,
                }
              : {}),
          },
          mounts,
        },
      );
    }
  }

  /** A home directory whose .my.cnf points the pod's MariaDB clients at the pod's server. */
  private clientHome(c: LocalCluster, ctx: AppDrillContext, p: MariaDBPod): string {
    const home = path.join(ctx.workDir, "mariadb-clients", c.name, p.pod);
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, ".my.cnf"), `[client]\nsocket=${MariaDBPods.socketOf(p.port)}\n`);
    return home;
  }

  private followPods(c: LocalCluster, ctx: AppDrillContext): MariaDBPods {
    const pods = new MariaDBPods(
      c,
      ctx.volumes,
      this.procs as Processes,
      this.options.namespace,
      this.dbPods,
    );
    pods.start();
    this.servers.set(c.name, pods);
    return pods;
  }

  async installSource(c: LocalCluster, ctx: AppDrillContext): Promise<void> {
    c.apply(list(this.objects()));
    this.setExecs(c, ctx);
    const servers = this.followPods(c, ctx);
    await waitFor(
      `Code Dx pods Running and Ready in ${c.name}`,
      () =>
        c
          .getJson(["-n", this.options.namespace, "get", "statefulsets"])
          .items.every((s: any) => s.status.readyReplicas === 1) &&
        runningPods(c, this.options.namespace, "").length === 3,
      180000,
    );
    const master = servers.server(this.masterPod)!;
    master.sql(SCHEMA_AND_DATA);
    const slave = servers.server(this.slavePod)!;
    await waitFor(
      "the subordinate to replicate the data",
      () => slave.sql(FINDINGS_SQL, DB, true).stdout.split("\n").filter(Boolean).length === 4,
      60000,
      300,
    );
    this.backedUp = master.query(FINDINGS_SQL, DB);
    await waitForExec(c, this.options.namespace, this.slavePod, "mariadb");
  }

  async clusterStopping(c: LocalCluster): Promise<void> {
    await this.servers.get(c.name)?.stop();
    this.servers.delete(c.name);
  }

  async beforeJob(c: LocalCluster, pod: any): Promise<void> {
    for (const v of pod.spec.volumes ?? []) {
      if (v.persistentVolumeClaim)
        await this.servers.get(c.name)?.claimFree(v.persistentVolumeClaim.claimName);
    }
  }

  async prepareDestination(c: LocalCluster, ctx: AppDrillContext): Promise<void> {
    this.setExecs(c, ctx);
    this.followPods(c, ctx);
  }

  /** The newest complete database backup on a cluster's backup claim, as restore-db picks it. */
  newestBackup(cluster: string, ctx: AppDrillContext): string | undefined {
    const dir = path.join(
      ctx.volumes.claimDir(cluster, this.options.namespace, `backup-${this.slavePod}`),
      "data",
    );
    if (!existsSync(dir)) return undefined;
    return readdirSync(dir)
      .filter((d) => /-Full$/.test(d) && existsSync(path.join(dir, d, "done")))
      .sort()
      .map((d) => path.join(dir, d))
      .pop();
  }

  /**
   * Velero's own record of the order: each Restore of the destination (in the order they started)
   * with the items its log says it restored ("Attempting to restore <Kind>: <name>"), in that order.
   * Velero 1.10.3 restores a pod's PriorityClass just before the pod within one Restore, so the
   * pods alone cannot tell whether the vendor's first restore (PriorityClasses only) was made.
   */
  private restoredItems(c: LocalCluster, ctx: AppDrillContext): RestoredItems[] {
    return c
      .getJson(["-n", NAMESPACE, "get", "restores.velero.io"])
      .items.sort(
        (a: any, b: any) => Date.parse(a.status.startTimestamp) - Date.parse(b.status.startTimestamp),
      )
      .map((r: any) => ({
        name: r.metadata.name as string,
        started: Date.parse(r.status.startTimestamp),
        completed: Date.parse(r.status.completionTimestamp),
        items: [
          ...ctx
            .veleroCli(c, ["restore", "logs", r.metadata.name])
            .matchAll(/msg="Attempting to restore ([A-Za-z]+): ([^"]+)"/g),
        ].map((m) => ({ kind: m[1], name: m[2] })),
      }));
  }

  async checks(c: LocalCluster, ctx: AppDrillContext): Promise<Check[]> {
    const checks: Check[] = [];
    const add = (name: string, ok: boolean, detail?: string) => checks.push({ name, ok, detail });
    const o = this.options;
    const ns = o.namespace;
    // The vendor's step 1: `velero restore create --include-resources=PriorityClass` and wait for
    // it to finish, then restore the rest. The first Restore that restored each of Code Dx's
    // PriorityClasses must have restored nothing else and ended before any workload was restored.
    const restores = this.restoredItems(c, ctx);
    const workloads = ["Pod", "ReplicaSet", "Deployment", "StatefulSet"];
    const firstWorkloads = restores.find((r) => r.items.some((i) => workloads.includes(i.kind)));
    const classes = this.priorityClasses.map((name) => {
      const by = restores.find((r) => r.items.some((i) => i.kind === "PriorityClass" && i.name === name));
      const others = by?.items.filter((i) => i.kind !== "PriorityClass").length ?? 0;
      const first =
        by !== undefined &&
        by !== firstWorkloads &&
        others === 0 &&
        by.completed <= (firstWorkloads?.started ?? 0);
      return {
        first,
        detail: by
          ? `${name} restored by ${by.name} (${others} other items)`
          : `${name} restored by no Restore`,
      };
    });
    const priorities = c
      .getJson(["get", "pods", "-A"])
      .items.filter((p: any) => [ns, o.toolOrchestrationNamespace].includes(p.metadata.namespace))
      .filter((p: any) => p.spec.priorityClassName)
      .map((p: any) => `${p.metadata.name}:${p.spec.priorityClassName}:${p.spec.priority}`);
    add(
      "the PriorityClasses came first: restored by a Restore of their own that ended before any workload was restored (Velero's restore logs), and Code Dx and MariaDB pods run with their priorities",
      firstWorkloads !== undefined &&
        classes.every((x) => x.first) &&
        priorities.length === 3 &&
        priorities.every((p: string) => /:(10000|20000)$/.test(p)),
      `${classes.map((x) => x.detail).join(", ")}; workloads first restored by ${firstWorkloads?.name ?? "no Restore"}; pods ${priorities.join(", ")}`,
    );
    const dataClaims = c
      .getJson(["-n", ns, "get", "pvc"])
      .items.filter((p: any) => p.metadata.name.startsWith("data-"));
    add(
      "MariaDB's data claims are new ones (left out of the backup, created again by restart-db)",
      dataClaims.length === 2 &&
        dataClaims.every(
          (p: any) => p.status.phase === "Bound" && !p.metadata.labels?.["velero.io/restore-name"],
        ),
      dataClaims
        .map((p: any) => {
          const by = p.metadata.labels?.["velero.io/restore-name"];
          return `${p.metadata.name} ${p.status.phase}${by ? `, restored by ${by}` : ", new"}`;
        })
        .join("; ") || "no data claim",
    );
    // The vendor's note: once the restore is complete, apply the backup configuration again — the
    // promoted destination's own backups must leave the new data claims (and volumes) out too.
    const volumes = c.getJson(["get", "pv"]).items;
    const excluded = dataClaims.map((p: any) => {
      const pv = volumes.find((v: any) => v.metadata.name === p.spec.volumeName);
      return `${p.metadata.name}:${p.metadata.labels?.["velero.io/exclude-from-backup"]}/${pv?.metadata.labels?.["velero.io/exclude-from-backup"]}`;
    });
    add(
      "the promoted destination leaves MariaDB's new data claims and their volumes out of its backups again",
      dataClaims.length === 2 && excluded.every((e: string) => e.endsWith(":true/true")),
      excluded.join(", "),
    );
    const servers = this.servers.get(c.name) as MariaDBPods;
    const want = JSON.stringify(this.backedUp);
    for (const pod of [this.masterPod, this.slavePod]) {
      // A server without the database (never restored) is reported, not thrown.
      const r = servers.server(pod)?.sql(FINDINGS_SQL, DB, true);
      const got = r?.code === 0 ? JSON.stringify(rows(r.stdout)) : (r?.stderr.trim() ?? "no server");
      add(`${pod} holds the database as the backup's hook took it`, got === want, got);
    }
    const master = servers.server(this.masterPod);
    const slave = servers.server(this.slavePod);
    master?.sql(`INSERT INTO ${DB}.findings VALUES (5, 2, 'High')`, undefined, true);
    let replicated = false;
    await waitFor(
      "a new finding on the subordinate",
      () =>
        (replicated =
          rows(slave?.sql(`SELECT count(*) FROM ${DB}.findings`, undefined, true).stdout ?? "")[0]?.[0] ===
          "5"),
      30000,
      300,
    ).catch(() => undefined);
    add("replication runs again: a row written on the master reaches the subordinate", replicated);
    return checks;
  }

  async stopServers(): Promise<void> {
    for (const s of this.servers.values()) await s.stop();
    await this.procs?.stopAll();
  }
}
