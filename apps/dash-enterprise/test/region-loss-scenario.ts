import * as fs from "fs";
import * as path from "path";
import { dashEnterprise } from "../profile";
import { DASH_CLAIMS, DashClaim } from "../drill/fixture";
import { writeDashVolumeData } from "../drill/volume-data";
import {
  drillChart,
  drillWorkspace,
  engineCliRoot,
  initSourceStack,
  initStack,
  output,
  upWithVelero,
} from "../../../drill/engine-stacks";
import {
  opsThroughput,
  PodVolumeOp,
  podVolumeBackups,
  podVolumeRestores,
  rawCopy,
  VolumeContents,
  volumeContents,
  volumeDifferences,
} from "../../../drill/lib/fs-backup";
import { LocalCluster } from "../../../drill/lib/kube";
import { NodeAgents } from "../../../drill/lib/node-agent";
import { ClaimProvisioner } from "../../../drill/lib/provisioner";
import { PodVolumes } from "../../../drill/lib/volumes";
import { Minio } from "../../../drill/lib/minio";
import { waitFor } from "../../../drill/lib/procs";
import { backupsIn, replicaLag, replicateBucket, versionIdentities } from "../../../drill/lib/replication";
import { replicationToolchain } from "../../../drill/lib/toolchain";
import { BUCKET, NAMESPACE } from "../../../drill/lib/velero";
import {
  Check,
  DrillOptions,
  DrillReport,
  newDrillReport,
  printSummary,
  restoreName,
  veleroRestoreSeconds,
} from "../../../drill/scenario";
import { backendOf } from "../../../components/backends";
import { fsBackupScope, resolveVolumeBackup, Uploader } from "../../../components/config/volume-backup";
import { s3compatDestinationLocations } from "../../../components/backends/s3compat";
import { buildRestoreChain } from "../../../components/restore/chain";
import { recover } from "../../../tools/automation/driver";
import { automationEngine } from "../../../tools/automation/engine";
import { checkRestore, dashScheduleSpec, DashWorld, SCHEDULE } from "../drill/scenario";
/**
 * The region-loss drill of Dash Enterprise (#17 item 4): two loopback "regions", each with its own
 * MinIO. The source region's MinIO replicates the backup bucket to the recovery region's with
 * MinIO's own bucket replication (set up through its admin API by minio-replicate; the drill copies
 * nothing). Dash Enterprise's stateful parts have claims with data (DASH_CLAIMS: PostgreSQL,
 * Harbor's registry, Redpanda), copied file by file by Velero 1.10.3's node agent for real (one
 * `velero node-agent server` per fake node, kopia uploader: drill/lib/node-agent.ts) into the
 * source region's MinIO. The source backs up twice (the data changes in between); the drill watches
 * the replica until every object version, the kopia repository's included, is identical. The
 * disaster takes the source cluster AND the source region's MinIO. A destination that reads the
 * replica (`s3compat.replica`, `backup.location: replica`, the key pair of the replica's store)
 * recovers Dash Enterprise; its node agents reach only the recovery region's MinIO, and the restored
 * claims must be byte-identical to what the source's pods had at the restored backup. The report:
 * `regionLoss: true`, the replication figures (the replica's lag at the disaster = the RPO
 * replication added; how long the last backup took to reach the replica), the fs-backup throughput
 * next to a raw copy of the same data on the same disk (same run), the RTO (disaster declared ->
 * health green).
 *
 * `engine: true`: the source stack's `pulumi up` (file-system backup kept at the profile's default,
 * the uploader set by `velero.uploaderType: kopia` as a user sets it; its node-agent DaemonSet is
 * what the node agents play) and, on the destination, `npm run dr`'s driver (the Automation API on
 * the real engine, through the KOTS gate), with the stack's own recovery report.
 * `engine: false` runs the same region loss without the Pulumi engine (no engine toolset): the
 * drill's Velero with the project's Schedule and the volume settings the source stack resolves for
 * the profile on the source, and on the destination the drill's Velero with the location the
 * s3compat backend builds for `s3compat.replica`, and the chain by the drill's step runner from
 * the destination's stack config (as `npm run drill -- --runner`).
 *
 * Why kopia: Dash Enterprise's profile default uploader is restic, which the drill cannot run
 * (README, Limits): the stack's own key `velero.uploaderType` selects kopia.
 */

