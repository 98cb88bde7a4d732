import { spawn } from "child_process";
import { createWriteStream, mkdirSync } from "fs";
import * as path from "path";
import { EXIT_CODE_ANNOTATION, LocalCluster } from "./kube";
import { PodVolumes } from "./volumes";

/**
 * The drill's kubelet for Jobs: KWOK keeps a Job's pod Running until the pod carries its exit code
 * (see writePodStages), and this runs the pod's command first - on this machine, by bash with the
 * pod's claims at their mount paths (pod-root.sh) and the container's plain env values - then
 * writes the exit code, so KWOK ends the pod Succeeded or Failed and the Job controller does the
 * rest. The command's output goes to <logDir>/job-<namespace>-<pod>.log. securityContext is not
 * applied (commands run as the drill's user).
 */
export class JobRunner {
  private timer?: NodeJS.Timeout;
  private readonly started = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** Pods whose command ran, with its exit code and where they were placed, in order. */
  readonly ran: { pod: string; code: number; nodeSelector?: unknown; tolerations?: unknown }[] = [];

  constructor(
    private readonly cluster: LocalCluster,
    private readonly volumes: PodVolumes,
    private readonly o: {
      workDir: string;
      logDir: string;
      env: Record<string, string>;
      /** Waits until the pod may run (e.g. until nothing else uses its claims). */
      before?: (pod: any) => Promise<void>;
    },
  ) {}

  start(intervalMs = 500): void {
    mkdirSync(this.o.logDir, { recursive: true });
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.running]);
  }

  private tick(): void {
    const r = this.cluster.kubectl(["get", "pods", "-A", "-o", "json"], undefined, true);
    if (r.code !== 0) return;
    for (const pod of JSON.parse(r.stdout).items) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      const ofJob = (pod.metadata.ownerReferences ?? []).some((o: any) => o.kind === "Job");
      if (
        !ofJob ||
        this.started.has(key) ||
        pod.status?.phase !== "Running" ||
        pod.metadata.deletionTimestamp
      ) {
        continue;
      }
      if (pod.metadata.annotations?.[EXIT_CODE_ANNOTATION] !== undefined) continue;
      this.started.add(key);
      const p = this.run(pod).finally(() => this.running.delete(p));
      this.running.add(p);
    }
  }

  private async run(pod: any): Promise<void> {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name;
    const container = pod.spec.containers[0];
    const claims: Record<string, string> = {};
    for (const v of pod.spec.volumes ?? []) {
      if (v.persistentVolumeClaim) claims[v.name] = v.persistentVolumeClaim.claimName;
    }
    const mounts: Record<string, string> = {};
    for (const m of container.volumeMounts ?? []) {
      if (claims[m.name]) mounts[m.mountPath] = this.volumes.claimDir(this.cluster.name, ns, claims[m.name]);
    }
    const env: Record<string, string> = { ...this.o.env };
    for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    Object.assign(env, this.cluster.podRootEnv(mounts));
    const argv: string[] = [...(container.command ?? []), ...(container.args ?? [])];
    await this.o.before?.(pod);
    const log = createWriteStream(path.join(this.o.logDir, `job-${ns}-${name}.log`));
    const code = await new Promise<number>((resolve) => {
      const child = spawn(argv[0], argv.slice(1), {
        cwd: this.o.workDir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      child.on("error", () => resolve(127));
      child.on("close", (c) => resolve(c ?? 1));
    });
    log.end();
    this.ran.push({
      pod: `${ns}/${name}`,
      code,
      nodeSelector: pod.spec.nodeSelector,
      tolerations: pod.spec.tolerations,
    });
    this.cluster.kubectl(
      ["-n", ns, "annotate", "pod", name, `${EXIT_CODE_ANNOTATION}=${code}`, "--overwrite"],
      undefined,
      true,
    );
  }
}
