import { readFileSync } from "fs";
import { parse as parseYaml } from "yaml";
import { STACKS_DIR, stackFilePath } from "./example-stacks";
import { CONFIG_NAMESPACE, RawConfigInput } from "./validate";

/** Placeholder for an encrypted (`secure:`) value read from a stack file without decrypting it. */
export const REDACTED = "<secret>";

/**
 * Reads `stacks/Pulumi.<stack>.yaml` (else the app example of that name, `apps/<app>/examples/`)
 * as raw `velero-dr:` config, the way Pulumi would hand it to the program. Encrypted values are not decrypted: they are marked secret and redacted,
 * which is enough for tools that only need the shape (the runbook).
 */
export function readStackFile(stack: string, dir = STACKS_DIR): RawConfigInput & { redacted: string[] } {
  const file = stackFilePath(stack, dir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`no stack file ${file}; stacks are configured in ${dir}/Pulumi.<stack>.yaml`);
  }
  const doc = (parseYaml(text) ?? {}) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const redacted: string[] = [];
  for (const [k, v] of Object.entries(doc.config ?? {})) {
    if (!k.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = k.slice(CONFIG_NAMESPACE.length + 1);
    if (v && typeof v === "object" && "secure" in (v as object)) {
      values[key] = REDACTED;
      secretKeys.push(key);
      redacted.push(key);
    } else {
      values[key] = v;
    }
  }
  return { values, secretKeys, stack, redacted };
}