const SOURCE = "drill-source";
const DEST = "drill-destination-replica";
/** The recovery region's MinIO (the source region's is the drill's usual one, on 9000). */
export const REPLICA_PORT = 9100;
/** The uploader the drill's stacks set (`velero.uploaderType`): restic cannot run here. */
const UPLOADER: Uploader = "kopia";

export interface RegionLossRun {
  report: DrillReport;
  /** What the driver said (its progress, the gate, the outcome). */
  said: string[];
  /** The destination's BSL as Velero ran it (its store is the replica). */
  bsl?: { s3Url: string; bucket: string; accessMode: string };
  /** The source region's MinIO answered after the disaster (it must not). */
  primaryAnsweredAfterDisaster?: boolean;
  /** The node agents' PodVolumeBackups (of the restored backup) and PodVolumeRestores. */
  podVolumeBackups?: PodVolumeOp[];
  podVolumeRestores?: PodVolumeOp[];
  /**
   * Each claim (`<namespace>/<claim>`): what the source's pods had at the restored backup, and the
   * destination's claim directory it was restored into.
   */
  volumes?: Record<string, { expected: VolumeContents; restoredDir: string }>;
  /** Objects of the kopia repositories in the replica (`kopia/<namespace>/...`). */
  replicaRepositoryObjects?: number;
}

const claimKey = (c: DashClaim) => `${c.namespace}/${c.claim}`;

/**
 * A check on a restored volume: byte-identical to what the source had (sha256 of every file, none
 * missing, none extra), or the differences named.
 */
export function volumeCheck(key: string, expected: VolumeContents, restoredDir: string) {
  const diff = volumeDifferences(expected, restoredDir);
  return {
    name: `volume data: ${key} restored byte-identical (every file's sha256, none missing or extra)`,
    ok: diff.length === 0,
    detail:
      diff.length === 0
        ? `${Object.keys(expected.digests).length} files, ${expected.bytes} bytes`
        : diff.slice(0, 6).join("; ") + (diff.length > 6 ? `; ${diff.length - 6} more` : ""),
  };
}

