/**
 * A stack's `velero-dr:` configuration for the offline tools (`npm run runbook`): through the
 * Pulumi CLI when it is installed and knows the stack — `pulumi config --json`, which resolves the
 * stack's ESC environments, secrets left encrypted — else from its stack file
 * (stacks/Pulumi.<stack>.yaml, or an app's example of that name).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { readStackFile } from "../components/config/stack-file";
import { RawConfigInput } from "../components/config/validate";
import { findOnPath } from "../components/restore/preflight";
import { rawConfigFromCli } from "./automation/driver";

const ROOT = path.resolve(__dirname, "..");

export interface StackConfigRead {
  raw: RawConfigInput;
  /** Where it came from, said to the user on stderr. */
  from: string;
  /** Why the CLI was not used, when it was there. */
  note?: string;
}

export function readStackConfig(stack: string, env: NodeJS.ProcessEnv = process.env): StackConfigRead {
  const cli = findOnPath("pulumi", env.PATH ?? "");
  let note: string | undefined;
  if (cli) {
    const r = spawnSync(cli, ["config", "--json", "--stack", stack, "--non-interactive"], {
      cwd: ROOT,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    if (r.status === 0) {
      return { raw: rawConfigFromCli(stack, JSON.parse(r.stdout)), from: `pulumi config -s ${stack}` };
    }
    // A stack the CLI's backend does not hold (an app's example), or no login: the stack file.
    note = `pulumi config -s ${stack} failed (${(r.stderr || String(r.error ?? "")).trim().split("\n")[0]})`;
  }
  const raw = readStackFile(stack);
  return { raw, from: `the stack file of ${stack}`, ...(note ? { note } : {}) };
}
