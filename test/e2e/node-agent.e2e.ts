import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "fs";
import * as os from "os";
import * as path from "path";
import { DESTINATION_PORTS, LocalCluster, SOURCE_PORTS } from "../../drill/lib/kube";
import { fileBytes } from "../../drill/lib/fs-backup";
import { Minio } from "../../drill/lib/minio";
import { NodeAgents } from "../../drill/lib/node-agent";
import { Processes, run, waitFor } from "../../drill/lib/procs";
import { ClaimProvisioner } from "../../drill/lib/provisioner";
import { toolchain } from "../../drill/lib/toolchain";
import { BUCKET, drillBslConfig, LocalVelero, NAMESPACE } from "../../drill/lib/velero";
import { fileDigests, PodVolumes } from "../../drill/lib/volumes";

/**
 * Velero 1.10.3's file-system backup for real: the node agent (`velero node-agent server`, kopia
 * uploader) runs for every fake node of two clusters (drill/lib/node-agent), copies the files of
 * the pods' claims into MinIO (PodVolumeBackups), and fills the claims of the restored pods on the
 * other cluster (PodVolumeRestores, with the real velero-restore-helper as their init container).
 * The restored files must be byte-identical. Prints the fs-backup throughput next to a raw copy.
 */

const NS = "fsb";
const MiB = 1 << 20;

function claim(name: string) {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: NS },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  };
}

/** A Deployment whose pod mounts `claims` (at /data/<claim>), pinned to the nodes of `slot`. */
function deployment(name: string, slot: string, claims: string[]) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { "drill.velero-dr/slot": slot },
          containers: [
            {
              name: "main",
              image: `registry.example/${name}:1`,
              volumeMounts: claims.map((c) => ({ name: c, mountPath: `/data/${c}` })),
            },
          ],
          volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })),
        },
      },
    },
  };
}

