import * as pulumi from "@pulumi/pulumi";
import { apps } from "../apps";
import { CONFIG_NAMESPACE, RawConfigInput, StackConfig, validateConfig } from "../components/config/validate";

/**
 * Reads this stack's `velero-dr:*` configuration and validates it. No resource is registered
 * here; the program calls it first so a bad configuration stops everything before it starts.
 */
export function loadStackConfig(): StackConfig {
  return validateStackConfig(readRawConfig());
}

/** Validates raw configuration against the applications this program knows (apps/). */
export function validateStackConfig(input: RawConfigInput): StackConfig {
  return validateConfig(input, apps);
}

export function readRawConfig(): RawConfigInput {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const all = pulumi.runtime.allConfig();
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = parseValue(value);
    if (isSecret(fullKey)) secretKeys.push(key);
  }
  return { values, secretKeys, stack: pulumi.getStack() };
}

/**
 * Pulumi keeps structured and scalar config values as strings; YAML `true`, `3` and maps arrive
 * as "true", "3" and JSON text. Parse what is JSON, keep the rest as the string it is.
 */
export function parseValue(value: string): unknown {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "string" ? value : parsed;
  } catch {
    return value;
  }
}

function isSecret(fullKey: string): boolean {
  // isConfigSecret is marked internal in the SDK but is the only way to tell a secret key
  // without reading it through getSecret (which would wrap it and hide plain-text mistakes).
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return runtime.isConfigSecret ? runtime.isConfigSecret(fullKey) : false;
}
