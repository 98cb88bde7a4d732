import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

/** `npm run runbook -- <stack>` as a user runs it, from the repository root. */
export function runbook(stack: string, env?: NodeJS.ProcessEnv) {
  return spawnSync(
    process.execPath,
    [require.resolve("ts-node/dist/bin"), "--transpile-only", "tools/runbook.ts", stack],
    {
      cwd: ROOT,
      encoding: "utf8",
      ...(env ? { env } : {}),
    },
  );
}
