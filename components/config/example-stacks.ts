import { existsSync, readdirSync } from "fs";
import * as path from "path";

/**
 * Where stack files are: a user's own in `stacks/Pulumi.<stack>.yaml` (Pulumi's stackConfigDir),
 * the examples each app ships in `apps/<app>/examples/Pulumi.<stack>.yaml`. Only fs and path:
 * the test harness loads this before a program runs, and the bench counts what a program loads.
 */

export const STACKS_DIR = path.join(__dirname, "..", "..", "stacks");
export const APPS_DIR = path.join(__dirname, "..", "..", "apps");

export interface ExampleStack {
  /** The stack name (`example-...`). */
  stack: string;
  /** The app folder that ships it. */
  app: string;
  file: string;
}

/** Every example stack of every app folder, sorted by stack name. */
export function exampleStacks(appsDir = APPS_DIR): ExampleStack[] {
  const out: ExampleStack[] = [];
  for (const app of existsSync(appsDir) ? readdirSync(appsDir) : []) {
    const dir = path.join(appsDir, app, "examples");
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const stack = /^Pulumi\.(example-.+)\.yaml$/.exec(f)?.[1];
      if (stack) out.push({ stack, app, file: path.join(dir, f) });
    }
  }
  return out.sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}

/** The file of an app's example stack, or undefined when no app ships one of that name. */
export function exampleStackFile(stack: string): string | undefined {
  return exampleStacks().find((e) => e.stack === stack)?.file;
}

/**
 * The file of a stack: `<dir>/Pulumi.<stack>.yaml` when it exists (a user's own stack comes
 * first), else the example of that name, else the path in `dir` (which does not exist).
 */
export function stackFilePath(stack: string, dir = STACKS_DIR): string {
  const own = path.join(dir, `Pulumi.${stack}.yaml`);
  if (existsSync(own)) return own;
  return exampleStackFile(stack) ?? own;
}
