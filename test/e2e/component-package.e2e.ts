import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineToolchain } from "../../drill/lib/toolchain";
import { EngineWorkspace } from "../../drill/engine/workspace";
import { PackageSchema, PLUGIN, schemaFromPlugin, SchemaType } from "../support/component-package";

/** What a generated SDK is made of: each property's type, secretness and whether it is required. */
function schemaSummary(s: PackageSchema): unknown {
  const prop = (p: SchemaType): unknown => ({
    type: p.type ?? p.$ref,
    items: p.items ? prop(p.items) : undefined,
    secret: Boolean(p.secret),
  });
  const props = (o: Record<string, SchemaType> = {}) =>
    Object.fromEntries(Object.entries(o).map(([k, p]) => [k, prop(p)]));
  return {
    name: s.name,
    version: s.version,
    resources: Object.fromEntries(
      Object.entries(s.resources).map(([t, r]) => [
        t,
        {
          inputs: props(r.inputProperties),
          requiredInputs: [...(r.requiredInputs ?? [])].sort(),
          outputs: props(r.properties),
          required: [...(r.required ?? [])].sort(),
        },
      ]),
    ),
    types: Object.fromEntries(
      Object.entries(s.types).map(([t, o]) => [
        t,
        { properties: props(o.properties), required: [...(o.required ?? [])].sort() },
      ]),
    ),
  };
}

/**
 * The component package (plugin/) under the real Pulumi CLI: `pulumi package get-schema <dir>`
 * reads PulumiPlugin.yaml, has the Node.js language host (the declared stand-in of drill/engine)
 * install its dependencies (npm install: nothing to install, nothing changed) and start the plugin with @pulumi/pulumi's run-plugin — type-checked by ts-node, as for any
 * TypeScript plugin — and asks it for its schema: what `pulumi package add` generates a Python, Go
 * or YAML SDK from. Run from an empty consumer directory, as a consumer's `pulumi package add` is.
 */
describe("real engine: pulumi package get-schema of the component package", function () {
  let dir: string;
  let ws: EngineWorkspace;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-dr-component-package-"));
    // The workspace gives the CLI its PULUMI_HOME with the language host installed; its project
    // (the package's own directory linked) is not used: the CLI runs in a consumer directory.
    ws = new EngineWorkspace(path.join(dir, "ws"), engineToolchain(), {
      pulumiYaml: "name: component-package\nruntime: nodejs\nmain: plugin/index.ts\n",
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("generates the same schema the plugin serves directly: velero-dr:index:VeleroSource, secrets marked", async () => {
    const consumer = path.join(dir, "consumer");
    fs.mkdirSync(consumer);
    const files = () =>
      fs
        .readdirSync(PLUGIN)
        .sort()
        .map(
          (f) =>
            `${f} ${fs.statSync(path.join(PLUGIN, f)).isFile() ? fs.readFileSync(path.join(PLUGIN, f), "utf8") : "(dir)"}`,
        );
    const before = files();
    const r = ws.pulumiSync(["package", "get-schema", PLUGIN], { cwd: consumer, timeoutMs: 15 * 60_000 });
    const seconds = r.seconds;
    assert.equal(r.code, 0, `pulumi package get-schema exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /Installing dependencies\.\.\.[\s\S]*Finished installing dependencies/);
    assert.deepEqual(files(), before, "the install changed the package's directory");
    const viaCli = JSON.parse(r.stdout) as PackageSchema;
    console.log(`      (pulumi package get-schema: ${seconds.toFixed(0)} s)`);
    assert.equal(viaCli.name, "velero-dr");
    const source = viaCli.resources["velero-dr:index:VeleroSource"];
    assert.ok(source, `no velero-dr:index:VeleroSource in ${Object.keys(viaCli.resources).join(", ")}`);
    assert.equal(source.inputProperties.kubeconfig.secret, true);
    assert.equal(source.inputProperties.s3compatCredentials.secret, true);
    // The CLI prints the schema as it decoded it (fields the schema format does not have, such as the
    // inference's `optional`, are dropped): the two agree on what an SDK is generated from.
    assert.deepEqual(schemaSummary(viaCli), schemaSummary(await schemaFromPlugin()));
  });
});
