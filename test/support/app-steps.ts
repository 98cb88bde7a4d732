import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { apps } from "../../apps";
import { configureApp } from "../../components/apps/definition";
import { buildRestoreChain, Chain, envForStep } from "../../components/restore/chain";
import { stepScript } from "../../components/restore/step";
import { FakeCall, runScript, ScriptRun } from "./bash";

/**
 * Helpers of the app restore step tests (apps/<app>/test/steps.test.ts): an app's steps are built
 * through the real step definitions (so the real prelude and retry wrapper run) and run by bash
 * against the fake kubectl, whose `exec` answers for the containers.
 */

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n";

/** The app's restore chain (manual DNS, short timeouts) from `velero-dr:app` options. */
export function chainFor(app: string, options: Record<string, unknown> = {}): Chain {
  const def = apps[app];
  const configured = configureApp(def, def.options.parse(options));
  const { restore } = configured.profile;
  return buildRestoreChain({
    app: configured,
    // As the stack resolves it with DNS moved: the profile's entry point, else one the stack names.
    loadBalancer: restore.loadBalancer ?? { namespace: restore.appNamespace, service: "app-lb" },
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

export interface StepRun extends ScriptRun {
  execs: { namespace: string; pod: string; container?: string; command: string[]; stdinBytes?: number }[];
}

/** Runs one step of the chain as its Command would: its script, its env (and overrides). */
export function runStep(chain: Chain, id: string, state: object, env: Record<string, string> = {}): StepRun {
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
export function positional(c: FakeCall): string[] {
  const dashes = c.argv.indexOf("--");
  const own = dashes >= 0 ? c.argv.slice(0, dashes) : c.argv;
  const out: string[] = [];
  for (let i = 0; i < own.length; i++) {
    if (["-n", "-c", "-o", "-l", "-p", "-f"].includes(own[i])) i++;
    else if (!own[i].startsWith("-")) out.push(own[i]);
  }
  return out;
}
export const verbOf = (c: FakeCall) => positional(c)[0];
export const kubectl = (r: ScriptRun, verb: string) =>
  r.calls.filter((c) => c.tool === "kubectl" && verbOf(c) === verb);
export const scales = (r: ScriptRun) =>
  kubectl(r, "scale").map((c) => {
    const [, kind, name] = positional(c);
    const n = c.argv.find((a) => a.startsWith("--replicas="));
    return `${kind}/${name}=${n?.slice("--replicas=".length)}`;
  });
/** Index of the first call for which `f` holds (-1: none). */
export const callIndex = (r: ScriptRun, f: (c: FakeCall) => boolean) => r.calls.findIndex(f);
export const isExec = (c: FakeCall, text: string) => verbOf(c) === "exec" && c.argv.join(" ").includes(text);
export const scriptText = (e: { command: string[] }) => e.command[2];
export const args = (e: { command: string[] }) => e.command.slice(4);
export const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
export const ready = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };

/** Runs an in-container script locally: bash -c <script> _ args..., in `cwd`. */
export function runLocally(script: string, scriptArgs: string[] = [], cwd?: string) {
  const r = spawnSync("bash", ["-c", script, "_", ...scriptArgs], { encoding: "utf8", cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Call inside describe(): a maker of temporary directories, all removed after the suite. */
export function tempDirs(): () => string {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = mkdtempSync(path.join(tmpdir(), "vdr-app-"));
    dirs.push(d);
    return d;
  };
}
