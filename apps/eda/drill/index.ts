import { randomBytes } from "crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { edaApp } from "..";
import { EDA_BACKUP_CLAIM, EdaOptions } from "../profile";
import { runningPods, waitForExec } from "../../../drill/lib/exec";
import { LocalCluster } from "../../../drill/lib/kube";
import { fileDigests } from "../../../drill/lib/volumes";
import { waitFor } from "../../../drill/lib/procs";
import { Check } from "../../../drill/scenario";
import { AppDrill, AppDrillBase, AppDrillContext } from "../../../drill/app-kit/app-drill";
import { configMap, deployment, list, namespace, secret, service } from "../../../drill/app-kit/objects";

/**
 * Nokia EDA in the drill. EDA's platform state (git repositories, EngineConfig) is a directory
 * per cluster, and `edactl` is the drill's stand-in (bin/edactl: edactl is not public) with
 * the documented behaviour. The source stack's own preparation creates the backup claim and mounts it
 * into the eda-toolbox; the profile's hook runs `edactl platform backup` there; the destination,
 * where an operator installed EDA of the same version first, gets the claim back, mounts it and
 * runs `edactl platform restore` through the project's chain.
 */
const EDA_BIN = path.join(__dirname, "bin");

export class EdaDrill extends AppDrillBase<EdaOptions> implements AppDrill {
  constructor(readonly version = "25.4.1") {
    super(edaApp, { version }, "eda.example.com");
  }

  private get ns(): string {
    return this.options.namespace;
  }

  platformDir(c: string, ctx: AppDrillContext): string {
    const d = path.join(ctx.workDir, "eda-platform", c);
    mkdirSync(d, { recursive: true });
    return d;
  }

  restoreLog(c: string, ctx: AppDrillContext): string {
    return path.join(ctx.workDir, "eda-platform", `${c}.restores`);
  }

  async startServers(): Promise<void> {}

  /** EDA as its installer leaves it, running `version`. */
  private install(c: LocalCluster, version: string): void {
    const ns = this.ns;
    const app = (name: string) => ({ "eda.nokia.com/app": name });
    c.apply(
      list([
        namespace(ns),
        configMap(ns, "eda-engine-config", { "engine-config.yaml": "cluster:\n  name: eda\n" }),
        secret(ns, "eda-git-credentials", { token: "fixture-only" }),
        ...["eda-toolbox", "eda-api", "eda-ce", "eda-git"].map((name) =>
          deployment({
            namespace: ns,
            name,
            labels: app(name),
            container: name,
            image: `ghcr.io/nokia-eda/${name}:${version}`,
          }),
        ),
        service(ns, "eda-api", app("eda-api"), "LoadBalancer"),
      ]),
    );
  }

  /** KWOK runs the toolbox's commands here: edactl on PATH, the backup claim at its mount path. */
  private setExecs(c: LocalCluster, ctx: AppDrillContext): void {
    c.setClusterExec(
      "eda-toolbox",
      { namespaces: [this.ns] },
      {
        containers: [this.options.toolboxContainer],
        workDir: ctx.workDir,
        env: {
          PATH: `${EDA_BIN}:/usr/local/bin:/usr/bin:/bin`,
          EDA_PLATFORM_DIR: this.platformDir(c.name, ctx),
          EDA_RESTORE_LOG: this.restoreLog(c.name, ctx),
        },
        mounts: { "/velero-dr-backup": ctx.volumes.claimDir(c.name, this.ns, EDA_BACKUP_CLAIM) },
      },
    );
  }

  async installSource(c: LocalCluster, ctx: AppDrillContext): Promise<void> {
    const platform = this.platformDir(c.name, ctx);
    const files: Record<string, Buffer | string> = {
      "git/apps.git/HEAD": "ref: refs/heads/main\n",
      "git/apps.git/objects/pack/pack-1.pack": randomBytes(200_000),
      "git/config.git/HEAD": "ref: refs/heads/main\n",
      "git/config.git/objects/pack/pack-2.pack": randomBytes(80_000),
      "engine-config.yaml": `version: ${this.version}\nfabrics: [leaf-spine]\n`,
    };
    for (const [f, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(platform, f)), { recursive: true });
      writeFileSync(path.join(platform, f), content);
    }
    this.install(c, this.version);
    this.setExecs(c, ctx);
  }

  /** After the source preparation mounted the claim: the rolled-out toolbox runs with it. */
  async sourcePrepared(c: LocalCluster): Promise<void> {
    await this.waitForToolbox(c, true);
  }

  private async waitForToolbox(c: LocalCluster, withClaim: boolean): Promise<string> {
    let pod = "";
    await waitFor(
      `one Running eda-toolbox pod${withClaim ? " with the backup claim" : ""} in ${c.name}`,
      () => {
        const pods = c
          .getJson(["-n", this.ns, "get", "pods", "-l", `eda.nokia.com/app=${this.options.toolbox}`])
          .items.filter((p: any) => !p.metadata.deletionTimestamp);
        const claimOf = (p: any) =>
          (p.spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === EDA_BACKUP_CLAIM);
        const ok =
          pods.length === 1 && pods[0].status.phase === "Running" && (!withClaim || claimOf(pods[0]));
        pod = ok ? pods[0].metadata.name : "";
        return ok;
      },
      120000,
    );
    await waitForExec(c, this.ns, pod, this.options.toolboxContainer);
    return pod;
  }

  /** The version the operator installs on the next destination (the source's unless a test changes it). */
  destinationVersion = "";

  /**
   * The operator installed EDA on the destination (Nokia EDA's backup and restore documentation: the
   * same version, before restoring).
   */
  async prepareDestination(c: LocalCluster, ctx: AppDrillContext): Promise<void> {
    this.install(c, this.destinationVersion || this.version);
    this.setExecs(c, ctx);
    await waitFor(`EDA running on ${c.name}`, () => runningPods(c, this.ns, "").length >= 4, 120000);
  }

  async checks(c: LocalCluster, ctx: AppDrillContext): Promise<Check[]> {
    const checks: Check[] = [];
    const add = (name: string, ok: boolean, detail?: string) => checks.push({ name, ok, detail });
    const want = fileDigests(this.platformDir("source", ctx));
    const got = fileDigests(this.platformDir(c.name, ctx));
    add(
      "the destination's EDA platform state is the source's (git repositories, EngineConfig), byte for byte",
      JSON.stringify(want) === JSON.stringify(got) && Object.keys(want).length === 5,
      `${Object.keys(got).length} files`,
    );
    const log = this.restoreLog(c.name, ctx);
    const restores = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
    const tarballs = readdirSync(ctx.volumes.claimDir("backup-copy", this.ns, EDA_BACKUP_CLAIM)).filter((f) =>
      /^eda-backup-.*\.(tgz|tar\.gz)$/.test(f),
    );
    add(
      "edactl platform restore ran once, with the tarball the backup's hook wrote",
      restores.length === 1 && tarballs.includes(restores[0]),
      `${restores.join(", ")} of ${tarballs.join(", ")}`,
    );
    const mounted = c
      .getJson(["-n", this.ns, "get", "deployment", this.options.toolbox])
      .spec.template.spec.volumes?.some((v: any) => v.persistentVolumeClaim?.claimName === EDA_BACKUP_CLAIM);
    add("the destination's eda-toolbox mounts the restored backup claim", mounted === true);
    return checks;
  }

  async stopServers(): Promise<void> {}
}