/** Every entry under dir with its type, mode and (for links) target: what a copy must keep besides bytes. */
function shape(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = path.join(d, e);
      const st = lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`);
      else out.push(`${rel} ${st.isDirectory() ? "d" : "f"} ${(st.mode & 0o7777).toString(8)}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** The Backup or Restore once it is no longer New or InProgress. */
async function finished(c: LocalCluster, kind: "backup" | "restore", name: string): Promise<any> {
  let last: any;
  await waitFor(
    `${kind} ${name} finished`,
    () => {
      last = c.getJson(["-n", NAMESPACE, "get", kind, name]);
      return !["", "New", "InProgress"].includes(last.status?.phase ?? "");
    },
    15 * 60_000,
    1000,
  );
  return last;
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const rate = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(1)} MiB/s`;

describe("drill node agent: Velero 1.10.3 file-system backup and restore (kopia) of pod volumes", function () {
  this.timeout(40 * 60 * 1000);
  let workDir = "";
  let procs: Processes;
  let src: LocalCluster;
  let dst: LocalCluster;
  let minio: Minio;
  let velero: LocalVelero;
  let volumes: PodVolumes;
  const agents: NodeAgents[] = [];
  const provisioners: ClaimProvisioner[] = [];
  /** claim -> file digests / shape / bytes of the source's data. */
  const written: Record<string, { digests: Record<string, string>; shape: string[]; bytes: number }> = {};
  const CLAIMS = { web: ["data", "media"], worker: ["logs"] };
  let bslConfig: Record<string, string> = {};

  before(async () => {
    workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `node-agent-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    const tc = toolchain();
    procs = new Processes(path.join(workDir, "logs"));
    volumes = new PodVolumes(path.join(workDir, "volumes"));
    src = new LocalCluster("source", SOURCE_PORTS, workDir, tc.bin, procs);
    dst = new LocalCluster("destination", DESTINATION_PORTS, workDir, tc.bin, procs);
    minio = new Minio(tc.bin, procs, path.join(workDir, "minio"));
    velero = new LocalVelero(tc.bin, tc.plugins, procs, path.join(workDir, "velero"));
    await Promise.all([src.start(2), dst.start(2), minio.start().then(() => minio.createBucket(BUCKET))]);
    bslConfig = drillBslConfig(minio, tc.pluginVersion);
    for (const c of [src, dst]) {
      // The same two slots on both clusters, so a restored pod's nodeSelector finds its node.
      c.kubectl(["label", "node", `${c.name}-node-0`, "drill.velero-dr/slot=a"]);
      c.kubectl(["label", "node", `${c.name}-node-1`, "drill.velero-dr/slot=b"]);
      const p = new ClaimProvisioner(c, volumes, "csi");
      p.start();
      provisioners.push(p);
      velero.installCrds(c);
    }
    velero.prepare(src, bslConfig, "ReadWrite");
    velero.prepare(dst, bslConfig, "ReadOnly");
    for (const c of [src, dst]) {
      const a = new NodeAgents(c, procs, {
        bin: tc.bin,
        dir: path.join(workDir, "node-agents"),
        credentials: minio.credentialsFile(),
        ports: [minio.port],
      });
      agents.push(a);
    }
    await Promise.all(agents.map((a) => a.start()));
    await velero.start("velero-source", src, minio, { args: ["--uploader-type=kopia"] });
  });

  after(async () => {
    for (const p of provisioners) p.stop();
    for (const a of agents) await a.stop().catch(() => undefined);
    await procs?.stopAll();
  });

  it("backs up the claims' files with the node agents: PodVolumeBackups Completed with their byte counts", async () => {
    src.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    src.apply({
      apiVersion: "v1",
      kind: "List",
      items: [...CLAIMS.web, ...CLAIMS.worker].map(claim),
    });
    await waitFor(
      "claims Bound",
      () =>
        src
          .kubectl(["-n", NS, "get", "pvc", "-o", "jsonpath={.items[*].status.phase}"])
          .stdout.split(" ")
          .filter((p) => p === "Bound").length === 3,
      60000,
    );
    // What the applications wrote: text, binary, a large incompressible file, an empty file, nested
    // directories, a symbolic link, a private file; many small files in another pod's claim.
    const data = volumes.claimDir(src.name, NS, "data");
    mkdirSync(path.join(data, "config", "nested"), { recursive: true });
    writeFileSync(path.join(data, "config", "app.yaml"), "name: fsb\nreplicas: 3\n");
    writeFileSync(path.join(data, "config", "nested", "empty"), "");
    writeFileSync(path.join(data, "blob.bin"), randomBytes(MiB + 4321));
    writeFileSync(path.join(data, "secret.key"), randomBytes(64));
    chmodSync(path.join(data, "secret.key"), 0o600);
    symlinkSync("config/app.yaml", path.join(data, "current"));
    const media = volumes.claimDir(src.name, NS, "media");
    writeFileSync(path.join(media, "large.bin"), randomBytes(24 * MiB));
    const logs = volumes.claimDir(src.name, NS, "logs");
    for (let i = 0; i < 300; i++) {
      mkdirSync(path.join(logs, `day-${i % 10}`), { recursive: true });
      writeFileSync(path.join(logs, `day-${i % 10}`, `part-${i}.log`), randomBytes(4096).toString("base64"));
    }
    for (const c of [...CLAIMS.web, ...CLAIMS.worker]) {
      const d = volumes.claimDir(src.name, NS, c);
      written[c] = { digests: fileDigests(d), shape: shape(d), bytes: fileBytes(d) };
    }
    src.apply({
      apiVersion: "v1",
      kind: "List",
      items: [deployment("web", "a", CLAIMS.web), deployment("worker", "b", CLAIMS.worker)],
    });
    await waitFor(
      "pods Running",
      () =>
        src
          .kubectl(["-n", NS, "get", "pods", "-o", "jsonpath={.items[*].status.phase}"])
          .stdout.split(" ")
          .filter((p) => p === "Running").length === 2,
      120000,
    );

    const started = Date.now();
    velero.cli(src, [
      "backup",
      "create",
      "fsb-1",
      `--include-namespaces=${NS}`,
      "--default-volumes-to-fs-backup",
    ]);
    // Not `--wait`: the CLI would hold this process, and with it the kubelet's part (node-agent.ts).
    const backup = await finished(src, "backup", "fsb-1");
    const wall = (Date.now() - started) / 1000;
    assert.equal(backup.status.phase, "Completed", JSON.stringify(backup.status));
    const pvbs = src.getJson([
      "-n",
      NAMESPACE,
      "get",
      "podvolumebackups",
      "-l",
      "velero.io/backup-name=fsb-1",
    ]).items as any[];
    const byClaim: Record<string, any> = Object.fromEntries(
      pvbs.map((p) => [p.metadata.annotations?.["velero.io/pvc-name"] ?? p.spec.volume, p]),
    );
    assert.deepEqual(Object.keys(byClaim).sort(), [...CLAIMS.web, ...CLAIMS.worker].sort());
    for (const [c, pvb] of Object.entries(byClaim)) {
      assert.equal(pvb.status.phase, "Completed", `${c}: ${JSON.stringify(pvb.status)}`);
      assert.equal(pvb.spec.uploaderType, "kopia");
      assert.match(pvb.status.snapshotID, /^[0-9a-f]+$/);
      assert.equal(pvb.status.progress.totalBytes, written[c].bytes, `${c} total bytes`);
      assert.equal(pvb.status.progress.bytesDone, written[c].bytes, `${c} bytes done`);
    }
    // Each node's own agent did its pods' volumes.
    const nodeOf = (p: any) => p.spec.node as string;
    assert.equal(nodeOf(byClaim.data), "source-node-0");
    assert.equal(nodeOf(byClaim.logs), "source-node-1");
    // The volume data is in the store, in the kopia repository of the namespace.
    const keys = await minio.listKeys(BUCKET, `kopia/${NS}/`);
    assert.ok(keys.length > 0, "no kopia repository objects in the bucket");

    // Throughput: the node agents' bytes over their PodVolumeBackups' window (timestamps have a
    // resolution of one second), next to a raw copy of the same data on the same disk.
    const total = Object.values(written).reduce((n, w) => n + w.bytes, 0);
    const window = Math.max(
      1,
      seconds(
        pvbs.map((p) => p.status.startTimestamp).sort()[0],
        pvbs
          .map((p) => p.status.completionTimestamp)
          .sort()
          .reverse()[0],
      ),
    );
    const copyDir = path.join(workDir, "raw-copy");
    mkdirSync(copyDir);
    const t0 = process.hrtime.bigint();
    for (const c of Object.keys(written)) {
      run("cp", ["-a", volumes.claimDir(src.name, NS, c), path.join(copyDir, c)]);
    }
    run("sync", []);
    const cpSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rmSync(copyDir, { recursive: true, force: true });
    console.log(
      `      fs-backup (kopia, node agents): ${total} bytes in ${window}s of PodVolumeBackups = ${rate(total, window)} ` +
        `(backup wall time ${wall.toFixed(1)}s); raw cp -a + sync of the same data: ${cpSeconds.toFixed(2)}s = ${rate(total, cpSeconds)}`,
    );
  });

  it("restores them on another cluster: PodVolumeRestores Completed, the files byte-identical", async () => {
    await velero.stop("velero-source");
    await velero.start("velero-destination", dst, minio, { args: ["--uploader-type=kopia"] });
    await waitFor(
      "backup fsb-1 synced to the destination",
      () => dst.kubectlOk(["-n", NAMESPACE, "get", "backup", "fsb-1"]),
      120000,
      1000,
    );
    const repoBefore = await minio.listKeys(BUCKET, "kopia/");
    velero.cli(dst, ["restore", "create", "fsb-r", "--from-backup=fsb-1"]);
    const restore = await finished(dst, "restore", "fsb-r");
    assert.equal(restore.status.phase, "Completed", JSON.stringify(restore.status));
    const pvrs = dst.getJson([
      "-n",
      NAMESPACE,
      "get",
      "podvolumerestores",
      "-l",
      "velero.io/restore-name=fsb-r",
    ]).items as any[];
    assert.equal(pvrs.length, 3);
    for (const pvr of pvrs) {
      assert.equal(pvr.status.phase, "Completed", `${pvr.spec.volume}: ${JSON.stringify(pvr.status)}`);
      assert.equal(pvr.spec.uploaderType, "kopia");
      assert.equal(pvr.status.progress.bytesDone, written[pvr.spec.volume].bytes, `${pvr.spec.volume} bytes`);
    }
    // The pods start once their restore helper found every volume's done file (it then removes them).
    await waitFor(
      "restored pods Running",
      () =>
        dst
          .kubectl(["-n", NS, "get", "pods", "-o", "jsonpath={.items[*].status.phase}"])
          .stdout.split(" ")
          .filter((p) => p === "Running").length === 2,
      120000,
      1000,
    );
    for (const c of Object.keys(written)) {
      const d = volumes.claimDir(dst.name, NS, c);
      assert.ok(!existsSync(path.join(d, ".velero")), `${c}: the done files were left behind`);
      assert.deepEqual(fileDigests(d), written[c].digests, `${c}: restored files differ`);
      assert.deepEqual(shape(d), written[c].shape, `${c}: restored entries, modes or links differ`);
    }
    const total = Object.values(written).reduce((n, w) => n + w.bytes, 0);
    const window = Math.max(
      1,
      seconds(
        pvrs.map((p) => p.status.startTimestamp).sort()[0],
        pvrs
          .map((p) => p.status.completionTimestamp)
          .sort()
          .reverse()[0],
      ),
    );
    console.log(
      `      fs-restore (kopia, node agents): ${total} bytes in ${window}s = ${rate(total, window)}`,
    );
    // What the destination (its location ReadOnly) wrote into the source's kopia repository: Velero
    // 1.10.3 runs repository maintenance on a new BackupRepository whatever the location's mode.
    const repoAfter = await minio.listKeys(BUCKET, "kopia/");
    const added = repoAfter.filter((k) => !repoBefore.includes(k));
    const removed = repoBefore.filter((k) => !repoAfter.includes(k));
    console.log(
      `      kopia repository objects during the restore: ${repoBefore.length} before, +${added.length} -${removed.length}` +
        (added.length + removed.length > 0 ? ` (${[...added, ...removed].slice(0, 8).join(", ")})` : ""),
    );
  });
});
