import { strict as assert } from "assert";
import { createHash, randomBytes } from "crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { enableWorkloadExec, podExec, runningPods, waitForExec } from "../../drill/lib/exec";
import { LocalCluster, SOURCE_PORTS } from "../../drill/lib/kube";
import { LocalMariaDB } from "../../apps/codedx/drill/mariadb";
import { Minio } from "../../drill/lib/minio";
import { LocalPostgres } from "../../drill/lib/postgres";
import { Processes, waitFor } from "../../drill/lib/procs";
import { toolchain } from "../../drill/lib/toolchain";
import { BUCKET, drillBslConfig, LocalVelero, NAMESPACE } from "../../drill/lib/velero";
import { PodVolumes } from "../../drill/lib/volumes";

/**
 * The drill's means for backup hooks and post-restore steps that do real work inside KWOK fake
 * pods: `kubectl exec` served by KWOK running the command on this machine (per-pod Exec and
 * ClusterExec objects), Velero 1.10.3 pre-backup exec hooks through the same path, and the local
 * MariaDB and PostgreSQL servers whose dumps travel through pod volume directories and exec stdin.
 * One real cluster, MinIO and Velero; needs the drill toolchain and Debian's mariadb-server,
 * mariadb-client and postgresql (.ci/run installs them).
 */

const APP = "app";

function pod(namespace: string, name: string, labels: Record<string, string>, containers: string[]) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: { containers: containers.map((c) => ({ name: c, image: `registry.example/${c}:1` })) },
  };
}

function deployment(namespace: string, name: string, replicas: number) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: `registry.example/${name}:1` }] },
      },
    },
  };
}

