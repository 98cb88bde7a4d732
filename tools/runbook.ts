/**
 * `npm run runbook -- <stack>`: prints the restore runbook of a destination stack as Markdown. Its
 * configuration comes from `pulumi config --json` when the Pulumi CLI is installed and knows the
 * stack (ESC environments resolved), else from stacks/Pulumi.<stack>.yaml or the app example of
 * that name (apps/<app>/examples/Pulumi.<stack>.yaml); encrypted values are not needed.
 */
import { ConfigError } from "../components/config/errors";
import { stackRunbook } from "../components/restore/stack-runbook";
import { validateStackConfig } from "../stacks/config";
import { readStackConfig } from "./stack-config";

function main(argv: string[]): number {
  const stack = argv[0];
  if (!stack || argv.length > 1) {
    process.stderr.write(
      "usage: npm run runbook -- <stack>   (reads stacks/Pulumi.<stack>.yaml, else an app's example)\n",
    );
    return 2;
  }
  try {
    const read = readStackConfig(stack);
    if (read.note) process.stderr.write(`runbook: ${read.note}; reading ${read.from}\n`);
    const cfg = validateStackConfig(read.raw);
    if (cfg.role !== "destination") {
      process.stderr.write(
        `runbook: ${stack} is a ${cfg.role} stack; runbooks describe destination (restore) stacks\n`,
      );
      return 2;
    }
    process.stdout.write(stackRunbook(cfg));
    return 0;
  } catch (e) {
    process.stderr.write(`runbook: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
