import { strict as assert } from "assert";
import { mkdirSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { nebariApp } from "..";
import {
  chainFor,
  runStep,
  verbOf,
  scales,
  callIndex,
  isExec,
  scriptText,
  args,
  clone,
  ready,
  runLocally,
  tempDirs,
} from "../../../test/support/app-steps";

/**
 * Nebari's post-restore steps, built through the real step definitions (so the real prelude and
 * retry wrapper run) and run by bash against the fake kubectl, whose `exec` answers for the
 * containers. Where an in-container script decides something, it also runs for real on local files.
 */
describe("application restore steps, run by bash against fake kubectl", function () {
  this.timeout(60000);
  const tempDir = tempDirs();

  describe("Nebari", () => {
    const NS = "dev";
    const DUMP = "/bitnami/postgresql/velero-dr/keycloak.dump";
    const KC = `statefulsets.apps/${NS}/keycloak-keycloakx`;

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
          // Current Nebari: the keycloakx chart's StatefulSet, named <release>-keycloakx.
          [KC]: {
            metadata: {
              name: "keycloak-keycloakx",
              namespace: NS,
              labels: { "app.kubernetes.io/instance": "keycloak", "app.kubernetes.io/name": "keycloakx" },
            },
            spec: { replicas: 2, template: { metadata: { labels: { app: "keycloak" } }, spec: {} } },
            status: { replicas: 2, readyReplicas: 2 },
          },
          // Keycloak's database, labelled like nothing else: never stopped as a client.
          [`statefulsets.apps/${NS}/keycloak-postgres-standalone`]: {
            metadata: {
              name: "keycloak-postgres-standalone",
              namespace: NS,
              labels: { "app.kubernetes.io/instance": "keycloak-postgres-standalone" },
            },
            spec: { replicas: 1 },
            status: { replicas: 1, readyReplicas: 1 },
          },
          ...Object.fromEntries(
            [
              ["server", 1],
              ["worker", 2],
            ].map(([part, n]) => [
              `deployments.apps/${NS}/nebari-conda-store-${part}`,
              {
                metadata: {
                  name: `nebari-conda-store-${part}`,
                  namespace: NS,
                  labels: { role: `nebari-conda-store-${part}` },
                },
                spec: { replicas: n },
                status: { replicas: n, readyReplicas: n },
              },
            ]),
          ),
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
      const sts = r.state.objects[KC];
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
      assert.equal(restore.state.objects[KC].spec.replicas, 2, "nothing stopped");
    });

    it("pg-restore: a re-run after a failed pg_restore still knows the client's replicas", () => {
      const world = nebariWorld();
      world.exec[`${NS}/*`][1].code = 1;
      world.exec[`${NS}/*`][1].stderr = "pg_restore: error: could not connect\n";
      const failed = runStep(chainFor("nebari"), "nebari-keycloak-restore", world);
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, /pg_restore: error: could not connect/);
      assert.match(failed.stderr, /step nebari-keycloak-restore failed after 2 attempts/);
      const sts = failed.state.objects[KC];
      assert.equal(sts.spec.replicas, 0);
      assert.equal(sts.metadata.annotations["velero-dr/replicas"], "2");
      const state = clone(failed.state) as any;
      state.exec[`${NS}/*`][1].code = 0;
      const again = runStep(chainFor("nebari"), "nebari-keycloak-restore", state);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        /statefulsets.apps\/keycloak-keycloakx was stopped by an earlier run; it had 2 replica\(s\)/,
      );
      assert.equal(again.state.objects[KC].spec.replicas, 2);
    });

    it("pg-restore: conda-store's clients are found by their labels and all stopped; a missing dump changes nothing", () => {
      const r = runStep(chainFor("nebari"), "nebari-conda-store-restore", nebariWorld());
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(scales(r), [
        "deployments.apps/nebari-conda-store-server=0",
        "deployments.apps/nebari-conda-store-worker=0",
        "deployments.apps/nebari-conda-store-server=1",
        "deployments.apps/nebari-conda-store-worker=2",
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

    it("pg-restore: refuses, naming the selector, when a client of the database cannot be found; nothing stopped or restored", () => {
      // Keycloak installed under another release name: its StatefulSet does not carry the label.
      const world = nebariWorld();
      world.objects[KC].metadata.labels["app.kubernetes.io/instance"] = "auth";
      const r = runStep(chainFor("nebari"), "nebari-keycloak-restore", world);
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /no Deployment or StatefulSet in dev matches app.kubernetes.io\/instance=keycloak, a client of the database; pg_restore --clean must not run while a client may write\. Nothing was changed/,
      );
      assert.deepEqual(scales(r), []);
      assert.ok(!r.execs.some((e) => scriptText(e)?.includes("pg_restore")));
      // The database's own workload is never taken for a client, whatever label they share.
      const shared = nebariWorld();
      for (const k of [KC, `statefulsets.apps/${NS}/keycloak-postgres-standalone`]) {
        shared.objects[k].metadata.labels.tier = "auth";
      }
      const ok = runStep(chainFor("nebari"), "nebari-keycloak-restore", shared, { PG_CLIENTS: "tier=auth" });
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(scales(ok), [
        "statefulsets.apps/keycloak-keycloakx=0",
        "statefulsets.apps/keycloak-keycloakx=2",
      ]);
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
      const hook = nebariApp
        .configure(nebariApp.options.parse({}))
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
});