describe("drill exec: KWOK local exec, Velero exec hooks, local MariaDB and PostgreSQL", function () {
  this.timeout(5 * 60 * 1000);
  let workDir = "";
  let procs: Processes;
  let c: LocalCluster;
  let minio: Minio;
  let velero: LocalVelero;
  let volumes: PodVolumes;
  const vol = (namespace: string, workload: string, volume = "data") =>
    volumes.dir({ cluster: c.name, namespace, workload, volume });

  before(async () => {
    workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `exec-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    const tc = toolchain();
    procs = new Processes(path.join(workDir, "logs"));
    volumes = new PodVolumes(path.join(workDir, "volumes"));
    c = new LocalCluster("source", SOURCE_PORTS, workDir, tc.bin, procs);
    minio = new Minio(tc.bin, procs, path.join(workDir, "minio"));
    velero = new LocalVelero(tc.bin, tc.plugins, procs, path.join(workDir, "velero"));
    await Promise.all([c.start(1), minio.start().then(() => minio.createBucket(BUCKET))]);
    c.apply({
      apiVersion: "v1",
      kind: "List",
      items: ["app", "fleet", "data"].map((name) => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name },
      })),
    });
    velero.installCrds(c);
    velero.prepare(c, drillBslConfig(minio, tc.pluginVersion), "ReadWrite");
    await velero.start("velero-exec", c, minio);
    await waitFor("default service accounts", () => c.kubectlOk(["-n", APP, "get", "sa", "default"]), 60000);
  });

  after(async () => {
    await procs?.stopAll();
  });

  it("kubectl exec runs in a fake pod's Exec workDir with its env; exit codes and stdin come through", async () => {
    c.apply(pod(APP, "web-0", { app: "web" }, ["main", "sidecar"]));
    const mainDir = vol(APP, "web-0");
    const sideDir = vol(APP, "web-0", "cache");
    await waitFor("web-0 Running", () => runningPods(c, APP, "app=web").includes("web-0"), 60000);
    c.setExec(
      APP,
      "web-0",
      { containers: ["main"], workDir: mainDir, env: { FOO: "bar" } },
      { workDir: sideDir, env: { FOO: "side" } },
    );
    await waitForExec(c, APP, "web-0", "main");

    const r = c.kubectl([
      "-n",
      APP,
      "exec",
      "web-0",
      "-c",
      "main",
      "--",
      "/bin/bash",
      "-c",
      "echo $FOO; pwd",
    ]);
    assert.equal(r.stdout, `bar\n${mainDir}\n`);
    const side = c.kubectl([
      "-n",
      APP,
      "exec",
      "web-0",
      "-c",
      "sidecar",
      "--",
      "/bin/bash",
      "-c",
      "echo $FOO; pwd",
    ]);
    assert.equal(side.stdout, `side\n${sideDir}\n`);

    const failed = c.kubectl(
      ["-n", APP, "exec", "web-0", "-c", "main", "--", "/bin/bash", "-c", "exit 3"],
      undefined,
      true,
    );
    assert.notEqual(failed.code, 0, "kubectl exec fails when the command does");
    assert.match(failed.stderr, /exit status 3/);
    const failedExec = podExec(c, APP, "web-0", ["/bin/bash", "-c", "echo out; echo err >&2; exit 3"], {
      container: "main",
      allowFail: true,
    });
    assert.deepEqual(
      { code: failedExec.code, stdout: failedExec.stdout },
      { code: 3, stdout: "out\n" },
      failedExec.stderr,
    );
    assert.throws(() => podExec(c, APP, "web-0", ["false"]), /exited 1/);

    // Raw kubectl exec -i: the input reaches the command (which here reads a known length: KWOK
    // v0.7.0 does not close the command's stdin at the end of the input).
    const raw = c.kubectl(
      ["-n", APP, "exec", "-i", "web-0", "-c", "main", "--", "head", "-c", "12"],
      "hello stdin\n",
    );
    assert.equal(raw.stdout, "hello stdin\n");
    // podExec ends the input for the command: cat, a file written in the volume, binary data.
    assert.equal(podExec(c, APP, "web-0", ["cat"], { input: "line 1\nline 2\n" }).stdout, "line 1\nline 2\n");
    const blob = randomBytes(3 << 20);
    const blobFile = path.join(workDir, "blob.bin");
    writeFileSync(blobFile, blob);
    podExec(c, APP, "web-0", ["/bin/sh", "-c", "cat > blob.bin"], { container: "main", inputFile: blobFile });
    assert.ok(
      readFileSync(path.join(mainDir, "blob.bin")).equals(blob),
      "3 MiB through stdin, byte for byte",
    );
    const sum = podExec(c, APP, "web-0", ["sha256sum"], { input: blob }).stdout.split(" ")[0];
    assert.equal(sum, createHash("sha256").update(blob).digest("hex"));
    assert.equal(podExec(c, APP, "web-0", ["wc", "-c"], { input: "" }).stdout.trim(), "0");
  });

  it("a ClusterExec serves pods whose names are known only at run time (a Deployment's)", async () => {
    c.apply(deployment("fleet", "api", 2));
    const dir = vol("fleet", "api");
    c.setClusterExec("fleet", { namespaces: ["fleet"] }, { workDir: dir, env: { ROLE: "api" } });
    let pods: string[] = [];
    await waitFor(
      "2 Running api pods",
      () => (pods = runningPods(c, "fleet", "app=api")).length === 2,
      60000,
    );
    for (const p of pods) {
      await waitForExec(c, "fleet", p);
      assert.equal(podExec(c, "fleet", p, ["/bin/sh", "-c", "echo $ROLE; pwd"]).stdout, `api\n${dir}\n`);
    }
    c.deleteClusterExec("fleet");
    await waitFor(
      "exec refused without a ClusterExec",
      () => podExec(c, "fleet", pods[0], ["true"], { allowFail: true }).code !== 0,
      30000,
      200,
    );
  });

  describe("Velero 1.10.3 pre-backup exec hooks on a fake pod", () => {
    const backup = (name: string, command: string[]) => {
      c.apply({
        apiVersion: "velero.io/v1",
        kind: "Backup",
        metadata: { name, namespace: NAMESPACE },
        spec: {
          includedNamespaces: [APP],
          storageLocation: "default",
          snapshotVolumes: false,
          ttl: "1h0m0s",
          hooks: {
            resources: [
              {
                name: "freeze",
                includedNamespaces: [APP],
                labelSelector: { matchLabels: { app: "web" } },
                pre: [{ exec: { container: "main", command, onError: "Fail", timeout: "30s" } }],
              },
            ],
          },
        },
      });
    };
    const phaseOf = async (name: string) => {
      let phase = "";
      await waitFor(
        `backup ${name} to finish`,
        () =>
          ["Completed", "PartiallyFailed", "Failed", "FailedValidation"].includes(
            (phase = c.kubectl(
              ["-n", NAMESPACE, "get", "backups.velero.io", name, "-o", "jsonpath={.status.phase}"],
              undefined,
              true,
            ).stdout),
          ),
        120000,
        500,
      );
      return phase;
    };

    it("a hook's command runs locally in the pod's workDir and the backup Completes", async () => {
      const dir = vol(APP, "web-0");
      backup("hook-ok", ["/bin/bash", "-c", 'echo "frozen by $FOO" > pre-hook.txt']);
      const phase = await phaseOf("hook-ok");
      assert.equal(
        phase,
        "Completed",
        velero.cli(c, ["backup", "describe", "hook-ok", "--details", "--colorized=false"], true).stdout,
      );
      assert.equal(readFileSync(path.join(dir, "pre-hook.txt"), "utf8"), "frozen by bar\n");
      const details = velero.cli(c, [
        "backup",
        "describe",
        "hook-ok",
        "--details",
        "--colorized=false",
      ]).stdout;
      assert.match(details, /v1\/Pod:\s*\n\s*- app\/web-0/);
      assert.doesNotMatch(details, /kwok\.x-k8s\.io/, "KWOK's Exec objects are excluded from backups");
    });

    it("a hook exiting 1 with onError Fail leaves the backup PartiallyFailed, Velero saying why", async () => {
      const dir = vol(APP, "web-0");
      backup("hook-fail", ["/bin/bash", "-c", "echo failing > failed-hook.txt; exit 1"]);
      const phase = await phaseOf("hook-fail");
      assert.ok(existsSync(path.join(dir, "failed-hook.txt")), "the hook ran");
      const describe = velero.cli(c, ["backup", "describe", "hook-fail", "--colorized=false"], true).stdout;
      const logs = velero.cli(c, ["backup", "logs", "hook-fail"], true).stdout;
      const errors = logs.split("\n").filter((l) => /level=error/.test(l));
      console.log(
        `      hook-fail: phase ${phase}\n` +
          `${describe
            .split("\n")
            .filter((l) => /^(Phase|Errors|Warnings):/.test(l))
            .map((l) => `        ${l}`)
            .join("\n")}\n` +
          `${errors.map((l) => `        ${l.slice(0, 400)}`).join("\n")}`,
      );
      assert.equal(phase, "PartiallyFailed");
      assert.match(describe, /Errors:\s+[1-9]/);
      assert.ok(
        errors.some(
          (l) => /Error executing hook/.test(l) && /hookPhase=pre/.test(l) && /exit status 1/.test(l),
        ),
        `the hook's failure in the backup log:\n${errors.join("\n")}`,
      );
    });
  });

  it("two local MariaDB servers at once; a dump travels from a source pod to a destination pod via a volume and stdin", async () => {
    const src = new LocalMariaDB("mariadb-source", procs, path.join(workDir, "mariadb-source"), 13306);
    const dst = new LocalMariaDB(
      "mariadb-destination",
      procs,
      path.join(workDir, "mariadb-destination"),
      13307,
    );
    await Promise.all([src.start(), dst.start()]);
    src.sql(
      "CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40)); " +
        "INSERT INTO shop.orders VALUES (1, 'tea'), (2, 'scones'), (3, 'jam');",
    );
    assert.deepEqual(dst.query("SHOW DATABASES LIKE 'shop'"), []);
    // The source's database pod: the backup hook dumps into its volume.
    c.apply(pod("data", "mariadb-0", { app: "mariadb" }, ["mariadb"]));
    await enableWorkloadExec(c, "data", "app=mariadb", { workDir: vol("data", "mariadb") });
    const dump = ["mariadb-dump", ...src.clientArgs(), "--single-transaction", "--databases", "shop"];
    podExec(c, "data", "mariadb-0", ["/bin/sh", "-c", `${dump.join(" ")} > shop.sql`]);
    assert.match(readFileSync(path.join(vol("data", "mariadb"), "shop.sql"), "utf8"), /INSERT INTO `orders`/);
    // Restored elsewhere: the volume's contents are carried over, the post-restore step streams
    // the dump into the destination server through a (differently named) pod's stdin.
    const copied = volumes.copyVolume(
      { cluster: c.name, namespace: "data", workload: "mariadb", volume: "data" },
      { cluster: "destination", namespace: "data", workload: "mariadb", volume: "data" },
    );
    assert.equal(copied.files, 1);
    const restored = volumes.dir({
      cluster: "destination",
      namespace: "data",
      workload: "mariadb",
      volume: "data",
    });
    c.apply(pod("data", "mariadb-restored", { app: "mariadb-restored" }, ["mariadb"]));
    await enableWorkloadExec(c, "data", "app=mariadb-restored", { workDir: restored });
    podExec(c, "data", "mariadb-restored", ["mariadb", ...dst.clientArgs()], {
      inputFile: path.join(restored, "shop.sql"),
    });
    assert.deepEqual(dst.query("SELECT id, item FROM orders ORDER BY id", "shop"), [
      ["1", "tea"],
      ["2", "scones"],
      ["3", "jam"],
    ]);
    assert.match(dst.dump(["shop"]), /CREATE TABLE `orders`/);
    await Promise.all([src.stop(), dst.stop()]);
  });

  it("two local PostgreSQL servers at once (as the postgres user); pg_dump in one pod, psql from stdin in another", async () => {
    const src = new LocalPostgres("postgres-source", procs, path.join(workDir, "postgres-source"), 15432);
    const dst = new LocalPostgres(
      "postgres-destination",
      procs,
      path.join(workDir, "postgres-destination"),
      15433,
    );
    await Promise.all([src.start(), dst.start()]);
    assert.equal(src.sql("SELECT current_user").stdout.trim(), "postgres");
    src.sql("CREATE DATABASE shop");
    src.sql(
      "CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'tea'), (2, 'scones');",
      "shop",
    );
    dst.sql("CREATE DATABASE shop");
    const env = (p: LocalPostgres) => ({ PGHOST: "127.0.0.1", PGPORT: String(p.port), PGUSER: "postgres" });
    c.apply(pod("data", "postgres-0", { app: "postgres" }, ["postgres"]));
    await enableWorkloadExec(c, "data", "app=postgres", { workDir: vol("data", "postgres"), env: env(src) });
    podExec(c, "data", "postgres-0", [
      "/bin/sh",
      "-c",
      `${path.join(src.bin, "pg_dump")} --no-owner shop > shop.sql`,
    ]);
    c.apply(pod("data", "postgres-restored", { app: "postgres-restored" }, ["postgres"]));
    await enableWorkloadExec(c, "data", "app=postgres-restored", {
      workDir: vol("data", "postgres"),
      env: env(dst),
    });
    const out = podExec(
      c,
      "data",
      "postgres-restored",
      [path.join(dst.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "shop"],
      { inputFile: path.join(vol("data", "postgres"), "shop.sql") },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(dst.query("SELECT id, item FROM orders ORDER BY id", "shop"), [
      ["1", "tea"],
      ["2", "scones"],
    ]);
    // A failing SQL statement fails the step (psql's exit status 3 through exec).
    const bad = podExec(
      c,
      "data",
      "postgres-restored",
      [path.join(dst.bin, "psql"), "-X", "-v", "ON_ERROR_STOP=1"],
      {
        input: "SELECT * FROM no_such_table;\n",
        allowFail: true,
      },
    );
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(dst.dump("shop"), /CREATE TABLE public\.orders/);
    await Promise.all([src.stop(), dst.stop()]);
  });
});
