/**
 * Prepares a process the way the Pulumi Node.js runtime does before it loads a TypeScript program
 * (`runtime: {name: nodejs, options: {typescript: true}}`), so the bench's "ts-node" rows measure
 * what `pulumi preview`/`pulumi up` run:
 *
 * 1. source-map-support, which @pulumi/pulumi/cmd/run/index.js installs for every program;
 * 2. ts-node, registered as @pulumi/pulumi/cmd/run/run.js does (CommonJS path), with the same
 *    options and environment variables. The project is PULUMI_NODEJS_TSCONFIG_PATH (which
 *    Pulumi.yaml's `tsconfig` option sets) or ./tsconfig.json, whose "ts-node" section ts-node
 *    reads (this project: `"swc": true`); transpileOnly comes from PULUMI_NODEJS_TRANSPILE_ONLY,
 *    else from the tsconfig's `noCheck`, else it is left to ts-node (so to that "ts-node"
 *    section); the compiler options are Pulumi's defaults overridden by the tsconfig's own.
 *    ts-node installs its own source-map-support over the first.
 *
 * The runner's gRPC, logging and tracing set-up is not replayed: it talks to the engine, which
 * the mocks replace.
 *
 *   node -r ./tools/bench/pulumi-register.js tools/bench/eval-child.ts '<json>'
 */
require("source-map-support/register");
const fs = require("fs");
const semver = require("semver");
const tsutils = require("@pulumi/pulumi/tsutils");

const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json";
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
let transpileOnly = undefined;
const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
if (transpileOnlyEnv) {
  transpileOnly = transpileOnlyEnv === "true";
} else {
  transpileOnly = compilerOptions.noCheck;
}
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = require(typescriptRequire);
const tsVersion = semver.parse(ts.version);
const useNodeNext = tsVersion && tsVersion.compare(new semver.SemVer("4.7.0")) >= 0;
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly,
  project: tsConfigPath,
  skipProject: !fs.existsSync(tsConfigPath),
  compilerOptions: {
    target: "ES2020",
    module: useNodeNext ? "nodenext" : "commonjs",
    moduleResolution: useNodeNext ? "nodenext" : "node",
    sourceMap: "true",
    ...compilerOptions,
  },
});
