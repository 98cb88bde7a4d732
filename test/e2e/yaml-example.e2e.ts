import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { veleroChart } from "../../drill/engine/velero-chart";
import { EngineWorkspace } from "../../drill/engine/workspace";
import { LocalCluster, SOURCE_PORTS } from "../../drill/lib/kube";
import { Processes } from "../../drill/lib/procs";
import { engineToolchain, toolchain, yamlToolchain } from "../../drill/lib/toolchain";
import { PLUGIN } from "../support/component-package";

const EXAMPLE = path.join(__dirname, "..", "..", "examples", "yaml-source", "Pulumi.yaml");

/** The secret values the example's header says to set; none may show in what the CLI prints. */
const KEY_ID = "yaml-example-key-id-7f3a";
const SECRET_KEY = "yaml-example-secret-access-key-51c9e0";

interface PreviewStep {
  op: string;
  urn: string;
  newState?: { type: string; inputs?: Record<string, unknown> };
}

/**
 * examples/yaml-source as a user runs it, under the real engine: the Pulumi CLI (v3.276.0) runs
 * the program with the real Pulumi YAML language host (pulumi-language-yaml v1.25.0, built by
 * drill/toolchain.sh --yaml), which resolves `velero-dr:index:VeleroSource` from the Pulumi.yaml's
 * `packages:` entry (the component package, plugin/, started by the Node.js language host
 * stand-in); the engine constructs the component in that plugin; its Kubernetes children are
 * previewed by the real kubernetes provider against a real kube-apiserver. The example is copied
 * with two changes only: the package's path made absolute (the copy is elsewhere) and
 * velero.chartPath set to the drill's stand-in chart (nothing here reaches the chart repository).
 */
describe("real engine: pulumi preview of the YAML example with the component package", function () {
  this.timeout(30 * 60_000);
  let dir: string;
  let consumer: string;
  let ws: EngineWorkspace;
  let procs: Processes;
  let cluster: LocalCluster;

  const pulumi = (args: string[], input = "") => ws.pulumiSync(args, { cwd: consumer, input });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-dr-yaml-example-"));
    const tc = toolchain();
    procs = new Processes(path.join(dir, "logs"));
    cluster = new LocalCluster("source", SOURCE_PORTS, dir, tc.bin, procs);
    await cluster.start(1);
    const yaml = yamlToolchain();
    ws = new EngineWorkspace(path.join(dir, "ws"), engineToolchain(), {
      pulumiYaml: "name: yaml-example-workspace\nruntime: nodejs\nmain: plugin/index.ts\n",
      languages: [
        {
          name: "yaml",
          version: yaml.pins.PULUMI_YAML_VERSION,
          binary: path.join(yaml.bin, "pulumi-language-yaml"),
        },
      ],
    });
    const project = parseYaml(fs.readFileSync(EXAMPLE, "utf8"));
    assert.equal(project.packages?.["velero-dr"], "../../plugin", "the example's package entry moved");
    project.packages["velero-dr"] = PLUGIN;
    project.resources.source.properties.velero.chartPath = veleroChart(dir, path.join(tc.bin, "velero"));
    consumer = path.join(dir, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), toYaml(project));
  });
  after(async () => {
    ws?.killStrays();
    await procs?.stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("previews the VeleroSource and its Velero install and Schedules on the cluster, the secrets never shown", () => {
    const init = pulumi(["stack", "init", "dev", "--secrets-provider", "passphrase"]);
    assert.equal(init.code, 0, `stack init: ${init.stdout}\n${init.stderr}`);
    // As the example's header says: each secret with `pulumi config set --secret`, the key from stdin.
    for (const [key, value] of [
      ["kubeconfig", cluster.kubeconfig],
      ["s3AccessKeyId", KEY_ID],
      ["s3SecretAccessKey", SECRET_KEY],
    ]) {
      const set = pulumi(["config", "set", "--secret", key], value);
      assert.equal(set.code, 0, `config set --secret ${key}: ${set.stdout}\n${set.stderr}`);
    }
    const r = pulumi(["preview", "--json"]);
    const printed = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 0, `pulumi preview exited ${r.code}:\n${printed}`);
    // The key pair, and the kubeconfig's credential (the cluster's bearer token).
    const user = (parseYaml(cluster.kubeconfig) as { users: { user: Record<string, string> }[] }).users[0]
      .user;
    const credentials = Object.values(user).filter((v) => typeof v === "string" && v.length >= 16);
    assert.ok(credentials.length > 0, "the cluster's kubeconfig has no credentials to look for");
    for (const s of [SECRET_KEY, KEY_ID, ...credentials])
      assert.ok(!printed.includes(s), `a secret value was printed: ${s.slice(0, 4)}…`);
    const preview = JSON.parse(r.stdout) as { steps: PreviewStep[]; diagnostics?: { message: string }[] };
    // Nothing the language host, the package or a provider warned about (the YAML host warns of a
    // key its program format does not have, e.g. a config entry's description).
    const warnings = (preview.diagnostics ?? [])
      .map((d) => d.message)
      .filter((m) => /warning|error/i.test(m));
    assert.deepEqual(warnings, []);
    const steps = preview.steps;
    const creates = steps.filter((s) => s.op === "create").map((s) => s.newState?.type ?? "");
    for (const t of [
      "velero-dr:index:VeleroSource",
      "pulumi:providers:kubernetes",
      "velero-dr:velero:VeleroInstall",
      "kubernetes:helm.sh/v3:Release",
      "velero-dr:velero:VeleroSchedules",
    ])
      assert.ok(creates.includes(t), `no ${t} to create in the preview: ${[...new Set(creates)].join(", ")}`);
    // The example's two Schedules, parented by the component the YAML program declared.
    const schedules = steps.filter((s) => s.newState?.type === "kubernetes:velero.io/v1:Schedule");
    assert.deepEqual(
      schedules
        .map((s) => s.newState?.inputs?.metadata)
        .map((m) => (m as { name: string }).name)
        .sort(),
      ["daily", "weekly"],
    );
  });
});
