import { readFileSync } from "fs";
import * as path from "path";

/**
 * Script bodies live as .sh files in components/scripts/ so they read (and lint) as shell,
 * not as escaped strings in TypeScript. Each body runs after the prelude of buildScript.
 */
export const SCRIPTS_DIR = path.join(__dirname, "..", "scripts");

const cache = new Map<string, string>();

export function scriptBody(name: string): string {
  let body = cache.get(name);
  if (body === undefined) {
    body = readFileSync(path.join(SCRIPTS_DIR, `${name}.sh`), "utf8");
    cache.set(name, body);
  }
  return body;
}

/** Several bodies run as one script, in order (a shared part first, e.g. workload-version). */
export function scriptBodies(...names: string[]): string {
  return names.map((n) => scriptBody(n).trimEnd()).join("\n") + "\n";
}
