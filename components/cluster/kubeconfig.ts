import { parse as parseYaml } from "yaml";

/** The current context's API server URL from kubeconfig content. */
export function apiServerOf(kubeconfig: string): string {
  const doc = parseYaml(kubeconfig) as {
    "current-context"?: string;
    contexts?: { name: string; context: { cluster: string } }[];
    clusters?: { name: string; cluster: { server: string } }[];
  };
  const ctx = doc.contexts?.find((c) => c.name === doc["current-context"]) ?? doc.contexts?.[0];
  const cluster = doc.clusters?.find((c) => c.name === ctx?.context.cluster) ?? doc.clusters?.[0];
  if (!cluster?.cluster?.server) throw new Error("the kubeconfig names no cluster server");
  return cluster.cluster.server;
}
