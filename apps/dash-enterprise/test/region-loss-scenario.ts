import * as fs from "fs";
import * as path from "path";
import { dashEnterprise } from "../profile";
import {
  drillChart,
  drillWorkspace,
  engineCliRoot,
  initSourceStack,
  initStack,
  output,
  upWithVelero,
} from "../../../drill/engine-stacks";
import { LocalCluster } from "../../../drill/lib/kube";
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
  veleroRestoreSeconds,
} from "../../../drill/scenario";
import { s3compatDestinationLocations } from "../../../components/backends/s3compat";
import { buildRestoreChain } from "../../../components/restore/chain";
import { recover } from "../../../tools/automation/driver";
import { automationEngine } from "../../../tools/automation/engine";
import { checkRestore, DashWorld, SCHEDULE } from "../drill/scenario";

/**
 * The region-loss drill of Dash Enterprise (#17 item 4): two loopback "regions", each with its own
 * MinIO. The source region's MinIO replicates the backup bucket to the recovery region's with
 * MinIO's own bucket replication (set up through its admin API by minio-replicate; the drill copies
 * nothing). The source stack backs up (its first backup, then one more from the Schedule); the
 * drill watches the replica until every object version is identical. The disaster takes the source
 * cluster AND the source region's MinIO. A destination stack that reads the replica
 * (`s3compat.replica`, `backup.location: replica`, the key pair of the replica's store) recovers
 * Dash Enterprise by `npm run dr`'s driver (the Automation API on the real engine, through the KOTS
 * gate). The report: `regionLoss: true`, the replication figures (the replica's lag at the
 * disaster = the RPO replication added; how long the last backup took to reach the replica), the
 * RTO (disaster declared -> health green) and the stack's own recovery report.
 *
 * `engine: false` runs the same region loss without the Pulumi engine (no engine toolset): the
 * drill's Velero with the project's Schedule on the source, and on the destination the drill's
 * Velero with the location the s3compat backend builds for `s3compat.replica`, and the chain by
 * the drill's step runner from the destination's stack config (as `npm run drill -- --runner`).
 *
 * Volume data: as every s3compat drill today (the drill's volume handling; the node agent's
 * file-system backup through the replica is not part of this scenario).
 */

const SOURCE = "drill-source";
const DEST = "drill-destination-replica";
/** The recovery region's MinIO (the source region's is the drill's usual one, on 9000). */
export const REPLICA_PORT = 9100;

export interface RegionLossRun {
  report: DrillReport;
  /** What the driver said (its progress, the gate, the outcome). */
  said: string[];
  /** The destination's BSL as Velero ran it (its store is the replica). */
  bsl?: { s3Url: string; bucket: string; accessMode: string };
  /** The source region's MinIO answered after the disaster (it must not). */
  primaryAnsweredAfterDisaster?: boolean;
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
  let destinationVelero: Promise<void> | undefined;
  let stopWaiting = false;
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
    await w.phase("install the Dash Enterprise fixture", () => w.installFixture());
    const engineParts = byEngine
      ? { chartPath: drillChart(w), ws: drillWorkspace(w, path.join(o.workDir, "engine")) }
      : undefined;
    const c = w.source as LocalCluster;
    if (engineParts) {
      const { ws, chartPath } = engineParts;
      initSourceStack(ws, w, SOURCE, {
        profile: dashEnterprise.name,
        schedules: [{ name: SCHEDULE, cron: "0 0 * * *", ttl: "720h" }],
        chartPath,
      });
      const up = await w.phase("pulumi up of the source stack (Velero, Schedule, first backup)", () =>
        upWithVelero(ws, w, SOURCE, c, "velero-source"),
      );
      if (up.code !== 0) throw new Error(`pulumi up of the source stack failed:\n${output(up)}`);
    } else {
      await w.phase("install Velero on the source, apply the project's Schedule", () =>
        w.startSourceVelero(),
      );
      await w.phase("a first backup from the Schedule", () => w.backup(SCHEDULE));
    }
    const second = await w.phase("one more backup from the Schedule", () => w.backup(SCHEDULE));

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
    await w.phase("lose the source cluster", () => w.loseSource());
    await w.phase("lose the source region's MinIO", () => w.minio.stop());
    run.primaryAnsweredAfterDisaster = await w.minio.answers();
    check("disaster: the source region's MinIO no longer answers", !run.primaryAnsweredAfterDisaster);
    const restoredFrom = lag.newestInReplica?.name;
    if (!restoredFrom) throw new Error("the replica has no backup: nothing to recover from");
    w.backupName = restoredFrom;

    const d = await w.phase("start the destination cluster in the recovery region", () =>
      w.startDestinationCluster("destination"),
    );
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
          await w.velero.start("velero-destination", d, replica);
          const stateFile = path.join(o.workDir, "chain-state.json");
          let result = await w.runChain(buildRestoreChain(w.chainInput(replicaEdits)), stateFile);
          if (result.results.find((x) => x.status === "failed")?.id === "dash-kots-redeploy") {
            w.operatorRedeploys();
            result = await w.runChain(
              buildRestoreChain(w.chainInput({ ...replicaEdits, app: { kotsRedeployed: true } })),
              stateFile,
            );
          }
          report.steps.push(
            ...result.results.map((x) => ({ id: x.id, status: x.status, seconds: x.seconds })),
          );
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
      // The destination's Velero server plays the pod as deployed: the credentials from its Secret.
      destinationVelero = w.velero.startWhenDeployed("velero-destination", d, replica, {
        stopped: () => stopWaiting,
        asDeployed: true,
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
    await w.stopAll();
  }
  return run;
}
