// Requires the modules named on the command line, in this fresh process, with no Pulumi engine and
// no mocks, and prints (as JSON on the last line) what importing them did: resources registered or
// read, config read, invokes, and the modules that threw. The SDK's runtime functions are wrapped
// first, so an attempt is counted even where, with no engine, it would fail only later or silently.
// Plain JavaScript: it runs the same way on the package's compiled output and (with ts-node) on the
// sources.
"use strict";
const path = require("path");

const modules = process.argv.slice(2);
const seen = { registered: [], config: [], invoked: [], failed: [] };

function wrap(moduleId, names, into) {
  const m = require(moduleId);
  for (const name of names) {
    const original = m[name];
    if (typeof original !== "function") throw new Error(`import-check: ${moduleId} has no ${name}`);
    m[name] = function (...args) {
      into.push(
        `${name}(${typeof args[0] === "string" ? args[0] : ""}${typeof args[3] === "string" ? ` ${args[2]} ${args[3]}` : ""})`,
      );
      return original.apply(this, args);
    };
  }
}

// Resolved from the first module's location, so the check wraps the SDK copy that module loads.
const from = { paths: [path.dirname(path.resolve(modules[0] || "."))] };
const sdk = (p) => require.resolve(`@pulumi/pulumi/${p}`, from);
wrap(
  sdk("runtime/resource"),
  ["registerResource", "readResource", "getResource", "registerResourceOutputs"],
  seen.registered,
);
wrap(sdk("runtime/config"), ["getConfig", "allConfig"], seen.config);
wrap(sdk("runtime/invoke"), ["invoke", "invokeOutput", "invokeSingle", "call"], seen.invoked);

for (const m of modules) {
  try {
    require(path.resolve(m));
  } catch (e) {
    seen.failed.push(`${m}: ${e && e.message ? e.message : String(e)}`);
  }
}
console.log(JSON.stringify(seen));