export async function runRegionLossDrill(
  o: DrillOptions,
  opts: { engine?: boolean } = {},
): Promise<RegionLossRun> {
  const byEngine = opts.engine !== false;
  const w = new DashWorld(o);
  const report: DrillReport = newDrillReport(o, w);
  report.regionLoss = true;
  const run: RegionLossRun = { report, said: [] };
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string) => {
    checks.push({ name, ok, detail });
    if (!ok) o.log(`   FAIL ${name}: ${detail ?? ""}`);
  };
  const replica = new Minio(
    o.bin,
    w.procs,
    path.join(o.workDir, "minio-recovery-region"),
    REPLICA_PORT,
    "minio-replica",
  );
  // The volume settings the source stack resolves for the profile with `velero.uploaderType` set
  // (every pod volume copied file by file: Dash Enterprise's default on a store without snapshots).
  const volumeSettings = resolveVolumeBackup(
    dashEnterprise,
    backendOf("s3compat"),
    { uploaderType: UPLOADER },
    (k) => `velero-dr:${k}`,
  ).settings;
  w.sourceVolumeOutputs = {
    uploaderType: volumeSettings.uploaderType,
    fsBackup: fsBackupScope(volumeSettings),
    snapshotVolumes: false,
  };
  const volumes = new PodVolumes(path.join(o.workDir, "volumes"));
  const claimDir = (cluster: string) => (c: DashClaim) => volumes.claimDir(cluster, c.namespace, c.claim);
  const provisioners: ClaimProvisioner[] = [];
  const agents: NodeAgents[] = [];
  const agentsDir = path.join(o.workDir, "node-agents");
  let destinationVelero: Promise<void> | undefined;
  let destinationAgents: Promise<void> | undefined;
  let stopWaiting = false;
  // The source's `pulumi up` ended: its node agents no longer wait for its DaemonSet.
  let sourceUpEnded = false;
  try {
    const tool = path.join(replicationToolchain().bin, "minio-replicate");
    await w.phase("start the source region's MinIO and BIND", () => w.startServices());
    await w.phase("start the recovery region's MinIO", async () => {
      await replica.start();
      await replica.createBucket(BUCKET);
    });
    const { arn } = await w.phase(
      "replicate the bucket to the recovery region (MinIO bucket replication)",
      () => replicateBucket(tool, w.minio, replica, BUCKET),
    );
    o.log(`   remote target ${arn}`);

    await w.phase("start the source cluster", () => w.startSource());
    const c = w.source as LocalCluster;
    await w.phase("install the Dash Enterprise fixture, its claims and their data", async () => {
      // The cluster's CSI provisioner: its volumes are laid out where the node agent reads them.
      const p = new ClaimProvisioner(c, volumes, "csi");
      p.start();
      provisioners.push(p);
      w.installFixture({ claims: true });
      await waitFor(
        `${DASH_CLAIMS.length} claims Bound`,
        () => DASH_CLAIMS.every((x) => claimPhase(c, x) === "Bound"),
        120_000,
        1000,
      );
      writeDashVolumeData(claimDir(c.name), 1);
      await waitFor("the pods with claims Running", () => podsWithClaimsRunning(c), 180_000, 1000);
    });
    // The source's node agents reach the source region's MinIO only.
    const sourceAgents = new NodeAgents(c, w.procs, {
      bin: o.bin,
      dir: agentsDir,
      ports: [w.minio.port],
      ...(byEngine
        ? { daemonSet: "stack" as const, stopped: () => stopWaiting || sourceUpEnded }
        : { credentials: w.minio.credentialsFile() }),
    });
    agents.push(sourceAgents);
    const engineParts = byEngine
      ? { chartPath: drillChart(w), ws: drillWorkspace(w, path.join(o.workDir, "engine")) }
      : undefined;
    let first: string;
    if (engineParts) {
      const { ws, chartPath } = engineParts;
      initSourceStack(ws, w, SOURCE, {
        profile: dashEnterprise.name,
        schedules: [{ name: SCHEDULE, cron: "0 0 * * *", ttl: "720h" }],
        chartPath,
        fileSystemBackup: { uploaderType: UPLOADER },
      });
      const up = await w.phase(
        "pulumi up of the source stack (Velero and its node agent, Schedule, first backup)",
        async () => {
          // The node agents start once the stack's DaemonSet runs (the first backup waits for them).
          const started = sourceAgents.start().then(
            () => undefined,
            (e: Error) => e,
          );
          const r = await upWithVelero(ws, w, SOURCE, c, "velero-source");
          sourceUpEnded = true;
          const failed = await started;
          if (failed) throw new Error(`the source's node agents did not start: ${failed.message}`);
          return r;
        },
      );
      if (up.code !== 0) throw new Error(`pulumi up of the source stack failed:\n${output(up)}`);
      first = firstBackupName(c);
    } else {
      await w.phase(
        "install Velero and its node agents on the source, apply the project's Schedule",
        async () => {
          w.velero.installCrds(c);
          w.velero.prepare(c, w.bslConfig(), "ReadWrite");
          await sourceAgents.start();
          await w.velero.start("velero-source", c, w.minio, {
            args: [`--uploader-type=${volumeSettings.uploaderType}`],
          });
          w.applySchedule(
            {
              name: SCHEDULE,
              spec: dashScheduleSpec(dashEnterprise, volumeSettings.defaultVolumesToFsBackup),
            },
            dashEnterprise.name,
          );
        },
      );
      first = await w.phase("a first backup from the Schedule", () => w.backup(SCHEDULE));
    }

    // fs-backup throughput: the first backup uploads every byte; a raw copy of the same data on the
    // same disk, now, in the same run.
    const firstOps = podVolumeBackups(c, first);
    const fsThroughput = opsThroughput(firstOps);
    const raw = await w.phase("a raw copy of the same data on the same disk (cp -a + sync)", () =>
      rawCopy(DASH_CLAIMS.map(claimDir(c.name)), path.join(o.workDir, "raw-copy")),
    );
    report.fsBackup = {
      uploader: volumeSettings.uploaderType,
      volumes: DASH_CLAIMS.map(claimKey),
      backup: first,
      backupThroughput: fsThroughput,
      rawCopy: raw,
      ratio: fsThroughput.bytesPerSecond / raw.bytesPerSecond,
    };
    checkPodVolumeBackups(check, firstOps, first, w.minio.endpoint);

    // The apps write between the two backups; the restore must bring back the later state.
    writeDashVolumeData(claimDir(c.name), 2);
    const expected: Record<string, VolumeContents> = Object.fromEntries(
      DASH_CLAIMS.map((x) => [claimKey(x), volumeContents(claimDir(c.name)(x))]),
    );
    const second = await w.phase("one more backup from the Schedule", () => w.backup(SCHEDULE));
    const secondOps = podVolumeBackups(c, second);
    run.podVolumeBackups = secondOps;
    checkPodVolumeBackups(check, secondOps, second, w.minio.endpoint);
    const wrongBytes = secondOps.filter((x) => x.totalBytes !== expected[`${x.namespace}/${x.claim}`]?.bytes);
    check(
      `fs-backup: backup ${second}'s PodVolumeBackups counted every byte of each volume`,
      wrongBytes.length === 0,
      wrongBytes.map((x) => `${x.namespace}/${x.claim}: ${x.totalBytes}`).join(", ") ||
        secondOps.map((x) => `${x.claim} ${x.totalBytes}`).join(", "),
    );

    // How long MinIO took to carry the newest backup over: its metadata object (written last by
    // Velero) in the primary, then in the replica.
    const writtenAt = backupsIn(await w.minio.listVersions(BUCKET)).get(second);
    await w.phase("the newest backup reaches the replica", () =>
      waitFor(
        `backup ${second} in the recovery region's MinIO`,
        async () => backupsIn(await replica.listVersions(BUCKET)).has(second),
        120_000,
        250,
      ),
    );
    const observedDelaySeconds = writtenAt ? Math.max(0, (Date.now() - Date.parse(writtenAt)) / 1000) : -1;
    let primaryVersions: string[] = [];
    let replicaVersions: string[] = [];
    const identical = await w
      .phase("every object version identical in the replica", () =>
        waitFor(
          "the replica identical to the primary (every version: key, version id, ETag, size)",
          async () => {
            primaryVersions = await w.minio.listVersions(BUCKET);
            replicaVersions = await replica.listVersions(BUCKET);
            return (
              primaryVersions.length > 0 &&
              JSON.stringify(versionIdentities(primaryVersions)) ===
                JSON.stringify(versionIdentities(replicaVersions))
            );
          },
          120_000,
          500,
        ),
      )
      .then(
        () => true,
        () => false,
      );
    check(
      "replication: every object version of the source region's bucket is in the replica, identical (key, version id, ETag, size)",
      identical,
      `${primaryVersions.length} versions in the primary, ${replicaVersions.length} in the replica`,
    );
    const kopiaInReplica = (await replica.listKeys(BUCKET, "kopia/")).length;
    run.replicaRepositoryObjects = kopiaInReplica;
    check(
      "replication: the volume data (the kopia repositories) is in the replica",
      kopiaInReplica > 0 &&
        [...new Set(DASH_CLAIMS.map((x) => x.namespace))].every((ns) =>
          replicaVersions.some((v) => v.split(" ")[1]?.startsWith(`kopia/${ns}/`)),
        ),
      `${kopiaInReplica} objects under kopia/`,
    );

    // The disaster: the source cluster and the source region's object store are gone.
    const disaster = Date.now();
    const lag = replicaLag(await w.minio.listVersions(BUCKET), await replica.listVersions(BUCKET));
    report.replication = {
      primary: w.minio.endpoint,
      replica: replica.endpoint,
      bucket: BUCKET,
      arn,
      identical,
      versions: primaryVersions.length,
      observedDelaySeconds,
      atDisaster: lag,
    };
    o.log(
      `== DISASTER DECLARED: the source region is lost (its cluster and its MinIO); replica lag ${lag.lagSeconds ?? "unknown"} s`,
    );
    await w.phase("lose the source cluster", async () => {
      await sourceAgents.stop();
      for (const p of provisioners) p.stop();
      await w.loseSource();
    });
    await w.phase("lose the source region's MinIO", () => w.minio.stop());
    run.primaryAnsweredAfterDisaster = await w.minio.answers();
    check("disaster: the source region's MinIO no longer answers", !run.primaryAnsweredAfterDisaster);
    const restoredFrom = lag.newestInReplica?.name;
    if (!restoredFrom) throw new Error("the replica has no backup: nothing to recover from");
    w.backupName = restoredFrom;

    const d = await w.phase("start the destination cluster in the recovery region", async () => {
      const dc = await w.startDestinationCluster("destination");
      const p = new ClaimProvisioner(dc, volumes, "csi");
      p.start();
      provisioners.push(p);
      return dc;
    });
    // The destination's node agents reach the recovery region's MinIO only (the replica).
    const destAgents = new NodeAgents(d, w.procs, {
      bin: o.bin,
      dir: agentsDir,
      ports: [replica.port],
      ...(byEngine
        ? { daemonSet: "stack" as const, stopped: () => stopWaiting }
        : { credentials: replica.credentialsFile() }),
    });
    agents.push(destAgents);
    const replicaEdits = {
      backup: { schedule: SCHEDULE, location: "replica" },
      // A destination reading the replica is not promoted onto it (refused): its location stays ReadOnly.
      restore: { promoteToPrimary: false },
      s3compat: { replica: { endpoint: replica.endpoint, bucket: BUCKET, region: replica.region } },
    };
    if (!engineParts) {
      await w.phase(
        "the runner: recover from the replica (chain to the gate, redeploy, resume)",
        async () => {
          // The location the s3compat backend builds for the replica, as the stack would install it.
          const bslConfig = s3compatDestinationLocations(w.sourceOutputs(w.target), {
            ...replicaEdits,
            s3compat: { replica: { ...replicaEdits.s3compat.replica, forcePathStyle: true } },
          }).bsl.config;
          w.velero.installCrds(d);
          w.velero.prepare(d, bslConfig, "ReadOnly");
          await destAgents.start();
          // The destination runs the source's uploader (its outputs' velero.uploaderType).
          await w.velero.start("velero-destination", d, replica, {
            args: [`--uploader-type=${volumeSettings.uploaderType}`],
          });
          const stateFile = path.join(o.workDir, "chain-state.json");
          let result = await w.runChain(buildRestoreChain(w.chainInput(replicaEdits)), stateFile);
          // Both runs' steps (the resumed run skips what the first did).
          const record = (r: typeof result) =>
            report.steps.push(
              ...r.results
                .filter((x) => x.status !== "skipped")
                .map((x) => ({ id: x.id, status: x.status, seconds: x.seconds })),
            );
          record(result);
          if (result.results.find((x) => x.status === "failed")?.id === "dash-kots-redeploy") {
            w.operatorRedeploys();
            result = await w.runChain(
              buildRestoreChain(w.chainInput({ ...replicaEdits, app: { kotsRedeployed: true } })),
              stateFile,
            );
            record(result);
          }
          check(
            "recovery: the restore chain recovers from the replica (the drill's runner)",
            result.ok,
            result.results.find((x) => x.status === "failed")?.id,
          );
          if (!result.ok) throw new Error("the restore chain failed");
        },
      );
      report.rtoSeconds = (Date.now() - disaster) / 1000;
      report.backup = restoredFrom;
    } else {
      const { ws, chartPath } = engineParts;
      const { values, secrets } = w.destinationConfig(w.target, replicaEdits);
      values.source = { stack: `organization/velero-dr/${SOURCE}` };
      values.velero = { namespace: NAMESPACE, chartPath, helmTimeoutSeconds: 300 };
      initStack(ws, DEST, JSON.parse(JSON.stringify(values)), {
        ...secrets,
        // The destination's key pair is a key of the replica's store: it has nothing on the primary.
        s3compatCredentials: { accessKeyId: replica.accessKey, secretAccessKey: replica.secretKey },
      });
      const engine = await automationEngine({
        stack: DEST,
        workDir: ws.project,
        env: { ...(ws.env as Record<string, string>), PULUMI_IGNORE_AMBIENT_PLUGINS: "true" },
        cliRoot: engineCliRoot(ws),
      });
      // The destination's Velero server plays the pod as deployed: the credentials from its Secret;
      // its node agents play the DaemonSet's pods (the stack installs the node agent because the
      // source copied volumes file by file), with the credentials their Secret holds.
      destinationVelero = w.velero.startWhenDeployed("velero-destination", d, replica, {
        stopped: () => stopWaiting,
        asDeployed: true,
      });
      destinationAgents = destAgents.start().catch((e: Error) => {
        check("destination: the node agents started (the stack's DaemonSet)", false, e.message);
        o.log(`   the destination's node agents did not start: ${e.message}`);
      });
      const result = await w.phase(
        "npm run dr of the destination stack (pulumi up, through the KOTS gate)",
        () =>
          recover({
            stack: DEST,
            engine,
            yes: true,
            outDir: path.join(o.workDir, "reports"),
            io: {
              say: (l) => {
                run.said.push(l);
                o.log(`   ${l}`);
              },
              now: () => new Date(),
              // The operator at the KOTS gate: redeploys (the drill's stand-in), then answers "done".
              ask: async (question) => {
                if (/type "done"/.test(question)) {
                  w.operatorRedeploys();
                  return "done";
                }
                return "";
              },
            },
          }),
      );
      report.rtoSeconds = (Date.now() - disaster) / 1000;
      const r = result.report;
      report.recovery = {
        ok: result.exitCode === 0 && r?.ok === true,
        ...(r?.rtoSeconds !== undefined ? { rtoSeconds: r.rtoSeconds } : {}),
        ...(r?.rtoWithSetupSeconds !== undefined ? { rtoWithSetupSeconds: r.rtoWithSetupSeconds } : {}),
        ...(r?.rpoSeconds !== undefined ? { rpoSeconds: r.rpoSeconds } : {}),
        ...(r?.backup ? { backup: r.backup.name } : {}),
        ...(result.files ? { reportFile: result.files.json } : {}),
      };
      check(
        "recovery: npm run dr recovers from the replica (every step succeeded, health green)",
        report.recovery.ok,
        r ? `${r.health}; ${r.problems.join("; ")}` : `exit ${result.exitCode}`,
      );
      if (!report.recovery.ok) throw new Error(`the recovery failed:\n${run.said.join("\n")}`);
      report.backup = r?.backup?.name ?? "";
    }
    check(
      "recovery: the backup restored is the newest one in the replica",
      report.backup === restoredFrom,
      `${report.backup} (newest in the replica: ${restoredFrom})`,
    );
    const bsl = d.getJson(["-n", NAMESPACE, "get", "bsl", "default"]);
    run.bsl = {
      s3Url: bsl.spec.config?.s3Url,
      bucket: bsl.spec.objectStorage?.bucket,
      accessMode: bsl.spec.accessMode,
    };
    check(
      "destination: Velero's location is the recovery region's MinIO (the replica), Available",
      bsl.spec.config?.s3Url === replica.endpoint && bsl.status?.phase === "Available",
      `${bsl.spec.config?.s3Url} ${bsl.spec.objectStorage?.bucket} ${bsl.spec.accessMode} ${bsl.status?.phase}`,
    );
    report.veleroRestoreSeconds = veleroRestoreSeconds(d, report.backup);

    // The volume data: restored by the destination's node agents from the replica.
    const restores = podVolumeRestores(d, restoreName(report.backup));
    run.podVolumeRestores = restores;
    const notDone = restores.filter(
      (x) => x.phase !== "Completed" || x.uploaderType !== volumeSettings.uploaderType,
    );
    check(
      `fs-restore: a PodVolumeRestore per volume, Completed (${volumeSettings.uploaderType}), by the destination's node agents`,
      restores.length === DASH_CLAIMS.length && notDone.length === 0,
      notDone.map((x) => `${x.claim} ${x.phase} ${x.uploaderType} ${x.message ?? ""}`).join(", ") ||
        restores.map((x) => `${x.namespace}/${x.claim} on ${x.node}`).join(", "),
    );
    const otherStore = restores.filter((x) => !x.repoIdentifier.includes(hostPort(replica.endpoint)));
    check(
      "fs-restore: every PodVolumeRestore read the recovery region's store (the replica)",
      restores.length > 0 && otherStore.length === 0,
      otherStore.map((x) => `${x.claim}: ${x.repoIdentifier}`).join(", ") || restores[0]?.repoIdentifier,
    );
    // The restored pods start once the restore helper found every volume's done file.
    await w
      .phase("the restored pods start (their restore helper done)", () =>
        waitFor("restored pods with claims Running", () => podsWithClaimsRunning(d), 180_000, 1000),
      )
      .catch((e) => check("the restored pods with claims started", false, (e as Error).message));
    run.volumes = Object.fromEntries(
      DASH_CLAIMS.map((x) => [
        claimKey(x),
        { expected: expected[claimKey(x)], restoredDir: claimDir(d.name)(x) },
      ]),
    );
    const volumeChecks = DASH_CLAIMS.map((x) =>
      volumeCheck(claimKey(x), expected[claimKey(x)], claimDir(d.name)(x)),
    );
    for (const v of volumeChecks) check(v.name, v.ok, v.detail);
    report.fsBackup.restoreThroughput = opsThroughput(restores);
    report.fsBackup.restoredFrom = replica.endpoint;
    report.fsBackup.identical = volumeChecks.every((v) => v.ok);

    checks.push(...(await w.phase("check what came back", () => checkRestore(w, { promoted: false }))));
    check("the source region's MinIO stayed down through the recovery", !(await w.minio.answers()));
    report.checks = checks;
    report.ok = checks.every((x) => x.ok);
    printSummary(o, report);
  } catch (e) {
    report.checks = checks;
    report.failure = (e as Error).message;
    o.log(`drill (region loss): FAILED: ${report.failure}`);
  } finally {
    fs.writeFileSync(path.join(o.workDir, "region-loss-report.json"), `${JSON.stringify(report, null, 2)}\n`);
    stopWaiting = true;
    await destinationVelero?.catch(() => undefined);
    await destinationAgents?.catch(() => undefined);
    for (const p of provisioners) p.stop();
    for (const a of agents) await a.stop().catch(() => undefined);
    await w.stopAll();
  }
  return run;
}

