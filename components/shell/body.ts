import { existsSync, readFileSync } from "fs";
import * as path from "path";

/**
 * Script bodies live as .sh files so they read (and lint) as shell, not as escaped strings in
 * TypeScript: the generic ones in components/scripts/, an application's in its own folder
 * (apps/<name>/scripts/). Each body runs after the prelude of buildScript.
 */
export const SCRIPTS_DIR = path.join(__dirname, "..", "scripts");

const cache = new Map<string, string>();

function read(file: string): string {
  let body = cache.get(file);
  if (body === undefined) {
    body = readFileSync(file, "utf8");
    cache.set(file, body);
  }
  return body;
}

export function scriptBody(name: string): string {
  return read(path.join(SCRIPTS_DIR, `${name}.sh`));
}

/** Several bodies run as one script, in order (a shared part first, e.g. workload-version). */
export function scriptBodies(...names: string[]): string {
  return names.map((n) => scriptBody(n).trimEnd()).join("\n") + "\n";
}

/** Bodies looked up in `dir` first (an application's scripts), then among the generic ones. */
export interface ScriptLibrary {
  body(name: string): string;
  bodies(...names: string[]): string;
}

export function scriptsIn(dir: string): ScriptLibrary {
  const find = (name: string) => {
    const own = path.join(dir, `${name}.sh`);
    return existsSync(own) ? read(own) : scriptBody(name);
  };
  return {
    body: find,
    bodies: (...names) => names.map((n) => find(n).trimEnd()).join("\n") + "\n",
  };
}
