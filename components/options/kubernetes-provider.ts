import * as pulumi from "@pulumi/pulumi";

/**
 * Refuses a component that would create Kubernetes objects without a Kubernetes provider of its own.
 *
 * Why: a component's children take their provider from it (`opts.provider` / `opts.providers`, or its
 * parent's); with none they fall back to the default provider, i.e. whatever cluster the ambient
 * kubeconfig names, while the component's Commands use `args.kubeconfig`. On a destination that
 * can be the source cluster. Nothing of the component is registered when this throws.
 */
export function requireKubernetesProvider(component: pulumi.ComponentResource, what: string): void {
  if (component.getProvider("kubernetes::") !== undefined) return;
  throw new Error(
    `${what}: no Kubernetes provider: pass the cluster's provider as opts.provider (or in opts.providers, ` +
      "or on a parent component); without one its objects would go to the cluster the ambient kubeconfig names",
  );
}