/** `127.0.0.1:9100` of `http://127.0.0.1:9100`. */
function hostPort(endpoint: string): string {
  return new URL(endpoint).host;
}

function claimPhase(c: LocalCluster, x: DashClaim): string {
  return c.kubectl(
    ["-n", x.namespace, "get", "pvc", x.claim, "-o", "jsonpath={.status.phase}"],
    undefined,
    true,
  ).stdout;
}

/** Every pod that mounts one of DASH_CLAIMS is Running, and there is one per claim. */
function podsWithClaimsRunning(c: LocalCluster): boolean {
  const r = c.kubectl(["get", "pods", "-A", "-o", "json"], undefined, true);
  if (r.code !== 0) return false;
  const pods = (JSON.parse(r.stdout).items as any[]).filter((p) => !p.metadata.deletionTimestamp);
  return DASH_CLAIMS.every((x) => {
    const mounting = pods.filter(
      (p) =>
        p.metadata.namespace === x.namespace &&
        (p.spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === x.claim),
    );
    return mounting.length === 1 && mounting[0].status?.phase === "Running";
  });
}

/** The source stack's first backup (`firstBackup`): the oldest backup of the Schedule. */
function firstBackupName(c: LocalCluster): string {
  const items = c.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items as any[];
  const done = items
    .filter((b) => b.status?.phase === "Completed")
    .sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
  if (done.length === 0) throw new Error("the source stack's first backup is not there");
  return done[0].metadata.name;
}

