import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { exampleStacks } from "../../components/config/example-stacks";
import { engineToolchain } from "../../drill/lib/toolchain";
import { EngineRun, EngineWorkspace } from "../../drill/engine/workspace";

const REPO = path.resolve(__dirname, "../..");

/**
 * What an operator sets with `pulumi config set --secret` where an example stack shows a `secure:`
 * placeholder (as its header says to): stand-in values of the right shape.
 */
const SECRET_VALUES: Record<string, string> = {
  "velero-dr:kubeconfig": [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]",
    "users: [{name: u, user: {token: example-token}}]",
    "contexts: [{name: x, context: {cluster: c, user: u}}]",
    "current-context: x",
  ].join("\n"),
  "velero-dr:s3compatCredentials": JSON.stringify({
    accessKeyId: "EXAMPLEKEYID0000",
    secretAccessKey: "example-secret-access-key-0000",
  }),
  "velero-dr:dnsTsigSecret": Buffer.from("example tsig secret 0123456789abcd").toString("base64"),
};

/**
 * The only failures allowed: a resource plugin the registries here cannot give (README, Limits),
 * or the example's placeholder cluster (the stand-in kubeconfig above) not answering a read.
 */
const UNOBTAINABLE =
  /no resource plugin 'pulumi-resource-(azure-native|azuread|aws)' found|failed to read resource state due to unreachable cluster/;

/**
 * A destination example's StackReference names its example source, which is only previewed here
 * and so has no outputs: the program refuses it by design (when that check runs before the
 * placeholder cluster's refusal ends the preview; the two race).
 */
const NO_SOURCE_OUTPUTS = /velero-dr: stack \S+ does not export a source stack's outputs/;

/**
 * What the Node.js SDK reports when the engine ends a run under it: once an allowed failure above
 * has ended the preview, the engine closes the resource monitor, the SDK closes its channel
 * (terminateRpcs) and a registration still in flight fails with one of these. They follow an
 * allowed failure (and are allowed only then); which of the two shows depends on timing.
 */
const ENDED_BY_ENGINE = /Error: Channel has been shut down|Resource monitor is terminating/;

function output(r: EngineRun): string {
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * What the engine saw the program register: its `velero-dr:<module>:<Type>` components and the
 * providers it creates (an AWS source creates its explicit provider before anything else).
 */
function registered(r: EngineRun): string[] {
  const found = output(r).matchAll(/\b(velero-dr:[a-z]+:[A-Za-z]+|pulumi:providers:[a-z-]+)\b/g);
  return [...new Set([...found].map((m) => m[0]))].sort();
}

/**
 * The program under the real Pulumi CLI (v3.276.0, built by drill/toolchain.sh --engine), started
 * the way the engine starts it: `main: stacks/index.ts` → working directory stacks/, entry point
 * index.ts, @pulumi/pulumi/cmd/run with Pulumi.yaml's runtime options (through the declared
 * language-host stand-in, drill/engine). Nothing is written into the checkout.
 */
describe("real engine: the program starts and runs its stacks", function () {
  this.timeout(30 * 60_000);
  let tools: ReturnType<typeof engineToolchain>;
  const dirs: string[] = [];
  const workspace = (opts?: ConstructorParameters<typeof EngineWorkspace>[2]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-dr-engine-"));
    dirs.push(dir);
    return new EngineWorkspace(dir, tools, opts);
  };

  before(() => {
    tools = engineToolchain();
  });
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("fails to load the program with the Pulumi.yaml that had no tsconfig option (the regression this guards)", () => {
    const old = fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8").replace(/^\s*tsconfig:.*$/m, "");
    const ws = workspace({ pulumiYaml: old });
    const ex = exampleStacks().find((e) => e.stack === "example-source-azure");
    assert.ok(ex);
    assert.equal(ws.initStack(ex.stack, fs.readFileSync(ex.file, "utf8")).code, 0);
    const r = ws.pulumiSync(["preview", "-s", ex.stack]);
    assert.notEqual(r.code, 0);
    assert.match(output(r), /ERR_MODULE_NOT_FOUND/);
    assert.deepEqual(registered(r), []);
  });

  it("every example stack still validates after `pulumi stack init` rewrote it, and its program runs to its resources", () => {
    const ws = workspace();
    // Sources first: the destinations' StackReferences name them.
    const examples = exampleStacks().sort(
      (a, b) => Number(a.stack.includes("destination")) - Number(b.stack.includes("destination")),
    );
    assert.ok(examples.length >= 9, `examples: ${examples.map((e) => e.stack)}`);
    const problems: string[] = [];
    for (const ex of examples) {
      const init = ws.initStack(ex.stack, fs.readFileSync(ex.file, "utf8"));
      assert.equal(init.code, 0, `${ex.stack}: stack init: ${output(init)}`);
      // What the CLI left in the file: its salt added, values re-rendered (`true` → "true").
      const rewritten = parseYaml(fs.readFileSync(ws.stackFile(ex.stack), "utf8"));
      assert.ok(rewritten.encryptionsalt, `${ex.stack}: stack init added no encryptionsalt`);
      for (const [key, value] of Object.entries(rewritten.config ?? {})) {
        if (!value || typeof value !== "object" || !("secure" in value)) continue;
        assert.ok(SECRET_VALUES[key], `${ex.stack}: no stand-in value for the secret ${key}`);
        const set = ws.pulumiSync(["config", "set", "--secret", key, SECRET_VALUES[key], "-s", ex.stack]);
        assert.equal(set.code, 0, `${ex.stack}: config set --secret ${key}: ${output(set)}`);
      }
      const r = ws.pulumiSync(["preview", "-s", ex.stack]);
      const out = output(r);
      const endedByAllowedFailure = UNOBTAINABLE.test(out) || NO_SOURCE_OUTPUTS.test(out);
      const errors = out
        .split("\n")
        .filter(
          (l) =>
            /\berror:/.test(l) &&
            !UNOBTAINABLE.test(l) &&
            !NO_SOURCE_OUTPUTS.test(l) &&
            !(endedByAllowedFailure && ENDED_BY_ENGINE.test(l)) &&
            !/error: preview failed|errored|1 error/.test(l),
        );
      if (/ERR_MODULE_NOT_FOUND|Cannot find module/.test(out))
        problems.push(`${ex.stack}: the program did not load`);
      // An unhandled exception's message follows its line: allowed when it is one of the above,
      // reported with its text otherwise.
      const thrown = /failed with an unhandled exception:\n((?:.*\n){1,15})/.exec(out)?.[1];
      const allowed =
        thrown !== undefined &&
        (UNOBTAINABLE.test(thrown) ||
          NO_SOURCE_OUTPUTS.test(thrown) ||
          // Its own message only: a real crash's lines may be followed by these.
          (endedByAllowedFailure && ENDED_BY_ENGINE.test(thrown.split("\n").find((l) => l.trim()) ?? "")));
      const reported = allowed ? errors.filter((l) => !/failed with an unhandled exception/.test(l)) : errors;
      if (reported.length)
        problems.push(`${ex.stack}: ${reported.join(" | ")}${thrown ? `\n${thrown}` : ""}`);
      if (!registered(r).length) problems.push(`${ex.stack}: the program registered nothing`);
      // A destination whose cloud resources wait for the checked source outputs (the cross-region
      // guard) now ends at the refused StackReference before it asks for a cloud plugin.
      if (r.code !== 0 && !endedByAllowedFailure) problems.push(`${ex.stack}: preview failed (${r.code})`);
    }
    assert.deepEqual(problems, []);
  });
});
