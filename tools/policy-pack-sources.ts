/**
 * The program's knowledge the policy pack needs, generated into policies/generated/ so the pack is
 * self-contained (`pulumi policy publish` uploads the policies/ folder only) while the program stays the
 * one place that knowledge is written:
 *
 * - pure modules of components/ (Velero version pairing, plugin config keys, cron and duration parsing),
 *   copied with their relative imports, under the same paths below policies/generated/;
 * - the namespaces each app profile requires with the app's default options (from apps/), as data:
 *   the pack must not load the apps (their chains, scripts and zod schemas).
 *
 * `npm run gen:policy-pack` writes them; test/policies/self-contained.test.ts fails when they differ.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { apps } from "../apps";
import { withDefaults } from "../components/apps/definition";

const ROOT = path.resolve(__dirname, "..");
export const GENERATED_DIR = "policies/generated";

/** The components modules the rules import; their relative imports come along. */
export const VENDORED_ENTRIES = [
  "components/model/durations.ts",
  "components/config/cron.ts",
  "components/velero/versions.ts",
  "components/velero/locations.ts",
];

/** Relative import specifiers of a TypeScript source (static imports, re-exports, require). */
export function importSpecifiers(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/gms,
    /^\s*import\s+"([^"]+)"/gm,
    /\brequire\(\s*"([^"]+)"\s*\)/g,
    /\bimport\(\s*"([^"]+)"\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.add(m[1]);
  return [...found];
}

function resolveTs(fromFile: string, spec: string): string {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const f of [`${base}.ts`, path.join(base, "index.ts")]) if (existsSync(f)) return f;
  throw new Error(`${path.relative(ROOT, fromFile)}: cannot resolve ${spec}`);
}

/** The entries and every file they import relatively, as repository paths, sorted. */
export function vendoredClosure(entries: string[] = VENDORED_ENTRIES): string[] {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    if (!rel.startsWith("components/")) {
      throw new Error(`the policy pack would need ${rel}: only pure modules of components/ are copied`);
    }
    seen.add(rel);
    const abs = path.join(ROOT, rel);
    for (const spec of importSpecifiers(readFileSync(abs, "utf8"))) {
      if (spec.startsWith(".")) visit(path.relative(ROOT, resolveTs(abs, spec)).split(path.sep).join("/"));
      else if (spec.startsWith("@pulumi/")) {
        throw new Error(`${rel} imports ${spec}: the pack copies pure modules only`);
      }
    }
  };
  entries.forEach(visit);
  return [...seen].sort();
}

function header(from: string): string {
  return (
    `// GENERATED from ${from} by \`npm run gen:policy-pack\` (tools/policy-pack-sources.ts):\n` +
    `// edit the source, not this copy. The pack must not import outside policies/ (policy publish).\n`
  );
}

/** The namespaces each app profile requires, with the app's default options. */
export function profileNamespaces(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(apps).sort()) out[name] = [...withDefaults(apps[name]).profile.namespaces];
  return out;
}

function profilesModule(): string {
  return (
    header("apps/*/profile.ts, default options,") +
    "\n" +
    "/**\n" +
    " * The namespaces each app profile (`velero-dr:profile`, the `velero-dr/profile` label of a Schedule)\n" +
    " * needs in a backup, with the app's default options (`velero-dr:app` empty).\n" +
    " */\n" +
    "export const PROFILE_NAMESPACES: Readonly<Record<string, readonly string[]>> = " +
    JSON.stringify(profileNamespaces()) +
    ";\n"
  );
}

/** Every generated file, path relative to the repository root, with its content. */
export async function generatedFiles(): Promise<Map<string, string>> {
  const options = {
    ...(await prettier.resolveConfig(path.join(ROOT, "package.json"))),
    parser: "typescript",
  };
  const files = new Map<string, string>();
  for (const rel of vendoredClosure()) {
    const target = `${GENERATED_DIR}/${rel.slice("components/".length)}`;
    files.set(target, header(rel) + readFileSync(path.join(ROOT, rel), "utf8"));
  }
  files.set(`${GENERATED_DIR}/app-profiles.ts`, profilesModule());
  for (const [f, text] of files) files.set(f, await prettier.format(text, options));
  return files;
}

async function main(): Promise<void> {
  const files = await generatedFiles();
  rmSync(path.join(ROOT, GENERATED_DIR), { recursive: true, force: true });
  for (const [rel, text] of files) {
    mkdirSync(path.dirname(path.join(ROOT, rel)), { recursive: true });
    writeFileSync(path.join(ROOT, rel), text);
    console.log(`wrote ${rel}`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
