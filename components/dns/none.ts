import { DnsCommon } from "./dns-config";
import { DnsProvider } from "./provider";

/**
 * `dns.provider: none`: the restore changes no DNS, for a rehearsal or a zone managed outside
 * velero-dr. The chain has no DNS steps at all, rather than steps that do nothing: the restore
 * follows the backup sync, and the application's later steps follow the load balancer address.
 * The names keep resolving where they point now (to the old cluster, if it still runs).
 */
export interface NoneDns extends Partial<DnsCommon> {
  provider: "none";
}

export const none: DnsProvider<NoneDns> = {
  name: "none",
  needsDomain: false,
  resolve: () => ({ provider: "none" }),
  env: () => ({}),
  unpublishStep: () => undefined,
  publishStep: () => undefined,
  runbookNote: (_dns, chain) =>
    `DNS is not changed (\`dns.provider: none\`, or no \`dns\` where the vendor's procedure leaves DNS alone): no step removes or publishes records, the application's names keep resolving where they point now${chain.loadBalancer ? "; the wait-load-balancer step prints the new address" : ""}.`,
};
