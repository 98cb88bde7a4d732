import { DestinationStackConfig } from "../config/validate";
import { buildRestoreChain } from "./chain";
import { destinationChainInput } from "./destination-chain";
import { renderRunbook } from "./runbook";
import { renderSetup } from "./setup";

/**
 * The runbook of a destination stack (`npm run runbook -- <stack>`): its chain as the stack builds
 * it, the values only known at run time named with where they come from, and the cluster,
 * identity and Velero the stack sets up before the chain.
 */
export function stackRunbook(cfg: DestinationStackConfig): string {
  const chain = buildRestoreChain(destinationChainInput(cfg));
  const source = cfg.source.stack
    ? `stack \`${cfg.source.stack}\``
    : "the source outputs in this stack's configuration";
  const fromSource = (output: string) =>
    cfg.source.stack ? `<source output ${output}: pulumi stack output -s ${cfg.source.stack} --json>` : "";
  return renderRunbook(chain, {
    stack: cfg.stack,
    profile: cfg.profile.displayName,
    reference: cfg.profile.reference,
    source,
    backup: cfg.backup.name
      ? `\`${cfg.backup.name}\``
      : `the newest Completed backup of schedule \`${cfg.backup.schedule}\``,
    runtime: {
      SOURCE_API_SERVER: cfg.source.outputs?.cluster.apiServer ?? fromSource("cluster.apiServer"),
      SOURCE_CLUSTER_UID: cfg.source.outputs?.cluster.uid ?? fromSource("cluster.uid"),
      SOURCE_KUBERNETES_VERSION:
        cfg.source.outputs?.cluster.kubernetesVersion ?? fromSource("cluster.kubernetesVersion"),
    },
    setup: renderSetup(cfg, chain),
  });
}
