import { strict as assert } from "assert";
import { mkdirSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import {
  chainFor,
  runStep,
  verbOf,
  kubectl,
  scales,
  callIndex,
  isExec,
  scriptText,
  args,
  ready,
  runLocally,
  tempDirs,
} from "../../../test/support/app-steps";

/**
 * Code Dx's post-restore steps, built through the real step definitions (so the real prelude and
 * retry wrapper run) and run by bash against the fake kubectl, whose `exec` answers for the
 * containers. Where an in-container script decides something, it also runs for real on local files.
 */
describe("application restore steps, run by bash against fake kubectl", function () {
  this.timeout(60000);
  const tempDir = tempDirs();

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
});
