import { randomBytes } from "crypto";
import { existsSync, mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { nebariApp } from "..";
import { NebariOptions } from "../profile";
import { waitForExec, runningPods } from "../../../drill/lib/exec";
import { LocalCluster } from "../../../drill/lib/kube";
import { fileDigests } from "../../../drill/lib/volumes";
import { LocalPostgres } from "../../../drill/lib/postgres";
import { Processes, waitFor } from "../../../drill/lib/procs";
import { Check } from "../../../drill/scenario";
import { AppDrill, AppDrillBase, AppDrillContext } from "../../../drill/app-kit/app-drill";
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

/** Keycloak's StatefulSet as the keycloakx chart names it. */
const keycloakWorkload = (o: NebariOptions) => `${o.keycloakRelease}-keycloakx`;

/**
 * Nebari in the drill: Keycloak's and conda-store's PostgreSQL pods are fake pods whose exec
 * commands reach a real local PostgreSQL (one server per cluster, a database per component, the
 * tables the profile's count queries read); their data claims and the NFS server's /exports are
 * volume directories. The profile's hooks run pg_dump and write the NFS manifest for real; the
 * chain's pg_restore, count checks and NFS check run for real against the destination's server.
 */
const KEYCLOAK_DB = "bitnami_keycloak";
const CONDA_DB = "conda_store";

const KEYCLOAK_SCHEMA = `
CREATE TABLE realm (id text PRIMARY KEY, name text UNIQUE NOT NULL);
CREATE TABLE user_entity (id text PRIMARY KEY, realm_id text NOT NULL REFERENCES realm(id), username text NOT NULL);
CREATE TABLE keycloak_group (id text PRIMARY KEY, realm_id text NOT NULL REFERENCES realm(id), name text NOT NULL);
INSERT INTO realm VALUES ('r-master', 'master'), ('r-nebari', 'nebari');`;
const CONDA_SCHEMA = `
CREATE TABLE namespace (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE environment (id int PRIMARY KEY, namespace_id int NOT NULL REFERENCES namespace(id), name text NOT NULL);
CREATE TABLE build (id int PRIMARY KEY, environment_id int NOT NULL REFERENCES environment(id), status text NOT NULL);`;

/** The state at backup time. */
const USERS = ["alice", "bob", "carol", "dave"];
const GROUPS = ["admin", "analyst", "developer"];
const KEYCLOAK_DATA = `
INSERT INTO user_entity VALUES ('u-admin', 'r-master', 'admin');
${USERS.map((u) => `INSERT INTO user_entity VALUES ('u-${u}', 'r-nebari', '${u}');`).join("\n")}
${GROUPS.map((g) => `INSERT INTO keycloak_group VALUES ('g-${g}', 'r-nebari', '${g}');`).join("\n")}`;
const CONDA_DATA = `
INSERT INTO namespace VALUES (1, 'global'), (2, 'alice'), (3, 'analyst');
INSERT INTO environment VALUES (1, 1, 'dask'), (2, 2, 'pytorch'), (3, 3, 'reports'), (4, 2, 'scratch');
INSERT INTO build VALUES (1, 1, 'COMPLETED'), (2, 2, 'COMPLETED'), (3, 3, 'COMPLETED'), (4, 4, 'FAILED'), (5, 2, 'COMPLETED');`;
/** What the destination's databases hold before the chain restores the dumps: an older state. */
const STALE_KEYCLOAK = `INSERT INTO user_entity VALUES ('u-alice', 'r-nebari', 'alice');`;
const STALE_CONDA = `INSERT INTO namespace VALUES (1, 'global');`;

const USER_FILES: Record<string, number> = {
  "home/alice/analysis.ipynb": 48_000,
  "home/alice/data/sales.csv": 300_000,
  "home/bob/.bashrc": 220,
  "shared/analyst/README.md": 1_200,
};

export class NebariDrill extends AppDrillBase<NebariOptions> implements AppDrill {
  private readonly servers: Record<string, LocalPostgres> = {};
  private procs?: Processes;

  constructor(private readonly ports = { source: 15441, destination: 15442 }) {
    super(nebariApp, {}, "nebari.example.com");
  }

  private get ns(): string {
    return this.options.namespace;
  }

  private pgPod(release: string): string {
    return release === this.options.keycloakPostgresRelease ? `${release}-0` : `${release}-postgresql-0`;
  }

  /** Keycloak's users and groups on a server ("source" or "destination"). */
  keycloakState(server: "source" | "destination"): string[] {
    return this.servers[server]
      .query(
        "SELECT 'user ' || r.name || '/' || u.username FROM user_entity u JOIN realm r ON r.id = u.realm_id " +
          "UNION ALL SELECT 'group ' || name FROM keycloak_group ORDER BY 1",
        KEYCLOAK_DB,
      )
      .map((row) => row[0]);
  }

  /** SQL on the destinations' Keycloak database (for fault cases). */
  destinationSql(sql: string): void {
    this.servers.destination.sql(sql, KEYCLOAK_DB);
  }

  async startServers(ctx: AppDrillContext): Promise<void> {
    this.procs = new Processes(path.join(ctx.workDir, "logs"));
    for (const role of ["source", "destination"] as const) {
      const pg = new LocalPostgres(
        `postgres-nebari-${role}`,
        this.procs,
        path.join(ctx.workDir, `postgres-nebari-${role}`),
        this.ports[role],
      );
      await pg.start();
      this.servers[role] = pg;
      this.seed(role);
    }
  }

  /**
   * The databases as a cluster's Nebari holds them: the source's state at backup time, or on a
   * destination the older state its own install left (each new destination starts from it again:
   * the destinations share one server, and what an earlier one restored must not pass for what the
   * next one did).
   */
  private seed(role: "source" | "destination"): void {
    const pg = this.servers[role];
    for (const db of [KEYCLOAK_DB, CONDA_DB]) {
      pg.sql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      pg.sql(`CREATE DATABASE ${db}`);
    }
    pg.sql(KEYCLOAK_SCHEMA, KEYCLOAK_DB);
    pg.sql(CONDA_SCHEMA, CONDA_DB);
    pg.sql(role === "source" ? KEYCLOAK_DATA : STALE_KEYCLOAK, KEYCLOAK_DB);
    pg.sql(role === "source" ? CONDA_DATA : STALE_CONDA, CONDA_DB);
  }

  /** The server a cluster's PostgreSQL pods reach: the source's, or the destinations' (seeded afresh for each). */
  private server(c: LocalCluster): LocalPostgres {
    return c.name === "source" ? this.servers.source : this.servers.destination;
  }

  private objects() {
    const o = this.options;
    const ns = this.ns;
    const inst = (release: string) => ({ "app.kubernetes.io/instance": release });
    const pg = (release: string, name: string) =>
      statefulSet({
        namespace: ns,
        name,
        labels: inst(release),
        container: "postgresql",
        image: "docker.io/bitnami/postgresql:15.3.0",
        claims: { data: ["data", "/bitnami/postgresql"] },
      });
    return [
      namespace(ns),
      secret(ns, "keycloak-admin", { password: "fixture-only" }),
      configMap(ns, "conda-store-config", {
        "conda_store_config.py": "c.CondaStore.database_url = 'fixture'",
      }),
      // As current Nebari installs it: the codecentric keycloakx chart, StatefulSet <release>-keycloakx.
      statefulSet({
        namespace: ns,
        name: keycloakWorkload(o),
        labels: { ...inst(o.keycloakRelease), "app.kubernetes.io/name": "keycloakx" },
        container: "keycloak",
        image: "quay.io/keycloak/keycloak:21.1.2",
      }),
      service(
        ns,
        `${keycloakWorkload(o)}-http`,
        { ...inst(o.keycloakRelease), "app.kubernetes.io/name": "keycloakx" },
        "ClusterIP",
        inst(o.keycloakRelease),
      ),
      pg(o.keycloakPostgresRelease, o.keycloakPostgresRelease),
      service(
        ns,
        o.keycloakPostgresRelease,
        inst(o.keycloakPostgresRelease),
        "ClusterIP",
        inst(o.keycloakPostgresRelease),
      ),
      pg(o.condaStorePostgresRelease, `${o.condaStorePostgresRelease}-postgresql`),
      ...["server", "worker"].map((part) =>
        deployment({
          namespace: ns,
          name: `nebari-conda-store-${part}`,
          labels: { role: `nebari-conda-store-${part}` },
          container: `conda-store-${part}`,
          image: "quansight/conda-store-server:2024.1.1",
          replicas: part === "worker" ? 2 : 1,
        }),
      ),
      claim(ns, `${o.nfsServer}-storage`),
      deployment({
        namespace: ns,
        name: o.nfsServer,
        labels: { role: o.nfsServer },
        container: "nfs-server",
        image: "gcr.io/google_containers/volume-nfs:0.8",
        claims: { [o.nfsVolume]: [`${o.nfsServer}-storage`, "/exports"] },
      }),
      deployment({
        namespace: ns,
        name: "hub",
        labels: { app: "jupyterhub", component: "hub" },
        container: "hub",
        image: "quansight/nebari-jupyterhub:2024.1.1",
      }),
      deployment({
        namespace: ns,
        name: "nebari-traefik-ingress",
        labels: { "app.kubernetes.io/name": "traefik" },
        container: "traefik",
        image: "traefik:2.9.1",
      }),
      service(ns, "nebari-traefik-ingress", { "app.kubernetes.io/name": "traefik" }, "LoadBalancer"),
    ];
  }

  /** Exec for the PostgreSQL pods (their names are the StatefulSets') and the NFS server's pods. */
  private setExecs(c: LocalCluster, ctx: AppDrillContext, overrides: { condaPort?: number } = {}): void {
    const o = this.options;
    const pg = this.server(c);
    const env = (database: string, port: number) => ({
      POSTGRES_DATABASE: database,
      POSTGRES_USER: "postgres",
      POSTGRES_PASSWORD: "",
      PGPORT: String(port),
      PGCONNECT_TIMEOUT: "5",
      PATH: `${pg.bin}:/usr/local/bin:/usr/bin:/bin`,
    });
    for (const [key, release, database, port] of [
      ["keycloak", o.keycloakPostgresRelease, KEYCLOAK_DB, pg.port],
      ["conda-store", o.condaStorePostgresRelease, CONDA_DB, overrides.condaPort ?? pg.port],
    ] as const) {
      const pod = this.pgPod(release);
      c.setClusterExec(
        `nebari-${key}-postgresql`,
        { namespaces: [this.ns], names: [pod] },
        {
          containers: ["postgresql"],
          workDir: ctx.workDir,
          env: env(database, port),
          mounts: { "/bitnami/postgresql": ctx.volumes.claimDir(c.name, this.ns, `data-${pod}`) },
        },
      );
    }
    c.setClusterExec(
      "nebari-nfs-server",
      { namespaces: [this.ns] },
      {
        containers: ["nfs-server"],
        workDir: ctx.workDir,
        mounts: { "/exports": ctx.volumes.claimDir(c.name, this.ns, `${o.nfsServer}-storage`) },
      },
    );
  }

  /** Makes the conda-store dump fail (its pod reaches no server), or repairs it. */
  breakCondaStoreDump(c: LocalCluster, ctx: AppDrillContext, broken: boolean): void {
    this.setExecs(c, ctx, broken ? { condaPort: 1 } : {});
  }

  async installSource(c: LocalCluster, ctx: AppDrillContext): Promise<void> {
    const exportsDir = ctx.volumes.claimDir(c.name, this.ns, `${this.options.nfsServer}-storage`);
    for (const [file, size] of Object.entries(USER_FILES)) {
      mkdirSync(path.dirname(path.join(exportsDir, file)), { recursive: true });
      writeFileSync(path.join(exportsDir, file), randomBytes(size));
    }
    c.apply(list(this.objects()));
    this.setExecs(c, ctx);
    await this.waitForPods(c);
  }

  /** Waits until every pod of the fixture runs and exec works in the ones hooks and steps use. */
  private async waitForPods(c: LocalCluster): Promise<void> {
    const o = this.options;
    await waitFor(`Nebari pods Running in ${c.name}`, () => runningPods(c, this.ns, "").length >= 9, 120000);
    for (const release of [o.keycloakPostgresRelease, o.condaStorePostgresRelease]) {
      await waitForExec(c, this.ns, this.pgPod(release), "postgresql");
    }
    const nfs = runningPods(c, this.ns, `role=${o.nfsServer}`)[0];
    await waitForExec(c, this.ns, nfs, "nfs-server");
  }

  async prepareDestination(c: LocalCluster, ctx: AppDrillContext): Promise<void> {
    this.seed("destination");
    this.setExecs(c, ctx);
  }

  async checks(c: LocalCluster, ctx: AppDrillContext): Promise<Check[]> {
    const checks: Check[] = [];
    const add = (name: string, ok: boolean, detail?: string) => checks.push({ name, ok, detail });
    const src = this.servers.source;
    const dst = this.servers.destination;
    const same = (db: string, sql: string) => {
      const want = JSON.stringify(src.query(sql, db));
      const got = JSON.stringify(dst.query(sql, db));
      return { ok: want === got, detail: want === got ? got : `backup ${want}, restored ${got}` };
    };
    const users = same(
      KEYCLOAK_DB,
      "SELECT r.name, u.username FROM user_entity u JOIN realm r ON r.id = u.realm_id ORDER BY 1, 2",
    );
    add("Keycloak: the restored database has the backup's users", users.ok, users.detail);
    const groups = same(KEYCLOAK_DB, "SELECT name FROM keycloak_group ORDER BY 1");
    add("Keycloak: the restored database has the backup's groups", groups.ok, groups.detail);
    const envs = same(
      CONDA_DB,
      "SELECT n.name, e.name, b.id, b.status FROM build b JOIN environment e ON e.id = b.environment_id JOIN namespace n ON n.id = e.namespace_id ORDER BY 3",
    );
    add("conda-store: namespaces, environments and builds as in the backup", envs.ok, envs.detail);
    // The files on the volume the destination's NFS server actually mounts: its running pod, the
    // claim of its volume, the volume bound to that claim (the provisioner's directory). A claim
    // Velero did not bring back, or a volume without the backup's copy, leaves files missing.
    const { nfsServer, nfsVolume } = this.options;
    const want = fileDigests(ctx.volumes.claimDir("source", this.ns, `${nfsServer}-storage`));
    const seen: string[] = [];
    let got: Record<string, string> = {};
    const pod = runningPods(c, this.ns, `role=${nfsServer}`)[0];
    const claimName = pod
      ? c.getJson(["-n", this.ns, "get", "pod", pod]).spec.volumes?.find((v: any) => v.name === nfsVolume)
          ?.persistentVolumeClaim?.claimName
      : undefined;
    seen.push(pod ? `pod ${pod}` : `no running pod role=${nfsServer}`);
    if (claimName) {
      const pvc = c.kubectl(["-n", this.ns, "get", "pvc", claimName, "-o", "json"], undefined, true);
      const claimObj = pvc.code === 0 ? JSON.parse(pvc.stdout) : undefined;
      seen.push(`claim ${claimName} ${claimObj?.status?.phase ?? "not found"}`);
      const pvName = claimObj?.status?.phase === "Bound" ? claimObj.spec.volumeName : undefined;
      const dir = pvName ? c.getJson(["get", "pv", pvName]).spec.hostPath?.path : undefined;
      if (dir && existsSync(dir)) got = fileDigests(dir);
      seen.push(`volume ${pvName ?? "none"}`);
    } else if (pod) {
      seen.push(`no claim for volume ${nfsVolume}`);
    }
    const back = Object.keys(USER_FILES).filter((f) => got[f] !== undefined && got[f] === want[f]);
    add(
      "NFS: every user file is back on the /exports volume the destination's NFS server mounts, byte for byte",
      back.length === Object.keys(USER_FILES).length,
      `${seen.join(", ")}: ${back.length} of ${Object.keys(USER_FILES).length} user files (${Object.keys(got).length} files)`,
    );
    const o = this.options;
    // generation: the restored object starts at 1; scaled to 0 and back it is at least 3. A client
    // pg_restore ran under (not found, so never stopped) stays at 1.
    const replicas = (kind: string, name: string) =>
      c.kubectl([
        "-n",
        this.ns,
        "get",
        kind,
        name,
        "-o",
        "jsonpath={.spec.replicas}/{.metadata.annotations.velero-dr/replicas}/{.metadata.generation}",
      ]).stdout;
    const clients = [
      replicas("statefulset", keycloakWorkload(o)),
      replicas("deployment", "nebari-conda-store-server"),
      replicas("deployment", "nebari-conda-store-worker"),
    ];
    const stoppedAndBack = clients.map((r) => {
      const [n, note, generation] = r.split("/");
      return `${n}/${note}/${Number(generation) >= 3 ? "stopped" : `generation ${generation}`}`;
    });
    add(
      "the database clients (Keycloak's StatefulSet keycloak-keycloakx, conda-store's server and worker) were stopped for pg_restore and run again with their replicas (1, 1, 2)",
      JSON.stringify(stoppedAndBack) === JSON.stringify(["1//stopped", "1//stopped", "2//stopped"]),
      clients.join(", "),
    );
    return checks;
  }

  async stopServers(): Promise<void> {
    for (const pg of Object.values(this.servers)) await pg.stop();
    await this.procs?.stopAll();
  }
}
