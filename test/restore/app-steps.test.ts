import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { apps } from "../../apps";
import { configureApp } from "../../components/apps/definition";
import { buildRestoreChain, Chain, envForStep } from "../../components/restore/chain";
import { stepScript } from "../../components/restore/step";
import { FakeCall, runScript, ScriptRun, shellcheck } from "../support/bash";

/**
 * The post-restore steps of Code Dx, Nebari and Nokia EDA, built through the real step definitions
 * (so the real prelude and retry wrapper run) and run by bash against the fake kubectl, whose
 * `exec` answers for the containers. Where an in-container script decides something (which
 * backup is newest, how /exports differs from its manifest), it also runs for real on local files.
 */

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n";

function chainFor(app: string, options: Record<string, unknown> = {}): Chain {
  const def = apps[app];
  return buildRestoreChain({
    app: configureApp(def, def.options.parse(options)),
    veleroNamespace: "velero",
    bslName: "default",
    backup: { schedule: "daily" },
    dns: {
      provider: "manual",
      baseDomain: "app.example.com",
      zone: "example.com",
      ttlSeconds: 60,
      recordPrefixes: [],
      unpublishConfirmed: true,
    },
    promoteToPrimary: true,
    allowPartiallyFailed: false,
    timeouts: {
      bslSeconds: 5,
      backupSyncSeconds: 5,
      restoreSeconds: 5,
      loadBalancerSeconds: 5,
      healthSeconds: 5,
    },
  });
}

interface StepRun extends ScriptRun {
  execs: { namespace: string; pod: string; container?: string; command: string[]; stdinBytes?: number }[];
}

/** Runs one step of the chain as its Command would: its script, its env (and overrides). */
function runStep(chain: Chain, id: string, state: object, env: Record<string, string> = {}): StepRun {
  const step = chain.steps.find((s) => s.id === id);
  assert.ok(step, `no step ${id}`);
  const r = runScript(
    stepScript(step),
    {
      ...envForStep(step, chain.env),
      VELERO_DR_KUBECONFIG: KUBECONFIG,
      VELERO_DR_RETRY_DELAY_SECONDS: "0",
      ...env,
    },
    state,
  );
  const execs = r.calls.filter((c: any) => c.exec).map((c: any) => ({ ...c.exec, stdinBytes: c.stdinBytes }));
  return { ...r, execs };
}

/** kubectl's own positional arguments (verb, kind, name), without flags and their values. */
function positional(c: FakeCall): string[] {
  const dashes = c.argv.indexOf("--");
  const own = dashes >= 0 ? c.argv.slice(0, dashes) : c.argv;
  const out: string[] = [];
  for (let i = 0; i < own.length; i++) {
    if (["-n", "-c", "-o", "-l", "-p", "-f"].includes(own[i])) i++;
    else if (!own[i].startsWith("-")) out.push(own[i]);
  }
  return out;
}
const verbOf = (c: FakeCall) => positional(c)[0];
const kubectl = (r: ScriptRun, verb: string) =>
  r.calls.filter((c) => c.tool === "kubectl" && verbOf(c) === verb);
const scales = (r: ScriptRun) =>
  kubectl(r, "scale").map((c) => {
    const [, kind, name] = positional(c);
    const n = c.argv.find((a) => a.startsWith("--replicas="));
    return `${kind}/${name}=${n?.slice("--replicas=".length)}`;
  });
/** Index of the first call for which `f` holds (-1: none). */
const callIndex = (r: ScriptRun, f: (c: FakeCall) => boolean) => r.calls.findIndex(f);
const isExec = (c: FakeCall, text: string) => verbOf(c) === "exec" && c.argv.join(" ").includes(text);
const scriptText = (e: { command: string[] }) => e.command[2];
const args = (e: { command: string[] }) => e.command.slice(4);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const ready = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };

