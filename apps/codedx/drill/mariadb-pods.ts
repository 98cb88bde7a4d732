import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { LocalCluster } from "../../../drill/lib/kube";
import { LocalMariaDB } from "./mariadb";
import { Processes, waitFor } from "../../../drill/lib/procs";
import { PodVolumes } from "../../../drill/lib/volumes";

/** The readiness gate of the MariaDB pods: set once their server answers. */
export const SERVER_GATE = "drill.velero-dr/server";
export const REPLICATION_USER = "repl";
// A quote and a backslash: the restore's SQL must escape what the container's settings hold.
export const REPLICATION_PASSWORD = "fixture-o'nly\\";
const sqlString = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

export interface MariaDBPod {
  pod: string;
  role: "master" | "slave";
  /** The same on every cluster, as a Service name is: a restored replica finds "its" master. */
  port: number;
}

/**
 * Code Dx's MariaDB master and subordinate as the drill runs them: a real mariadbd follows each
 * StatefulSet pod - started (on the pod's data claim, /bitnami/mariadb/data) when the pod runs,
 * stopped when it goes. Like the Bitnami image it stands in for, a first boot on an empty claim
 * initialises the server and sets up replication (the subordinate from the master); a boot on
 * existing data (a restored claim) starts the server as it is. The pod turns Ready only then.
 * A server follows one pod (its uid), as a kubelet's container does: a pod deleted and created
 * again under the same name (a StatefulSet scaled down and up) gets a server started anew, even
 * when the old pod went and the new one came between two looks.
 */
export class MariaDBPods {
  private readonly servers = new Map<string, LocalMariaDB>();
  /** The uid of the pod each running server serves. */
  private readonly servedPods = new Map<string, string>();
  private readonly busy = new Set<string>();
  private timer?: NodeJS.Timeout;
  private readonly work = new Set<Promise<void>>();
  /** What happened, in order ("<cluster>/<pod> first boot", "... stopped"). */
  readonly events: string[] = [];

  constructor(
    private readonly c: LocalCluster,
    private readonly volumes: PodVolumes,
    private readonly procs: Processes,
    private readonly namespace: string,
    private readonly pods: MariaDBPod[],
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), 300);
  }

  server(pod: string): LocalMariaDB | undefined {
    return this.servers.get(pod);
  }

  claimDir(pod: string): string {
    return this.volumes.claimDir(this.c.name, this.namespace, `data-${pod}`);
  }

  /** The socket a pod's clients use (short: a socket path has at most 107 bytes). */
  static socketOf(port: number): string {
    return path.join(os.tmpdir(), `vdr-mariadb-${port}`, "sock");
  }

  /** Starts and stops are not awaited here: a subordinate's first boot waits for its master. */
  private tick(): void {
    for (const p of this.pods) {
      if (this.busy.has(p.pod)) continue;
      const uid = this.podUp(p.pod);
      const running = this.servers.has(p.pod);
      // A running server whose pod was replaced stops first; the next look starts it for the new pod.
      const up = uid !== undefined && (!running || this.servedPods.get(p.pod) === uid);
      if (up === running) continue;
      this.busy.add(p.pod);
      const work = (up ? this.startServer(p, uid as string) : this.stopServer(p))
        .catch((e) => {
          this.events.push(`${this.c.name}/${p.pod} ${up ? "start" : "stop"} failed: ${e.message}`);
        })
        .finally(() => {
          this.busy.delete(p.pod);
          this.work.delete(work);
        });
      this.work.add(work);
    }
  }

  /** The pod's uid when it is Running, not being deleted, its data claim bound; else undefined. */
  private podUp(pod: string): string | undefined {
    const r = this.c.kubectl(["-n", this.namespace, "get", "pod", pod, "-o", "json"], undefined, true);
    if (r.code !== 0) return undefined;
    const p = JSON.parse(r.stdout);
    if (p.status?.phase !== "Running" || p.metadata.deletionTimestamp) return undefined;
    const claim = this.c.kubectl(
      ["-n", this.namespace, "get", "pvc", `data-${pod}`, "-o", "jsonpath={.status.phase}"],
      undefined,
      true,
    );
    return claim.stdout === "Bound" ? (p.metadata.uid as string) : undefined;
  }

  private async startServer(p: MariaDBPod, uid: string): Promise<void> {
    const runDir = path.dirname(MariaDBPods.socketOf(p.port));
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    const db = new LocalMariaDB(`mariadb-${this.c.name}-${p.pod}`, this.procs, this.claimDir(p.pod), p.port, {
      runDir,
      args: [
        `--server-id=${p.role === "master" ? 1 : 2}`,
        "--log-bin=mysql-bin",
        "--relay-log=mysql-relay-bin",
        "--binlog-format=ROW",
      ],
    });
    await db.start();
    try {
      if (db.firstBoot) await this.firstBoot(p, db);
    } catch (e) {
      await db.stop();
      throw e;
    }
    this.events.push(`${this.c.name}/${p.pod} ${db.firstBoot ? "first boot" : "started on existing data"}`);
    this.servers.set(p.pod, db);
    this.servedPods.set(p.pod, uid);
    this.c.kubectl(
      [
        "-n",
        this.namespace,
        "patch",
        "pod",
        p.pod,
        "--subresource=status",
        "--type=strategic",
        "-p",
        JSON.stringify({
          // With the served pod's uid (immutable): a pod created again since refuses the patch, so this
          // server never marks another pod Ready.
          metadata: { uid },
          status: {
            conditions: [
              { type: SERVER_GATE, status: "True" },
              { type: "Ready", status: "True" },
            ],
          },
        }),
      ],
      undefined,
      true,
    );
  }

  /** What the Bitnami image does on an empty data directory: accounts, and replication on a subordinate. */
  private async firstBoot(p: MariaDBPod, db: LocalMariaDB): Promise<void> {
    // Not binary-logged: each server gets its own accounts; only data replicates.
    db.sql(
      `SET sql_log_bin = 0; CREATE USER '${REPLICATION_USER}'@'127.0.0.1' IDENTIFIED BY ${sqlString(REPLICATION_PASSWORD)}; ` +
        `GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'127.0.0.1';`,
    );
    if (p.role === "slave") {
      const master = this.pods.find((x) => x.role === "master") as MariaDBPod;
      await waitFor(`${master.pod} serving`, () => this.servers.has(master.pod), 120000, 300);
      db.sql(
        `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${master.port}, MASTER_USER='${REPLICATION_USER}', ` +
          `MASTER_PASSWORD=${sqlString(REPLICATION_PASSWORD)}, MASTER_USE_GTID=no; START SLAVE;`,
      );
    }
  }

  private async stopServer(p: MariaDBPod): Promise<void> {
    await this.servers.get(p.pod)?.stop();
    this.servers.delete(p.pod);
    this.servedPods.delete(p.pod);
    this.events.push(`${this.c.name}/${p.pod} stopped`);
  }

  /** Resolves once no server runs on the claim `claimName` (a Job must not share it with one). */
  async claimFree(claimName: string): Promise<void> {
    const p = this.pods.find((x) => `data-${x.pod}` === claimName);
    if (!p) return;
    await waitFor(
      `${p.pod}'s server to stop`,
      () => !this.servers.has(p.pod) && !this.busy.has(p.pod),
      120000,
      200,
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.work]);
    for (const p of this.pods) if (this.servers.has(p.pod)) await this.stopServer(p);
  }
}
