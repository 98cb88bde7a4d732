/**
 * `npm run runbook -- <stack>`: prints the restore runbook of a destination stack as Markdown,
 * offline, from stacks/Pulumi.<stack>.yaml, else from the app example of that name
 * (apps/<app>/examples/Pulumi.<stack>.yaml); encrypted values are not needed.
 */
import { ConfigError } from "../components/config/errors";
import { readStackFile } from "../components/config/stack-file";
import { buildRestoreChain } from "../components/restore/chain";
import { destinationChainInput } from "../components/restore/destination-chain";
import { renderRunbook } from "../components/restore/runbook";
import { validateStackConfig } from "../stacks/config";

function main(argv: string[]): number {
  const stack = argv[0];
  if (!stack || argv.length > 1) {
    process.stderr.write(
      "usage: npm run runbook -- <stack>   (reads stacks/Pulumi.<stack>.yaml, else an app's example)\n",
    );
    return 2;
  }
  try {
    const cfg = validateStackConfig(readStackFile(stack));
    if (cfg.role !== "destination") {
      process.stderr.write(
        `runbook: ${stack} is a ${cfg.role} stack; runbooks describe destination (restore) stacks\n`,
      );
      return 2;
    }
    const chain = buildRestoreChain(destinationChainInput(cfg));
    const source = cfg.source.stack
      ? `stack \`${cfg.source.stack}\``
      : "the source outputs in this stack's configuration";
    const fromSource = (output: string) =>
      cfg.source.stack ? `<source output ${output}: pulumi stack output -s ${cfg.source.stack} --json>` : "";
    process.stdout.write(
      renderRunbook(chain, {
        stack,
        profile: cfg.profile.displayName,
        source,
        backup: cfg.backup.name
          ? `\`${cfg.backup.name}\``
          : `the newest Completed backup of schedule \`${cfg.backup.schedule}\``,
        runtime: {
          SOURCE_API_SERVER: cfg.source.outputs?.cluster.apiServer ?? fromSource("cluster.apiServer"),
          SOURCE_CLUSTER_UID: cfg.source.outputs?.cluster.uid ?? fromSource("cluster.uid"),
        },
      }),
    );
    return 0;
  } catch (e) {
    process.stderr.write(`runbook: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
