import { spawnSync } from "child_process";
import * as path from "path";
import { buildPreparation } from "../components/apps/preparation";
import { resolveSchedules } from "../components/config/validate";
import { buildRestoreChain, ChainInput } from "../components/restore/chain";
import { StepResult } from "../components/restore/runner";
import { buildScript, KUBECONFIG_ENV } from "../components/shell/script";
import { buildProfileSchedules } from "../components/velero/specs";
import { AppDrill, AppDrillContext } from "./app-kit/app-drill";
import { initSourceStack, upWithVelero } from "./engine-stacks";
import { EngineRun, EngineWorkspace } from "./engine/workspace";
import { LocalCluster } from "./lib/kube";
import { JobRunner } from "./lib/jobs";
import { ClaimProvisioner } from "./lib/provisioner";
import { NAMESPACE } from "./lib/velero";
import { waitFor } from "./lib/procs";
import { PodVolumes } from "./lib/volumes";
import { Check, ConfigEdits, DrillOptions, DrillTarget, DrillWorld, NEW_LB, OLD_LB } from "./scenario";

/** What a new destination starts with. */
export interface DestinationOptions {
  /**
   * Claims (namespace/name) whose contents the drill does not carry to this destination: a
   * mutation, as if the backup held no copy of their volumes (e.g. a volume not opted into
   * file-system backup, with no snapshot to restore). Velero still restores the claims themselves.
   */
  uncopied?: string[];
}

/** Where the drill keeps the claims' contents as the backup took them (the node agent's copy). */
const BACKUP_COPY = "backup-copy";

/**
 * The drill for any app profile: the app's fixture on a source cluster, the source stack's own
 * preparation scripts and Schedules (hooks included), a real backup, then restores into new
 * clusters with the project's restore chain. Velero's node agent cannot run here (it needs kubelet
 * pod volume directories), so the drill carries the claims' contents itself: copied when the
 * backup completes, handed to the destination's claims of the same name when they are provisioned.
 */
export class AppScenario {
  readonly w: DrillWorld;
  readonly volumes: PodVolumes;
  readonly ctx: AppDrillContext;
  backupName = "";
  schedule = "";
  /** Claims of the app's namespaces when the backup completed, as namespace/name. */
  claims: string[] = [];
  private provisioners: ClaimProvisioner[] = [];
  private jobRunners: JobRunner[] = [];
  private sourceLost = false;

  constructor(
    o: DrillOptions,
    readonly app: AppDrill,
  ) {
    this.w = new DrillWorld(o);
    this.volumes = new PodVolumes(path.join(o.workDir, "volumes"));
    this.ctx = {
      workDir: o.workDir,
      volumes: this.volumes,
      bin: o.bin,
      log: o.log,
      veleroCli: (c, args) => this.w.velero.cli(c, args).stdout,
    };
  }

  get source(): LocalCluster {
    return this.w.source as LocalCluster;
  }

  get dest(): LocalCluster {
    return this.w.dest as LocalCluster;
  }

  /** The drill's services, the app's servers, the source cluster with its node stand-ins, the app on it. */
  private async startSourceWithApp(): Promise<void> {
    const { w, app } = this;
    await w.startServices(app.baseDomain, app.profile.restore.dnsRecordPrefixes);
    await app.startServers(this.ctx);
    await w.startSource();
    this.provision(this.source);
    await app.installSource(this.source, this.ctx);
  }

  /** Everything up to a completed backup of the app on the source. */
  async backUpSource(): Promise<string> {
    const { w, app } = this;
    await this.startSourceWithApp();
    this.prepareSource();
    await app.sourcePrepared?.(this.source, this.ctx);
    // As a source stack on the s3compat backend builds them: no snapshot location to name.
    const schedules = buildProfileSchedules(resolveSchedules(undefined, app.profile), app.profile, {
      storageLocation: "default",
      defaultVolumesToFsBackup: false,
    });
    this.schedule = schedules[0].name;
    await w.startSourceVelero(schedules, app.profile.name);
    this.backupName = await w.backup(this.schedule);
    w.backupName = this.backupName;
    this.carryClaims();
    return this.backupName;
  }

  /**
   * The source stack's AppPreparation for the profile (fsBackup off: no node agent here), run as
   * its Commands run them: the same scripts, by bash, with the kubeconfig in the environment.
   */
  prepareSource(): void {
    for (const step of buildPreparation(this.app.profile, { fsBackup: "off" })) {
      this.runPreparation(step.name, step.script, step.env);
    }
  }

  /**
   * Undoes one of the source stack's preparation steps with the script its Command runs on delete
   * (a mutation: e.g. the vendor's backup configuration removed before a backup).
   */
  undoPreparation(name: string): void {
    const step = buildPreparation(this.app.profile, { fsBackup: "off" }).find((st) => st.name === name);
    if (!step?.remove) throw new Error(`the source preparation has no step ${name} to undo`);
    this.runPreparation(`${name} (removed)`, step.remove, step.env);
  }

