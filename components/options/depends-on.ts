import * as pulumi from "@pulumi/pulumi";

/**
 * A component's `opts.dependsOn` followed by more resources, as one `dependsOn` value for a child.
 *
 * Children do not inherit their parent's `dependsOn` (the SDK sends a child only its own), so a
 * component hands it to the children that must wait for it; the state then records those edges
 * too, which `pulumi destroy` and `--target` follow. `dependsOn` may be a resource, a list, or a
 * Promise or Output of either: the SDK flattens nested lists, Promises and Outputs when it gathers
 * the dependencies (runtime/dependsOn.ts), so the option is passed on as one element of the list
 * whatever its shape, without being awaited here.
 */
export function dependsOnWith(
  dependsOn: pulumi.ResourceOptions["dependsOn"],
  ...more: pulumi.Input<pulumi.Resource>[]
): pulumi.Input<pulumi.Input<pulumi.Resource>[]> {
  if (dependsOn === undefined) return more;
  if (Array.isArray(dependsOn)) return [...dependsOn, ...more];
  return [dependsOn as pulumi.Input<pulumi.Resource>, ...more];
}
