import { existsSync, readFileSync } from "fs";
import * as path from "path";

/**
 * Which `@pulumi/*` modules a program loads: its own files are followed from the entry through
 * their relative imports, and every package specifier they import is collected. The bare-load
 * baseline of the evaluation-time benchmark requires exactly these (provider submodules such as
 * `@pulumi/azure-native/authorization` load only their part of the provider).
 */

/** Module specifiers of `import ... from "x"`, `import "x"`, `export ... from "x"` and `require("x")`. */
export function importSpecifiers(source: string): string[] {
  const out = new Set<string>();
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^"';]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.add(m[1]);
  // Type-only imports load nothing at run time.
  for (const m of code.matchAll(/\bimport\s+type\s+[^"';]*?\bfrom\s*["']([^"']+)["']/g)) {
    if (!new RegExp(`\\bimport\\s+(?!type\\b)[^"';]*?\\bfrom\\s*["']${escape(m[1])}["']`).test(code)) {
      out.delete(m[1]);
    }
  }
  return [...out].sort();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** File access the scan needs (the real file system by default; tests pass their own). */
export interface SourceFiles {
  read: (file: string) => string;
  exists: (file: string) => boolean;
}

const DISK: SourceFiles = { read: (f) => readFileSync(f, "utf8"), exists: existsSync };

/** A relative specifier's file (`./x` -> `./x.ts` or `./x/index.ts`), or undefined. */
function resolveLocal(from: string, spec: string, files: SourceFiles): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => f.endsWith(".ts") && files.exists(f));
}

/** The `@pulumi/...` specifiers loaded at run time by `entry` and the project files it imports. */
export function pulumiModulesOf(entry: string, files: SourceFiles = DISK): string[] {
  const seen = new Set<string>();
  const found = new Set<string>();
  const stack = [path.resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importSpecifiers(files.read(file))) {
      if (spec.startsWith(".")) {
        const f = resolveLocal(file, spec, files);
        if (f) stack.push(f);
      } else if (spec.startsWith("@pulumi/")) {
        found.add(spec);
      }
    }
  }
  return [...found].sort();
}