  private runPreparation(
    name: string,
    script: Parameters<typeof buildScript>[0],
    env: Record<string, string>,
  ): void {
    this.ctx.log(`   - source preparation: ${name}`);
    const r = spawnSync("bash", ["-c", buildScript(script)], {
      env: { ...this.baseEnv(), ...env, [KUBECONFIG_ENV]: this.source.kubeconfig },
      encoding: "utf8",
      timeout: 300000,
    });
    if (r.status !== 0) {
      throw new Error(`source preparation ${name} failed (${r.status}):\n${r.stdout}${r.stderr}`);
    }
  }

  /**
   * An on-demand backup of the source with the Schedule's spec (its hooks included), as
   * `velero backup create` makes one: not labelled with the Schedule, so a chain that takes the
   * Schedule's newest backup never picks it; a destination restores it by name. Its volumes are
   * not carried: the drill carries the first backup's (the same data, nothing writes in between).
   */
  async backUpOnDemand(name: string): Promise<string> {
    const c = this.source;
    const schedule = c.getJson(["-n", NAMESPACE, "get", "schedules.velero.io", this.schedule]);
    c.apply({
      apiVersion: "velero.io/v1",
      kind: "Backup",
      metadata: { name, namespace: NAMESPACE },
      spec: schedule.spec.template,
    });
    let phase = "";
    await waitFor(
      `backup ${name} to finish`,
      () => {
        phase = c.kubectl([
          "-n",
          NAMESPACE,
          "get",
          "backups.velero.io",
          name,
          "-o",
          "jsonpath={.status.phase}",
        ]).stdout;
        return ["Completed", "PartiallyFailed", "Failed", "FailedValidation"].includes(phase);
      },
      600000,
      1000,
    );
    if (phase !== "Completed") throw new Error(`backup ${name} ended ${phase}`);
    return name;
  }

  private baseEnv(): Record<string, string> {
    return {
      PATH: `${this.ctx.bin}:/usr/local/bin:/usr/bin:/bin`,
      HOME: this.ctx.workDir,
      TMPDIR: this.ctx.workDir,
      VELERO_DR_POLL_SECONDS: "1",
    };
  }