/** The PodVolumeBackups of a backup: one per claim, Completed, by the configured uploader, into the source's store. */
function checkPodVolumeBackups(
  check: (name: string, ok: boolean, detail?: string) => void,
  ops: PodVolumeOp[],
  backup: string,
  store: string,
): void {
  const bad = ops.filter((x) => x.phase !== "Completed" || x.uploaderType !== UPLOADER);
  check(
    `fs-backup: backup ${backup} has a PodVolumeBackup per volume, Completed (${UPLOADER}), by the source's node agents`,
    ops.length === DASH_CLAIMS.length &&
      bad.length === 0 &&
      DASH_CLAIMS.every((x) => ops.some((p) => p.namespace === x.namespace && p.claim === x.claim)),
    bad.map((x) => `${x.claim} ${x.phase} ${x.uploaderType} ${x.message ?? ""}`).join(", ") ||
      ops.map((x) => `${x.namespace}/${x.claim} on ${x.node}`).join(", "),
  );
  const elsewhere = ops.filter((x) => !x.repoIdentifier.includes(hostPort(store)));
  check(
    `fs-backup: backup ${backup}'s volumes went into the source region's store`,
    ops.length > 0 && elsewhere.length === 0,
    elsewhere.map((x) => `${x.claim}: ${x.repoIdentifier}`).join(", ") || ops[0]?.repoIdentifier,
  );
}
