import { ComponentProvider, ComponentProviderOptions } from "@pulumi/pulumi/provider/experimental";
import { VELERO_SOURCE_SECRET_INPUTS, VeleroSource } from "./velero-source";

/** The package's name: resource tokens are `velero-dr:index:<Component>`. */
export const PACKAGE_NAME = "velero-dr";

/** The components the package exposes, and which of their inputs hold secrets. */
export const COMPONENTS = [{ component: VeleroSource, secretInputs: VELERO_SOURCE_SECRET_INPUTS }];

interface SchemaResource {
  inputProperties?: Record<string, Record<string, unknown>>;
}

/**
 * Marks the secret inputs `secret: true` in a package schema. Why: the SDK's inference reads types
 * and doc comments only and has no way to say "secret"; the schema field is what makes generated
 * SDKs and Pulumi YAML treat the value as a secret before it reaches the component.
 */
export function markSecretInputs(schemaJson: string): string {
  const schema = JSON.parse(schemaJson) as { resources: Record<string, SchemaResource> };
  for (const { component, secretInputs } of COMPONENTS) {
    const token = `${PACKAGE_NAME}:index:${component.name}`;
    const props = schema.resources[token]?.inputProperties;
    for (const key of secretInputs) {
      if (!props?.[key]) throw new Error(`${token}: no input property ${key} to mark secret`);
      props[key].secret = true;
    }
  }
  return JSON.stringify(schema);
}

/**
 * The SDK's component provider (schema inference from these TypeScript declarations, Construct),
 * with the secret inputs marked in the schema it serves.
 */
export class VeleroDrComponentProvider extends ComponentProvider {
  constructor(options: Omit<ComponentProviderOptions, "components" | "name">) {
    super({ ...options, name: PACKAGE_NAME, components: COMPONENTS.map((c) => c.component) });
  }

  override async getSchema(): Promise<string> {
    return markSecretInputs(await super.getSchema());
  }
}