  /** The claims' contents as the backup took them. */
  private carryClaims(): void {
    this.claims = this.source
      .getJson(["get", "pvc", "-A"])
      .items.filter((p: any) => this.app.profile.namespaces.includes(p.metadata.namespace))
      // What Velero leaves out, the node agent does not copy either.
      .filter((p: any) => p.metadata.labels?.["velero.io/exclude-from-backup"] !== "true")
      .map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`);
    for (const key of this.claims) {
      const [ns, name] = key.split("/");
      this.volumes.copyClaim(this.source.name, BACKUP_COPY, ns, name);
    }
  }

  /** The source cluster is lost (once; later calls do nothing). */
  async loseSource(): Promise<void> {
    if (this.sourceLost) return;
    this.sourceLost = true;
    await this.app.clusterStopping?.(this.source);
    this.provisioners.shift()?.stop();
    await this.jobRunners.shift()?.stop();
    await this.w.loseSource();
  }

  /** The stand-ins for what a real cluster's nodes do: provision claims, run Jobs. */
  private provision(c: LocalCluster): void {
    const p = new ClaimProvisioner(c, this.volumes);
    p.start();
    this.provisioners.push(p);
    const beforeJob = this.app.beforeJob?.bind(this.app);
    const jobs = new JobRunner(c, this.volumes, {
      workDir: this.ctx.workDir,
      logDir: path.join(this.ctx.workDir, "logs"),
      env: this.baseEnv(),
      before: beforeJob ? (pod) => beforeJob(c, pod) : undefined,
    });
    jobs.start();
    this.jobRunners.push(jobs);
  }

  private async unprovision(c: LocalCluster): Promise<void> {
    await this.app.clusterStopping?.(c);
    this.provisioners.pop()?.stop();
    await this.jobRunners.pop()?.stop();
  }

  /**
   * Everything up to a completed backup as a platform team does it under the real engine: the app
   * on the source, then `pulumi up` of a source stack (cloud s3compat on the drill's MinIO) whose
   * preparation Commands, Velero release, the profile's Schedules, location check and first backup
   * are the program's own. The drill's Velero server plays the Velero pod.
   */
  async backUpSourceByEngine(ws: EngineWorkspace, stack: string, chartPath: string): Promise<EngineRun> {
    const { w, app } = this;
    await this.startSourceWithApp();
    const schedules = resolveSchedules(undefined, app.profile);
    initSourceStack(ws, w, stack, { profile: app.profile.name, app: app.appConfig, chartPath });
    const run = await upWithVelero(ws, w, stack, this.source, "velero-source");
    if (run.code !== 0) return run;
    this.schedule = schedules[0].name;
    const backups = this.source.getJson(["-n", NAMESPACE, "get", "backups.velero.io"]).items;
    this.backupName = backups[0]?.metadata.name ?? "";
    w.backupName = this.backupName;
    this.carryClaims();
    return run;
  }

  /** A new destination cluster with Velero (BSL ReadOnly), the carried volumes and the app's prerequisites. */
  async startDestination(name: string, o: DestinationOptions = {}): Promise<void> {
    await this.startDestinationCluster(name, o);
    await this.w.startDestinationVelero(name);
  }

  /**
   * A new destination cluster with the carried volumes and the app's prerequisites, without Velero:
   * what a destination stack finds before it installs Velero itself.
   */
  async startDestinationCluster(name: string, o: DestinationOptions = {}): Promise<void> {
    await this.loseSource();
    await this.w.startDestinationCluster(name);
    for (const key of this.claims) {
      if (o.uncopied?.includes(key)) continue;
      const [ns, claim] = key.split("/");
      this.volumes.copyClaim(BACKUP_COPY, name, ns, claim);
    }
    this.provision(this.dest);
    await this.app.prepareDestination(this.dest, this.ctx);
  }

  /** The chain input from the drill's destination stack config (with these config edits). */
  chainInput(edits: ConfigEdits = {}): ChainInput {
    return this.w.chainInputFor(this.target, edits);
  }

  /** What a destination of this app restores: the app, its settings, the schedule backed up, its domain. */
  get target(): DrillTarget {
    const { definition, appConfig, baseDomain } = this.app;
    return { definition, app: appConfig, schedule: this.schedule, baseDomain };
  }

  async runChain(
    stateFile: string,
    edits: ConfigEdits = {},
    stopAfter?: string,
  ): Promise<{ ok: boolean; results: StepResult[] }> {
    return this.w.runChain(buildRestoreChain(this.chainInput(edits)), stateFile, stopAfter);
  }

  /** The Jobs whose commands ran on the current destination, with their exit codes. */
  destinationJobs(): JobRunner["ran"] {
    return this.jobRunners[this.jobRunners.length - 1]?.ran ?? [];
  }

  /**
   * What must hold after a successful chain: the app's own checks, then the common ones. `backup`
   * is the backup the chain restored (by default the Schedule's, taken by backUpSource).
   */
  async checks(backup = this.backupName): Promise<Check[]> {
    const c = this.dest;
    const checks = await this.app.checks(c, this.ctx);
    const add = (name: string, ok: boolean, detail?: string) => checks.push({ name, ok, detail });
    const restores = c
      .getJson(["-n", NAMESPACE, "get", "restores.velero.io"])
      .items.sort(
        (a: any, b: any) => Date.parse(a.status.startTimestamp) - Date.parse(b.status.startTimestamp),
      );
    // The chain names each phase's Restore restore-<backup>-<phase>, the last one restore-<backup>.
    const phases = this.app.profile.restorePhases.map((p) => p.id);
    const expected = phases.map((id, i) =>
      i === phases.length - 1 ? `restore-${backup}` : `restore-${backup}-${id}`,
    );
    add(
      `one Velero Restore per phase (${phases.join(", ")}), each Completed, in that order`,
      JSON.stringify(restores.map((r: any) => r.metadata.name)) === JSON.stringify(expected) &&
        restores.every((r: any) => r.status.phase === "Completed" && r.spec.backupName === backup),
      restores.map((r: any) => `${r.metadata.name} ${r.status.phase}`).join(", ") || "no Restore",
    );
    const mode = this.w.bslAccessMode();
    add("the backup storage location ended ReadWrite", mode === "ReadWrite", mode);
    const a = this.w.bind.query(this.app.baseDomain, "A");
    if (this.app.profile.restore.dnsCutOver) {
      add(`DNS: ${this.app.baseDomain} answers the new load balancer address (BIND)`, a === NEW_LB, a);
    } else {
      // The vendor's procedure leaves DNS alone, and so does the chain: no record was removed or moved.
      add(`DNS: ${this.app.baseDomain} unchanged, still the source's address (BIND)`, a === OLD_LB, a);
    }
    return checks;
  }

  async stopDestination(name: string): Promise<void> {
    await this.unprovision(this.dest);
    await this.w.stopDestination(name);
  }

  async stopAll(): Promise<void> {
    for (const p of this.provisioners) p.stop();
    for (const j of this.jobRunners) await j.stop();
    await this.w.stopAll();
    await this.app.stopServers();
  }
}
