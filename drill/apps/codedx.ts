import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { codedxApp, CodedxOptions } from "../../components/apps/codedx";
import { waitForExec, runningPods } from "../lib/exec";
import { LocalCluster } from "../lib/kube";
import { LocalMariaDB } from "../lib/mariadb";
import { Processes, waitFor } from "../lib/procs";
import { Check } from "../scenario";
import { AppDrill, AppDrillContext } from "./app-drill";
import { claim, configMap, deployment, list, namespace, secret, service, statefulSet } from "./objects";

/**
 * Code Dx in the drill: the MariaDB subordinate is a fake pod whose exec commands reach a real
 * local MariaDB; the vendor's hook (`/bitnami/mariadb/scripts/backup.sh && sleep 1m`) runs there as
 * written, with a stand-in backup.sh (codedx-scripts/: a dump instead of mariabackup). The source
 * stack's preparation leaves the MariaDB data claims out of the backup; the destination gets the
 * PriorityClasses first, then everything, and restart-db gives MariaDB new data claims.
 *
 * Not in the drill: codedx-restore-db. It needs mariabackup Jobs to run and MariaDB servers that
 * follow their pods and replicate, which KWOK's fake pods cannot give; the fake-CLI tests cover
 * it. The drill records the step as done by hand (skipDatabaseRestore) and checks instead that the
 * backup volume Velero brought back holds the hook's complete database backup, loadable as is.
 */
const SCRIPTS = path.join(__dirname, "codedx-scripts");
const DB = "codedx";
const SCHEMA_AND_DATA = `
CREATE DATABASE ${DB};
CREATE TABLE ${DB}.projects (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL);
CREATE TABLE ${DB}.findings (id INT PRIMARY KEY, project_id INT NOT NULL, severity VARCHAR(16) NOT NULL);
INSERT INTO ${DB}.projects VALUES (1, 'payments'), (2, 'portal');
INSERT INTO ${DB}.findings VALUES (1, 1, 'High'), (2, 1, 'Medium'), (3, 2, 'Low'), (4, 2, 'Critical');`;

export class CodedxDrill implements AppDrill {
  readonly app = "codedx";
  readonly options: CodedxOptions = codedxApp.options.parse({});
  readonly profile = codedxApp.configure(this.options);
  readonly baseDomain = "codedx.example.com";
  private source?: LocalMariaDB;
  private check?: LocalMariaDB;
  private procs?: Processes;

  constructor(private readonly ports = { source: 13316, check: 13317 }) {}

  get slavePod(): string {
    return `${this.options.releaseName}-mariadb-slave-0`;
  }

  async startServers(ctx: AppDrillContext): Promise<void> {
    this.procs = new Processes(path.join(ctx.workDir, "logs"));
    this.source = new LocalMariaDB(
      "mariadb-codedx-source",
      this.procs,
      path.join(ctx.workDir, "mariadb-codedx-source"),
      this.ports.source,
    );
    await this.source.start();
    this.source.sql(SCHEMA_AND_DATA);
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
    const db = (component: "master" | "slave") =>
      withPriority(
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
    return [
      ...[
        [`${r}-app-priority`, 10000],
        [`${r}-db-priority`, 20000],
      ].map(([name, value]) => ({
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

  /** The subordinate's commands: its volumes at their paths, the vendor's scripts, the local server. */
  private setExecs(c: LocalCluster, ctx: AppDrillContext): void {
    const ns = this.options.namespace;
    c.setClusterExec(
      "codedx-mariadb-slave",
      { namespaces: [ns], names: [this.slavePod] },
      {
        containers: ["mariadb"],
        workDir: ctx.workDir,
        env: { MARIADB_PORT: String(this.ports.source), PATH: "/usr/local/bin:/usr/bin:/bin" },
        mounts: {
          "/bitnami/mariadb": ctx.volumes.claimDir(c.name, ns, `data-${this.slavePod}`),
          "/bitnami/mariadb/backup": ctx.volumes.claimDir(c.name, ns, `backup-${this.slavePod}`),
          "/bitnami/mariadb/scripts": SCRIPTS,
        },
      },
    );
  }

  async installSource(c: LocalCluster, ctx: AppDrillContext): Promise<void> {
    c.apply(list(this.objects()));
    this.setExecs(c, ctx);
    await waitFor(
      `Code Dx pods Running in ${c.name}`,
      () => runningPods(c, this.options.namespace, "").length === 3,
      120000,
    );
    await waitForExec(c, this.options.namespace, this.slavePod, "mariadb");
  }

  async prepareDestination(): Promise<void> {}

  /** The newest complete database backup on a cluster's restored backup claim, as restore-db picks it. */
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

  async checks(c: LocalCluster, ctx: AppDrillContext): Promise<Check[]> {
    const checks: Check[] = [];
    const add = (name: string, ok: boolean, detail?: string) => checks.push({ name, ok, detail });
    const o = this.options;
    const ns = o.namespace;
    const priorities = c
      .getJson(["get", "pods", "-A"])
      .items.filter((p: any) => [ns, o.toolOrchestrationNamespace].includes(p.metadata.namespace))
      .filter((p: any) => p.spec.priorityClassName)
      .map((p: any) => `${p.metadata.name}:${p.spec.priorityClassName}:${p.spec.priority}`);
    add(
      "the PriorityClasses came first: Code Dx and MariaDB pods run with their priorities",
      priorities.length === 3 && priorities.every((p: string) => /:(10000|20000)$/.test(p)),
      priorities.join(", "),
    );
    const claims = c.getJson(["-n", ns, "get", "pvc"]).items;
    const dataClaims = claims.filter((p: any) => p.metadata.name.startsWith("data-"));
    add(
      "restart-db gave MariaDB new, empty data claims (they were left out of the backup)",
      dataClaims.length === 2 &&
        dataClaims.every(
          (p: any) =>
            p.status.phase === "Bound" &&
            !p.metadata.labels?.["velero.io/restore-name"] &&
            readdirSync(ctx.volumes.claimDir(c.name, ns, p.metadata.name)).every(
              (f) => f === "backup" || f === "scripts",
            ),
        ),
      dataClaims.map((p: any) => `${p.metadata.name} ${p.status.phase}`).join(", "),
    );
    const newest = this.newestBackup(c.name, ctx);
    let loaded = "";
    if (newest) {
      this.check = new LocalMariaDB(
        "mariadb-codedx-check",
        this.procs as Processes,
        path.join(ctx.workDir, "mariadb-codedx-check"),
        this.ports.check,
      );
      await this.check.start();
      this.check.sql(readFileSync(path.join(newest, "backup.sql"), "utf8"));
      const q =
        "SELECT p.name, f.id, f.severity FROM findings f JOIN projects p ON p.id = f.project_id ORDER BY f.id";
      const want = JSON.stringify((this.source as LocalMariaDB).query(q, DB));
      loaded = JSON.stringify(this.check.query(q, DB));
      add(
        "the restored backup volume holds the hook's complete database backup, with the source's data",
        want === loaded,
        `${path.basename(newest)}: ${loaded}`,
      );
    } else {
      add(
        "the restored backup volume holds the hook's complete database backup",
        false,
        "no *-Full with done",
      );
    }
    return checks;
  }

  async stopServers(): Promise<void> {
    await this.source?.stop();
    await this.check?.stop();
    await this.procs?.stopAll();
  }
}