/** Runs an in-container script locally: bash -c <script> _ args..., in `cwd`. */
function runLocally(script: string, scriptArgs: string[] = [], cwd?: string) {
  const r = spawnSync("bash", ["-c", script, "_", ...scriptArgs], { encoding: "utf8", cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("application restore steps, run by bash against fake kubectl", function () {
  this.timeout(60000);
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), "vdr-app-"));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("every application step script passes shellcheck", () => {
    const chains = [
      chainFor("codedx"),
      chainFor("codedx", { mariadbSlaveReplicas: 3 }),
      chainFor("nebari"),
      chainFor("eda"),
    ];
    const ids = new Set<string>();
    for (const chain of chains) {
      for (const s of chain.steps) {
        if (!/^(codedx|nebari|eda)-/.test(s.id)) continue;
        ids.add(s.id);
        assert.equal(shellcheck(stepScript(s)), "", s.id);
      }
    }
    assert.deepEqual([...ids].sort(), [
      "codedx-health",
      "codedx-restart-db",
      "codedx-restore-db",
      "eda-health",
      "eda-mount-backup",
      "eda-platform-restore",
      "nebari-conda-store-restore",
      "nebari-conda-store-verify",
      "nebari-health",
      "nebari-keycloak-restore",
      "nebari-keycloak-verify",
      "nebari-nfs-verify",
    ]);
  });

  describe("Code Dx", () => {
    const NS = "cdx-app";
    const IMAGE = "docker.io/bitnami/mariadb:10.3.22-debian-10-r27";
    const BACKUP = "20261120-030012-Full";
    const TAR = "TAR-STREAM-0123456789";
    const labels = (release: string, component: string) => ({ app: "mariadb", component, release });

    function codedxWorld(o: { release?: string; slaves?: number } = {}): Record<string, any> {
      const release = o.release ?? "codedx";
      const slaves = o.slaves ?? 1;
      const objects: Record<string, any> = {
        [`deployments.apps/${NS}/${release}`]: {
          metadata: { name: release, namespace: NS },
          spec: { replicas: 1 },
          status: { replicas: 1, readyReplicas: 1 },
        },
      };
      const sts = (component: string, replicas: number) => {
        const name = `${release}-mariadb-${component}`;
        objects[`statefulsets.apps/${NS}/${name}`] = {
          metadata: { name, namespace: NS },
          spec: {
            replicas,
            template: {
              metadata: { labels: labels(release, component) },
              spec: {
                imagePullSecrets: [{ name: "regcred" }],
                nodeSelector: { agentpool: `db${component}` },
                tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }],
                containers: [
                  { name: "metrics", image: "exporter:1" },
                  { name: "mariadb", image: IMAGE },
                ],
              },
            },
          },
          status: { replicas, readyReplicas: replicas },
        };
        for (let i = 0; i < replicas; i++) {
          objects[`pods/${NS}/${name}-${i}`] = {
            metadata: { name: `${name}-${i}`, namespace: NS, labels: labels(release, component) },
            spec: { containers: [{ name: "metrics" }, { name: "mariadb" }] },
            status: ready,
          };
          objects[`persistentvolumeclaims/${NS}/data-${name}-${i}`] = {
            metadata: { name: `data-${name}-${i}` },
          };
        }
      };
      sts("master", 1);
      sts("slave", slaves);
      return {
        simulateWorkloads: true,
        objects,
        onCreate: { jobs: { status: { conditions: [{ type: "Complete", status: "True" }] } } },
        exec: {
          [`${NS}/*`]: [
            { match: ["dirs=(*-Full/)"], stdout: `${BACKUP}\n` },
            { match: ['exec tar -C "$1" -cf - .', "/bitnami/mariadb/backup/data/"], stdout: TAR },
            {
              match: ["tar -C /bitnami/mariadb/restore -xf -"],
              stdout: "velero-dr: 1.2G in /bitnami/mariadb/restore\n",
            },
            { match: ["CHANGE MASTER TO"], stdout: "" },
            { match: ["RESET MASTER; SHOW MASTER STATUS"], stdout: "mysql-bin.000001\t328\t\t\n" },
            {
              match: ["SHOW SLAVE STATUS"],
              stdout: [
                "*** 1. row ***\n  Slave_IO_Running: Connecting\n  Slave_SQL_Running: Yes\n",
                "*** 1. row ***\n  Slave_IO_Running: Yes\n  Slave_SQL_Running: Yes\n",
              ],
            },
            { match: ["STOP SLAVE"], stdout: "" },
          ],
        },
      };
    }

    it("restart-db: stops Code Dx and MariaDB, waits for the pods to go, starts MariaDB again", () => {
      const chain = chainFor("codedx", { mariadbSlaveReplicas: 2 });
      const r = runStep(chain, "codedx-restart-db", codedxWorld({ slaves: 2 }));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(scales(r), [
        "deployment/codedx=0",
        "statefulset/codedx-mariadb-master=0",
        "statefulset/codedx-mariadb-slave=0",
        "statefulset/codedx-mariadb-master=1",
        "statefulset/codedx-mariadb-slave=2",
      ]);
      const rollouts = kubectl(r, "rollout").map((c) => c.argv.slice(-3).join(" "));
      assert.deepEqual(rollouts, [
        "statefulset codedx-mariadb-master --timeout=1800s",
        "statefulset codedx-mariadb-slave --timeout=1800s",
      ]);
      const o = r.state.objects;
      assert.equal(o[`deployments.apps/${NS}/codedx`].spec.replicas, 0, "Code Dx waits for the restore");
      assert.ok(o[`pods/${NS}/codedx-mariadb-slave-1`]);
      assert.match(r.stdout, /MariaDB restarted on new data volumes/);
    });

    it("restart-db: fails when the MariaDB pods do not stop, or do not start, in time", () => {
      const world = codedxWorld();
      world.simulateWorkloads = false; // the pods stay
      const r = runStep(chainFor("codedx"), "codedx-restart-db", world, { DB_TIMEOUT_SECONDS: "0" });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /still running after 0s: codedx-mariadb-master-0 codedx-mariadb-slave-0/);
      assert.match(r.stderr, /step codedx-restart-db failed after 2 attempts/);
      assert.ok(!scales(r).some((s) => s.endsWith("=1")), "nothing started before the pods were gone");
      const slow = codedxWorld();
      slow.objects[`statefulsets.apps/${NS}/codedx-mariadb-master`].rolloutError =
        "error: timed out waiting for the condition";
      const notReady = runStep(chainFor("codedx"), "codedx-restart-db", slow);
      assert.notEqual(notReady.code, 0);
      assert.match(notReady.stderr, /codedx-mariadb-master not ready within 1800s/);
    });

    it("restore-db: restores the newest complete backup into every pod and restarts replication", () => {
      const chain = chainFor("codedx", { mariadbSlaveReplicas: 2 });
      const r = runStep(chain, "codedx-restore-db", codedxWorld({ slaves: 2 }));
      assert.equal(r.code, 0, r.stderr);
      const pods = ["codedx-mariadb-master-0", "codedx-mariadb-slave-0", "codedx-mariadb-slave-1"];
      // Every exec goes to the mariadb container; the backup is looked for on subordinate 0.
      assert.ok(r.execs.every((e) => e.container === "mariadb"));
      assert.equal(
        r.execs.find((e) => scriptText(e)?.includes("dirs=(*-Full/)"))?.pod,
        "codedx-mariadb-slave-0",
      );
      // Streamed from slave 0's backup directory into /bitnami/mariadb/restore of each pod.
      const sources = r.execs.filter((e) => scriptText(e) === 'exec tar -C "$1" -cf - .');
      assert.equal(sources.length, 3);
      for (const s of sources) {
        assert.equal(s.pod, "codedx-mariadb-slave-0");
        assert.deepEqual(s.command.slice(3), ["_", `/bitnami/mariadb/backup/data/${BACKUP}`]);
      }
      const targets = r.execs.filter((e) => scriptText(e)?.includes("tar -C /bitnami/mariadb/restore -xf -"));
      assert.deepEqual(
        targets.map((t) => t.pod),
        pods,
      );
      for (const t of targets) assert.equal(t.stdinBytes, TAR.length);
      // Replication was stopped first (after Code Dx), the databases only after the copies.
      const stopCodedx = callIndex(r, (c) => verbOf(c) === "scale" && c.argv.includes("deployment"));
      const stopSlave = callIndex(r, (c) => isExec(c, "STOP SLAVE"));
      const firstCopy = callIndex(r, (c) => isExec(c, "tar -C /bitnami/mariadb/restore"));
      const stopDb = callIndex(
        r,
        (c) => verbOf(c) === "scale" && c.argv.includes("--replicas=0") && c.argv.includes("statefulset"),
      );
      const firstJob = callIndex(r, (c) => verbOf(c) === "create");
      assert.ok(
        stopCodedx >= 0 &&
          stopCodedx < stopSlave &&
          stopSlave < firstCopy &&
          firstCopy < stopDb &&
          stopDb < firstJob,
      );
      assert.deepEqual(
        r.execs.filter((e) => args(e)[0] === "STOP SLAVE").map((e) => e.pod),
        ["codedx-mariadb-slave-0", "codedx-mariadb-slave-1"],
      );
      // One Job per pod, on the pod's data claim, with the StatefulSet's own image.
      const jobs = kubectl(r, "create").map((c) => JSON.parse(c.stdin as string));
      assert.deepEqual(
        jobs.map((j) => j.metadata.name),
        pods.map((p) => `velero-dr-dbrestore-${p}`),
      );
      for (const [i, j] of jobs.entries()) {
        const spec = j.spec.template.spec;
        assert.equal(j.kind, "Job");
        assert.equal(j.metadata.namespace, NS);
        assert.equal(spec.restartPolicy, "Never");
        assert.deepEqual(spec.securityContext, { runAsUser: 1001, fsGroup: 1001 });
        assert.deepEqual(spec.imagePullSecrets, [{ name: "regcred" }]);
        // Where its StatefulSet's pods run: the master's Job on the master's pool.
        assert.deepEqual(spec.nodeSelector, { agentpool: i === 0 ? "dbmaster" : "dbslave" });
        assert.deepEqual(spec.tolerations, [
          { key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" },
        ]);
        assert.equal(spec.affinity, undefined);
        assert.equal(spec.containers[0].image, IMAGE);
        assert.deepEqual(spec.volumes, [
          { name: "data", persistentVolumeClaim: { claimName: `data-${pods[i]}` } },
        ]);
        assert.deepEqual(spec.containers[0].volumeMounts, [{ name: "data", mountPath: "/bitnami/mariadb" }]);
        const cmd = spec.containers[0].command[2];
        assert.match(
          cmd,
          /mariabackup --prepare --target-dir=\/bitnami\/mariadb\/restore && rm -rf \/bitnami\/mariadb\/data/,
        );
        assert.match(
          cmd,
          /mariabackup --copy-back --target-dir=\/bitnami\/mariadb\/restore --datadir=\/bitnami\/mariadb\/data/,
        );
      }
      assert.deepEqual(
        Object.keys(r.state.objects).filter((k) => k.startsWith("jobs/")),
        [],
        "the Jobs are deleted",
      );
      // Replication restarts from the coordinates SHOW MASTER STATUS gave, passed as arguments.
      const reset = r.execs.filter((e) => args(e)[0]?.startsWith("RESET MASTER"));
      assert.deepEqual(
        reset.map((e) => e.pod),
        ["codedx-mariadb-master-0"],
      );
      const changes = r.execs.filter((e) => scriptText(e)?.includes("CHANGE MASTER TO"));
      assert.deepEqual(
        changes.map((e) => [e.pod, ...args(e)]),
        [
          ["codedx-mariadb-slave-0", "mysql-bin.000001", "328"],
          ["codedx-mariadb-slave-1", "mysql-bin.000001", "328"],
        ],
      );
      assert.match(r.stdout, /replication starts at mysql-bin.000001:328/);
      assert.match(r.stdout, /codedx-mariadb-slave-1 replicates/);
      // Code Dx runs again, last; the password never appeared on a command line.
      assert.deepEqual(scales(r).slice(-1), ["deployment/codedx=1"]);
      assert.equal(r.state.objects[`deployments.apps/${NS}/codedx`].spec.replicas, 1);
      assert.equal(r.state.objects[`statefulsets.apps/${NS}/codedx-mariadb-slave`].spec.replicas, 2);
      for (const c of r.calls) assert.ok(!c.argv.some((a) => /^(-p|--password)/.test(a)), c.argv.join(" "));
    });

    it("restore-db: the in-container search picks the newest backup that has its done file", () => {
      const r = runStep(chainFor("codedx"), "codedx-restore-db", codedxWorld());
      const finder = scriptText(r.execs.find((e) => scriptText(e)?.includes("dirs=(*-Full/)")) as any);
      const root = tempDir();
      const dir = path.join(root, "data");
      for (const [name, done] of [
        ["20261118-030000-Full", true],
        ["20261119-030000-Full", true],
        ["20261120-030000-Full", false], // interrupted: no done file
      ] as const) {
        mkdirSync(path.join(dir, name), { recursive: true });
        if (done) writeFileSync(path.join(dir, name, "done"), "");
      }
      writeFileSync(path.join(dir, "backup.log"), "");
      const local = (s: string) => s.replace("/bitnami/mariadb/backup/data", dir);
      assert.equal(runLocally(local(finder)).stdout, "20261119-030000-Full\n");
      rmSync(path.join(dir, "20261118-030000-Full", "done"));
      rmSync(path.join(dir, "20261119-030000-Full", "done"));
      assert.deepEqual(runLocally(local(finder)), { code: 0, stdout: "", stderr: "" });
      assert.deepEqual(
        runLocally(finder.replace("/bitnami/mariadb/backup/data", path.join(root, "none"))).stdout,
        "",
      );
    });

    it("restore-db: without a complete backup it fails clearly and stops nothing", () => {
      const world = codedxWorld();
      world.exec[`${NS}/*`][0].stdout = "";
      const r = runStep(chainFor("codedx"), "codedx-restore-db", world);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /no complete database backup \(a \*-Full directory with a done file\)/);
      assert.match(r.stderr, /nothing was changed/);
      assert.deepEqual(scales(r), []);
      assert.deepEqual(kubectl(r, "create"), []);
      assert.ok(!r.execs.some((e) => args(e)[0] === "STOP SLAVE"));
    });

    it("restore-db: a failed restore Job fails the step with its log, before replication is touched", () => {
      const world = codedxWorld();
      world.onCreate.jobs = {
        status: { conditions: [{ type: "Failed", status: "True" }] },
        fakeLogs: "mariabackup: Error: cannot open ./xtrabackup_checkpoints\n",
      };
      const r = runStep(chainFor("codedx"), "codedx-restore-db", world);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Job velero-dr-dbrestore-codedx-mariadb-master-0 failed; its log:/);
      assert.match(r.stderr, /cannot open \.\/xtrabackup_checkpoints/);
      assert.ok(!r.execs.some((e) => scriptText(e)?.includes("CHANGE MASTER")));
      assert.ok(
        r.state.objects[`jobs/${NS}/velero-dr-dbrestore-codedx-mariadb-master-0`],
        "kept for inspection",
      );
      assert.equal(r.state.objects[`deployments.apps/${NS}/codedx`].spec.replicas, 0);
    });

    it("restore-db: refuses replication coordinates it cannot read; long release names get short Job names", () => {
      const release = "codedx-release-with-a-rather-long-name-for-testing-xy";
      const world = codedxWorld({ release });
      world.exec[`${NS}/*`][4].stdout = "";
      const r = runStep(chainFor("codedx", { releaseName: release }), "codedx-restore-db", world);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /cannot read the master's binary log position from SHOW MASTER STATUS/);
      assert.ok(!r.execs.some((e) => scriptText(e)?.includes("CHANGE MASTER")));
      const jobs = kubectl(r, "create").map((c) => JSON.parse(c.stdin as string).metadata.name as string);
      assert.equal(jobs.length, 2);
      for (const j of jobs) assert.match(j, /^velero-dr-dbrestore-[0-9a-f]{16}$/);
      assert.notEqual(jobs[0], jobs[1]);
    });

    it("health: starts Code Dx when it is at 0 and waits until it is ready; fails when it never is", () => {
      const world = codedxWorld();
      world.objects[`deployments.apps/${NS}/codedx`].spec.replicas = 0;
      world.objects[`deployments.apps/${NS}/codedx`].status = {};
      const r = runStep(chainFor("codedx"), "codedx-health", world);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(scales(r), ["deployment/codedx=1"]);
      assert.match(r.stdout, /Code Dx is ready/);
      world.objects[`deployments.apps/${NS}/codedx`].fakeNeverReady = true;
      const never = runStep(chainFor("codedx"), "codedx-health", world, { HEALTH_TIMEOUT_SECONDS: "0" });
      assert.notEqual(never.code, 0);
      assert.match(never.stderr, /Code Dx \(codedx\) not ready after 0s/);
    });
  });

  describe("Nebari", () => {
    const NS = "dev";
    const DUMP = "/bitnami/postgresql/velero-dr/keycloak.dump";

    function nebariWorld(): Record<string, any> {
      const pgPod = (name: string, release: string) => ({
        metadata: { name, namespace: NS, labels: { "app.kubernetes.io/instance": release } },
        spec: { containers: [{ name: "postgresql" }] },
        status: ready,
      });
      return {
        simulateWorkloads: true,
        objects: {
          [`pods/${NS}/keycloak-postgres-standalone-0`]: pgPod(
            "keycloak-postgres-standalone-0",
            "keycloak-postgres-standalone",
          ),
          [`pods/${NS}/nebari-conda-store-postgresql-postgresql-0`]: pgPod(
            "nebari-conda-store-postgresql-postgresql-0",
            "nebari-conda-store-postgresql",
          ),
          [`statefulsets.apps/${NS}/keycloak`]: {
            metadata: { name: "keycloak", namespace: NS },
            spec: { replicas: 2, template: { metadata: { labels: { app: "keycloak" } }, spec: {} } },
            status: { replicas: 2, readyReplicas: 2 },
          },
          [`deployments.apps/${NS}/nebari-conda-store-server`]: {
            metadata: { name: "nebari-conda-store-server", namespace: NS },
            spec: { replicas: 1 },
            status: { replicas: 1, readyReplicas: 1 },
          },
        },
        exec: {
          [`${NS}/*`]: [
            { match: ['[ -s "$1" ]'], stdout: "present\n" },
            {
              match: ["pg_restore --single-transaction --exit-on-error --clean --if-exists --no-owner"],
              stdout: "",
            },
            { match: ["cat --"], stdout: "users|12\ngroups|3\n" },
            { match: ["psql", "-Atc"], stdout: "users|12\ngroups|3\n" },
          ],
        },
      };
    }

    it("pg-restore: stops Keycloak, restores the dump with the container's credentials, restarts it with its replicas", () => {
      const r = runStep(chainFor("nebari"), "nebari-keycloak-restore", nebariWorld());
      assert.equal(r.code, 0, r.stderr);
      const restore = r.execs.find((e) => scriptText(e)?.includes("pg_restore"));
      assert.ok(restore);
      assert.equal(restore.pod, "keycloak-postgres-standalone-0");
      assert.deepEqual(args(restore), [DUMP]);
      assert.match(
        scriptText(restore),
        /export PGPASSWORD="\$\{POSTGRES_PASSWORD:-\$\{POSTGRESQL_PASSWORD:-\}\}"/,
      );
      assert.match(scriptText(restore), /-h 127\.0\.0\.1 -U "\$user" -d "\$db" "\$1"/);
      const down = callIndex(r, (c) => verbOf(c) === "scale" && c.argv.includes("--replicas=0"));
      const pg = callIndex(r, (c) => isExec(c, "pg_restore"));
      const up = callIndex(r, (c) => verbOf(c) === "scale" && c.argv.includes("--replicas=2"));
      assert.ok(down >= 0 && down < pg && pg < up);
      const sts = r.state.objects[`statefulsets.apps/${NS}/keycloak`];
      assert.equal(sts.spec.replicas, 2);
      assert.equal(sts.metadata.annotations?.["velero-dr/replicas"], undefined, "the record is removed");
    });

    it("pg-restore and pg-verify use only a running, ready pod that is not being deleted, and say when there is none", () => {
      const world = nebariWorld();
      const pod = world.objects[`pods/${NS}/keycloak-postgres-standalone-0`];
      pod.metadata.deletionTimestamp = "2026-11-21T00:00:00Z";
      const verify = runStep(chainFor("nebari"), "nebari-keycloak-verify", world);
      assert.notEqual(verify.code, 0);
      assert.match(
        verify.stderr,
        /no running, ready PostgreSQL pod \(app.kubernetes.io\/instance=keycloak-postgres-standalone\) in dev after 0s/,
      );
      assert.equal(verify.execs.length, 0, "nothing ran in the pod on its way out");
      const restore = runStep(chainFor("nebari"), "nebari-keycloak-restore", world, {
        NEBARI_TIMEOUT_SECONDS: "0",
      });
      assert.notEqual(restore.code, 0);
      assert.match(restore.stderr, /no running, ready PostgreSQL pod .* after 0s/);
      assert.equal(
        restore.state.objects[`statefulsets.apps/${NS}/keycloak`].spec.replicas,
        2,
        "nothing stopped",
      );
    });

    it("pg-restore: a re-run after a failed pg_restore still knows the client's replicas", () => {
      const world = nebariWorld();
      world.exec[`${NS}/*`][1].code = 1;
      world.exec[`${NS}/*`][1].stderr = "pg_restore: error: could not connect\n";
      const failed = runStep(chainFor("nebari"), "nebari-keycloak-restore", world);
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, /pg_restore: error: could not connect/);
      assert.match(failed.stderr, /step nebari-keycloak-restore failed after 2 attempts/);
      const sts = failed.state.objects[`statefulsets.apps/${NS}/keycloak`];
      assert.equal(sts.spec.replicas, 0);
      assert.equal(sts.metadata.annotations["velero-dr/replicas"], "2");
      const state = clone(failed.state) as any;
      state.exec[`${NS}/*`][1].code = 0;
      const again = runStep(chainFor("nebari"), "nebari-keycloak-restore", state);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        /statefulsets.apps\/keycloak was stopped by an earlier run; it had 2 replica\(s\)/,
      );
      assert.equal(again.state.objects[`statefulsets.apps/${NS}/keycloak`].spec.replicas, 2);
    });

    it("pg-restore: conda-store's clients that do not exist are skipped; a missing dump changes nothing", () => {
      const r = runStep(chainFor("nebari"), "nebari-conda-store-restore", nebariWorld());
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /deployments.apps\/nebari-conda-store-worker does not exist in dev; nothing to stop/,
      );
      assert.deepEqual(scales(r), [
        "deployments.apps/nebari-conda-store-server=0",
        "deployments.apps/nebari-conda-store-server=1",
      ]);
      assert.deepEqual(args(r.execs.find((e) => scriptText(e)?.includes("pg_restore")) as any), [
        "/bitnami/postgresql/velero-dr/conda-store.dump",
      ]);
      const world = nebariWorld();
      world.exec[`${NS}/*`][0].stdout = "missing\n";
      const missing = runStep(chainFor("nebari"), "nebari-keycloak-restore", world);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /keycloak\.dump is missing or empty in keycloak-postgres-standalone-0/);
      assert.deepEqual(scales(missing), []);
      assert.ok(!missing.execs.some((e) => scriptText(e)?.includes("pg_restore")));
    });

    it("pg-verify: compares the recorded counts with the restored database's, and names a difference", () => {
      const ok = runStep(chainFor("nebari"), "nebari-keycloak-verify", nebariWorld());
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /has the counts recorded with the backup/);
      assert.deepEqual(args(ok.execs.find((e) => scriptText(e)?.includes("cat --")) as any), [
        `${DUMP}.counts`,
      ]);
      const query = args(ok.execs.find((e) => scriptText(e)?.includes("psql")) as any);
      assert.equal(query.length, 1);
      assert.match(query[0], /WHERE r\.name = 'nebari'/);
      const world = nebariWorld();
      world.exec[`${NS}/*`][3].stdout = "users|11\ngroups|3\n";
      const r = runStep(chainFor("nebari"), "nebari-keycloak-verify", world);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /differs from the backup:\n {2}users: 12 in the backup, 11 now\n/);
      assert.doesNotMatch(r.stderr, /groups:/);
      assert.match(r.stdout, /users\|12/);
    });

    it("nfs-verify: lists /exports as the backup hook did and reports missing, extra and changed files", () => {
      const chain = chainFor("nebari");
      const world: Record<string, any> = {
        objects: {
          [`pods/${NS}/nfs-server-nfs-6d5f-abc`]: {
            metadata: { name: "nfs-server-nfs-6d5f-abc", namespace: NS, labels: { role: "nfs-server-nfs" } },
            status: ready,
          },
        },
        exec: { [`${NS}/nfs-server-nfs-6d5f-abc`]: [{ match: ["comm -3"], stdout: "0\n" }] },
      };
      const probe = runStep(chain, "nebari-nfs-verify", world);
      assert.equal(probe.code, 0, probe.stderr);
      const inPod = scriptText(probe.execs[0]);
      // The backup side: the source's exports, and the manifest made by the hook itself.
      const hook = apps.nebari
        .configure(apps.nebari.options.parse({}))
        .hooks.pre.find((h) => h.name === "nfs-manifest");
      const root = tempDir();
      const exportsDir = path.join(root, "exports");
      const put = (p: string, content: string) => {
        mkdirSync(path.dirname(path.join(exportsDir, p)), { recursive: true });
        writeFileSync(path.join(exportsDir, p), content);
      };
      put("home/alice/notes.txt", "hello");
      put("home/bob/analysis.ipynb", "{}");
      put("shared/data set.csv", "a,b\n1,2\n");
      const hookScript = (hook?.command[2] as string).split("/exports").join(exportsDir);
      const manifestRun = runLocally(hookScript.split("/tmp/velero-dr-manifest").join(path.join(root, "m")));
      assert.equal(manifestRun.code, 0, manifestRun.stderr);
      const local = () => {
        const out = runLocally(inPod.split("/exports").join(exportsDir));
        assert.equal(out.code, 0, out.stderr);
        return out.stdout;
      };
      // Restored as it was (plus Velero's own restore marker): no differences.
      put(".velero/8f7a3c1e-restore", "");
      world.exec[`${NS}/nfs-server-nfs-6d5f-abc`][0].stdout = local();
      const same = runStep(chain, "nebari-nfs-verify", world);
      assert.equal(same.code, 0, same.stderr);
      assert.match(same.stdout, /matches the backup's manifest: 3 files, paths and sizes/);
      // A file missing, one more, one of another size.
      rmSync(path.join(exportsDir, "home/alice/notes.txt"));
      put("home/bob/new.txt", "x");
      put("shared/data set.csv", "a,b\n");
      world.exec[`${NS}/nfs-server-nfs-6d5f-abc`][0].stdout = local();
      const r = runStep(chain, "nebari-nfs-verify", world);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /does not match the manifest of the backup \(3 files listed\)/);
      assert.match(r.stderr, /1 missing, 1 extra, 1 size changed/);
      assert.match(r.stderr, /missing: \.\/home\/alice\/notes\.txt \(5 bytes\)/);
      assert.match(r.stderr, /extra: \.\/home\/bob\/new\.txt \(1 bytes\)/);
      assert.match(r.stderr, /size changed: \.\/shared\/data set\.csv \(8 -> 4 bytes\)/);
      // Without the manifest the comparison fails.
      rmSync(path.join(exportsDir, ".velero-dr"), { recursive: true });
      const none = runLocally(inPod.split("/exports").join(exportsDir));
      assert.equal(none.code, 3);
      assert.match(none.stderr, /manifest not found/);
    });

    it("workloads-ready: waits until every Deployment and StatefulSet is ready, and names the ones that are not", () => {
      const chain = chainFor("nebari");
      const world = {
        objects: {
          [`deployments.apps/${NS}/hub`]: {
            metadata: { name: "hub", namespace: NS },
            spec: { replicas: 1 },
            status: { readyReplicas: 1 },
          },
          [`statefulsets.apps/${NS}/keycloak`]: {
            metadata: { name: "keycloak", namespace: NS },
            spec: { replicas: 2 },
            status: {},
            sequences: { ".status.readyReplicas": [1, 2] },
          },
        },
      };
      const r = runStep(chain, "nebari-health", world);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /statefulset\/keycloak 1\/2 ready/);
      assert.match(r.stdout, /all 2 Deployments and StatefulSets in dev are ready/);
      const stuck = clone(world) as any;
      stuck.objects[`statefulsets.apps/${NS}/keycloak`].sequences = { ".status.readyReplicas": [0] };
      const f = runStep(chain, "nebari-health", stuck, { HEALTH_TIMEOUT_SECONDS: "0" });
      assert.notEqual(f.code, 0);
      assert.match(f.stderr, /not ready after 0s in dev:\n {2}statefulset\/keycloak 0\/2 ready\n/);
      assert.doesNotMatch(f.stderr, /hub/);
      const empty = runStep(chain, "nebari-health", { objects: {} }, { HEALTH_TIMEOUT_SECONDS: "0" });
      assert.notEqual(empty.code, 0);
      assert.match(empty.stderr, /no Deployments or StatefulSets in dev yet/);
    });
  });

  describe("Nokia EDA", () => {
    const NS = "eda-system";
    const FILE = "eda-backup-engine-config-2026-11-20T01-30-00Z.tar.gz";

    function edaWorld(o: { claim?: boolean; volumes?: boolean } = {}): Record<string, any> {
      const objects: Record<string, any> = {
        [`deployments.apps/${NS}/eda-toolbox`]: {
          metadata: { name: "eda-toolbox", namespace: NS },
          spec: {
            replicas: 1,
            template: {
              metadata: { labels: { "eda.nokia.com/app": "eda-toolbox" } },
              spec: {
                containers: [
                  { name: "init-helper", image: "busybox" },
                  {
                    name: "eda-toolbox",
                    image: "ghcr.io/nokia-eda/toolbox:25.4.1",
                    ...(o.volumes ? { volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] } : {}),
                  },
                ],
                ...(o.volumes ? { volumes: [{ name: "tmp", emptyDir: {} }] } : {}),
              },
            },
          },
        },
        // The old pod on its way out comes first; the new one is used.
        [`pods/${NS}/eda-toolbox-old`]: {
          metadata: {
            name: "eda-toolbox-old",
            namespace: NS,
            labels: { "eda.nokia.com/app": "eda-toolbox" },
            deletionTimestamp: "2026-11-20T10:00:00Z",
          },
          spec: { containers: [{ name: "eda-toolbox" }] },
          status: ready,
        },
        [`pods/${NS}/eda-toolbox-new`]: {
          metadata: {
            name: "eda-toolbox-new",
            namespace: NS,
            labels: { "eda.nokia.com/app": "eda-toolbox" },
          },
          spec: { containers: [{ name: "eda-toolbox" }] },
          status: ready,
        },
      };
      if (o.claim !== false) {
        objects[`persistentvolumeclaims/${NS}/velero-dr-eda-backup`] = {
          metadata: { name: "velero-dr-eda-backup", namespace: NS },
          status: { phase: "Pending" },
        };
      }
      return {
        objects,
        exec: {
          [`${NS}/eda-toolbox-new`]: [
            { match: ["files=(eda-backup-*.tar.gz eda-backup-*.tgz)"], stdout: `${FILE}\n` },
            { match: ["echo yes"], when: "restored", stdout: "yes\n" },
            { match: ["echo yes"], stdout: "no\n" },
            { match: ["edactl platform restore"], stdout: "Platform restore completed\n" },
            { match: ["touch --"], set: "restored" },
          ],
        },
      };
    }

    it("mount-backup: mounts the restored claim into the toolbox once, also when it has no volumes yet", () => {
      const chain = chainFor("eda");
      const r = runStep(chain, "eda-mount-backup", edaWorld());
      assert.equal(r.code, 0, r.stderr);
      const patches = kubectl(r, "patch");
      assert.equal(patches.length, 1);
      assert.ok(patches[0].argv.includes("--type=json"));
      const spec = r.state.objects[`deployments.apps/${NS}/eda-toolbox`].spec.template.spec;
      assert.deepEqual(spec.volumes, [
        { name: "velero-dr-backup", persistentVolumeClaim: { claimName: "velero-dr-eda-backup" } },
      ]);
      assert.deepEqual(spec.containers[1].volumeMounts, [
        { name: "velero-dr-backup", mountPath: "/velero-dr-backup" },
      ]);
      assert.equal(spec.containers[0].volumeMounts, undefined);
      assert.equal(kubectl(r, "rollout").length, 1);
      // Run again: the volume is there, nothing is patched; the rollout is still awaited.
      const again = runStep(chain, "eda-mount-backup", r.state);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(kubectl(again, "patch").length, 0);
      assert.match(again.stdout, /has the volume velero-dr-backup already; not patching it/);
      assert.equal(kubectl(again, "rollout").length, 1);
    });

    it("mount-backup: appends to existing volumes and mounts; fails when the claim or the container is missing", () => {
      const chain = chainFor("eda");
      const r = runStep(chain, "eda-mount-backup", edaWorld({ volumes: true }));
      assert.equal(r.code, 0, r.stderr);
      const spec = r.state.objects[`deployments.apps/${NS}/eda-toolbox`].spec.template.spec;
      assert.deepEqual(
        spec.volumes.map((v: any) => v.name),
        ["tmp", "velero-dr-backup"],
      );
      assert.deepEqual(
        spec.containers[1].volumeMounts.map((m: any) => m.mountPath),
        ["/tmp", "/velero-dr-backup"],
      );
      const noClaim = runStep(chain, "eda-mount-backup", edaWorld({ claim: false }), {
        EDA_TIMEOUT_SECONDS: "0",
      });
      assert.notEqual(noClaim.code, 0);
      assert.match(noClaim.stderr, /claim velero-dr-eda-backup not found in eda-system after 0s/);
      assert.equal(kubectl(noClaim, "patch").length, 0);
      const noContainer = runStep(chain, "eda-mount-backup", edaWorld(), {
        EDA_TOOLBOX_CONTAINER: "toolbox",
      });
      assert.notEqual(noContainer.code, 0);
      assert.match(
        noContainer.stderr,
        /eda-toolbox has no container toolbox \(it has: init-helper eda-toolbox\)/,
      );
      assert.equal(kubectl(noContainer, "patch").length, 0);
    });

    it("platform-restore: runs edactl with the newest backup in the live toolbox pod; a second run skips it", () => {
      const chain = chainFor("eda");
      const r = runStep(chain, "eda-platform-restore", edaWorld());
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.execs.every((e) => e.pod === "eda-toolbox-new" && e.container === "eda-toolbox"));
      const restore = r.execs.filter((e) => scriptText(e)?.includes("edactl platform restore"));
      assert.equal(restore.length, 1);
      assert.deepEqual(args(restore[0]), ["/velero-dr-backup", FILE, "1800"]);
      const marker = r.execs.filter((e) => scriptText(e)?.includes("touch --"));
      assert.deepEqual(args(marker[0]), ["/velero-dr-backup", FILE]);
      assert.match(r.stdout, /platform restored from eda-backup-engine-config/);
      const again = runStep(chain, "eda-platform-restore", r.state);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        /was restored already \(marker \/velero-dr-backup\/\.velero-dr-restored-eda-backup-/,
      );
      assert.equal(again.execs.filter((e) => scriptText(e)?.includes("edactl platform restore")).length, 0);
    });

    it("platform-restore: the in-container scripts pick the newest tarball and see the marker", () => {
      const r = runStep(chainFor("eda"), "eda-platform-restore", edaWorld());
      const finder = scriptText(r.execs.find((e) => scriptText(e)?.includes("files=(")) as any);
      const check = scriptText(r.execs.find((e) => scriptText(e)?.includes("echo yes")) as any);
      const mount = tempDir();
      assert.equal(runLocally(finder, [mount]).stdout, "", "none there");
      const files = [
        ["eda-backup-a-2026-11-18.tar.gz", 1000],
        ["eda-backup-b-2026-11-20.tgz", 3000],
        ["eda-backup-c-2026-11-19.tar.gz", 2000],
        ["other.tar.gz", 4000],
      ] as const;
      for (const [f, t] of files) {
        writeFileSync(path.join(mount, f), "x");
        utimesSync(path.join(mount, f), t, t);
      }
      assert.equal(runLocally(finder, [mount]).stdout, "eda-backup-b-2026-11-20.tgz\n");
      assert.equal(runLocally(check, [mount, "eda-backup-b-2026-11-20.tgz"]).stdout, "no\n");
      writeFileSync(path.join(mount, ".velero-dr-restored-eda-backup-b-2026-11-20.tgz"), "");
      assert.equal(runLocally(check, [mount, "eda-backup-b-2026-11-20.tgz"]).stdout, "yes\n");
      assert.equal(
        runLocally(finder, [mount]).stdout,
        "eda-backup-b-2026-11-20.tgz\n",
        "markers are not backups",
      );
    });

    it("platform-restore: fails clearly without a backup, and leaves no marker when edactl fails", () => {
      const chain = chainFor("eda");
      const world = edaWorld();
      world.exec[`${NS}/eda-toolbox-new`][0].stdout = "";
      const none = runStep(chain, "eda-platform-restore", world);
      assert.notEqual(none.code, 0);
      assert.match(
        none.stderr,
        /no platform backup \(eda-backup-\*\.tar\.gz\) in \/velero-dr-backup of eda-toolbox-new/,
      );
      assert.ok(!none.execs.some((e) => scriptText(e)?.includes("edactl")));
      const failing = edaWorld();
      failing.exec[`${NS}/eda-toolbox-new`][3].code = 1;
      failing.exec[`${NS}/eda-toolbox-new`][3].stderr = "Error: version mismatch\n";
      const r = runStep(chain, "eda-platform-restore", failing);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error: version mismatch/);
      assert.match(r.stderr, /edactl platform restore eda-backup-engine-config-.* failed \(exit code 1\)/);
      assert.ok(!r.execs.some((e) => scriptText(e)?.includes("touch --")));
      assert.ok(!(r.state as any).execFlags?.restored);
    });
  });
});
