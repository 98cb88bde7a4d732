import { spawnSync } from "child_process";
import { accessSync, constants, statSync } from "fs";
import * as path from "path";
import type { CommandResult, PreflightContext, PreflightFinding } from "../model/preflight";
import type { Tool } from "../model/tool";

export type { Tool };

/** What every restore chain runs: its steps are bash scripts that talk to the new cluster. */
export const CHAIN_TOOLS: Tool[] = [
  { name: "bash", why: "every step is a bash script", install: "the system's package manager" },
  {
    name: "kubectl",
    why: "every step talks to the new cluster with it",
    install: "https://kubernetes.io/docs/tasks/tools/ (within one minor version of the cluster's)",
  },
];

/** The tools of `tools` that no directory of `searchPath` (a PATH value) holds as an executable file. */
export function missingTools(tools: Tool[], searchPath: string): Tool[] {
  return tools.filter((t) => findOnPath(t.name, searchPath) === undefined);
}

/** The executable file `name` in the first directory of `searchPath` (a PATH value) that holds one. */
export function findOnPath(name: string, searchPath: string): string | undefined {
  return searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .map((d) => path.join(d, name))
    .find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * What the operator reads when a tool is missing or a plug-in's check failed (`errors`): the chain
 * would otherwise stop at the first step that needs it, after the new cluster (tens of minutes)
 * and Velero were created.
 */
export function preflightMessage(missing: Tool[], errors: PreflightFinding[] = []): string {
  return [
    ...errors.map((f) => `velero-dr: pre-flight: ${f.message}`),
    ...(missing.length > 0
      ? [
          `velero-dr: pre-flight: the restore chain runs on this machine and needs ${missing.map((t) => t.name).join(", ")} on PATH, which ${missing.length > 1 ? "are" : "is"} missing:`,
          ...missing.map((t) => `  - ${t.name}: ${t.why}; install: ${t.install}`),
        ]
      : []),
    errors.length === 0
      ? "Nothing was created. Install them (or run pulumi up where they are), then run pulumi up again."
      : "Nothing was created. Fix what is named above (or run pulumi up where it is set up), then run pulumi up again.",
  ].join("\n");
}

/**
 * The machine of `pulumi up` as plug-ins' pre-flight checks see it: programs from `searchPath`,
 * each distinct call run once (a login several plug-ins ask about is asked once), with no input
 * and a time limit (a CLI that waits for a network must not hang the program).
 */
export function machineContext(args: {
  searchPath: string;
  env: Record<string, string | undefined>;
  config: (namespace: string, key: string) => string | undefined;
  preview: boolean;
  timeoutMs?: number;
}): PreflightContext {
  const runs = new Map<string, CommandResult>();
  return {
    has: (program) => missingTools([{ name: program, why: "", install: "" }], args.searchPath).length === 0,
    run: (program, argv) => {
      const key = JSON.stringify([program, ...argv]);
      let r = runs.get(key);
      if (!r) {
        const p = spawnSync(program, argv, {
          encoding: "utf8",
          env: { ...args.env, PATH: args.searchPath },
          stdio: ["ignore", "pipe", "pipe"],
          timeout: args.timeoutMs ?? 120000,
        });
        r = {
          status: p.status,
          stdout: p.stdout ?? "",
          stderr: p.stderr ?? "",
          error: p.error ? p.error.message : undefined,
        };
        runs.set(key, r);
      }
      return r;
    },
    env: args.env,
    config: args.config,
    preview: args.preview,
  };
}
