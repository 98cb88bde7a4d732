import { accessSync, constants, statSync } from "fs";
import * as path from "path";
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
  const dirs = searchPath.split(path.delimiter).filter(Boolean);
  return tools.filter((t) => !dirs.some((d) => isExecutable(path.join(d, t.name))));
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
 * What the operator reads when a tool is missing: the chain would otherwise stop at the first step
 * that needs it, after the new cluster (tens of minutes) and Velero were created.
 */
export function preflightMessage(missing: Tool[]): string {
  return [
    `velero-dr: pre-flight: the restore chain runs on this machine and needs ${missing.map((t) => t.name).join(", ")} on PATH, which ${missing.length > 1 ? "are" : "is"} missing:`,
    ...missing.map((t) => `  - ${t.name}: ${t.why}; install: ${t.install}`),
    "Nothing was created. Install them (or run pulumi up where they are), then run pulumi up again.",
  ].join("\n");
}
