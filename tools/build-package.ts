/**
 * `npm run build:package`: the component package's build output in dist/ (git-ignored): the
 * JavaScript and type declarations of components/ and of the built-in applications (apps/, without
 * their tests, drills and examples) compiled by tsc (tsconfig.package.json), and the shell script
 * bodies the modules read beside themselves at run time (components/scripts/, components/monitoring/,
 * apps/<app>/scripts/). Then every target of package.json `exports` must exist: a subpath that
 * points at nothing fails the build, not a user's import.
 */
import { spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");

/** Files ending in `ext` below `dir` (relative to ROOT), skipping tests and drill fixtures. */
function filesBelow(dir: string, ext: string): string[] {
  const out: string[] = [];
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return out;
  for (const e of readdirSync(abs)) {
    const rel = path.join(dir, e);
    if (statSync(path.join(ROOT, rel)).isDirectory()) {
      if (["test", "drill", "examples", "node_modules"].includes(e)) continue;
      out.push(...filesBelow(rel, ext));
    } else if (e.endsWith(ext)) out.push(rel);
  }
  return out;
}

/** The files package.json `exports` names (conditions `types` and `default`). */
export function exportTargets(pkg: { exports: Record<string, string | Record<string, string>> }): string[] {
  return Object.values(pkg.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)));
}

function main(): void {
  rmSync(DIST, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.package.json")],
    { stdio: "inherit", cwd: ROOT },
  );
  if (tsc.status !== 0) {
    console.error("build:package: tsc failed");
    process.exit(1);
  }
  const scripts = [...filesBelow("components", ".sh"), ...filesBelow("apps", ".sh")];
  for (const f of scripts) {
    mkdirSync(path.dirname(path.join(DIST, f)), { recursive: true });
    copyFileSync(path.join(ROOT, f), path.join(DIST, f));
  }
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const missing = exportTargets(pkg).filter((t) => !existsSync(path.join(ROOT, t)));
  if (missing.length > 0) {
    console.error(
      `build:package: package.json exports name files the build did not write: ${missing.join(", ")}`,
    );
    process.exit(1);
  }
  console.log(`build:package: dist/ written (${scripts.length} script bodies copied)`);
}

if (require.main === module) main();
