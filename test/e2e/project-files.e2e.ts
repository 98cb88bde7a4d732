import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { exampleStacks } from "../../components/config/example-stacks";
import { readStackFile } from "../../components/config/stack-file";
import { engineToolchain } from "../../drill/lib/toolchain";
import { EngineRun, EngineWorkspace } from "../../drill/engine/workspace";
import { validateStackConfig } from "../../stacks/config";
import { rawConfigFromCli } from "../../tools/automation/driver";
import { projectConfig } from "../../tools/project-config";

const REPO = path.resolve(__dirname, "../..");

/** JSON with every object's keys sorted (a map's order is not part of its meaning; the CLI sorts them). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

function output(r: EngineRun): string {
  return `${r.stdout}\n${r.stderr}`;
}

/** Stand-in secret values of the right shape, for the example stacks' `secure:` placeholders. */
const SECRET_VALUES: Record<string, string> = {
  "velero-dr:kubeconfig": "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n",
  "velero-dr:s3compatCredentials": JSON.stringify({
    accessKeyId: "EXAMPLEKEYID0000",
    secretAccessKey: "example-secret-access-key-0000",
  }),
  "velero-dr:dnsTsigSecret": Buffer.from("example tsig secret 0123456789abcd").toString("base64"),
};

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

const ACCOUNT = "azure-native:storage:StorageAccount";

/** A stack state (`pulumi stack export` format) holding one backup storage account. */
function deployment(stack: string, account: { props: Record<string, unknown>; protect: boolean }) {
  const urn = (type: string, name: string) => `urn:pulumi:${stack}::velero-dr::${type}::${name}`;
  const provider = urn("pulumi:providers:azure-native", "default");
  return {
    version: 3,
    deployment: {
      // The CLI's magic cookie: the SHA-256 of the manifest's version (deploy.Manifest.NewMagic).
      manifest: { time: new Date().toISOString(), magic: sha256("v3.276.0"), version: "v3.276.0" },
      resources: [
        { urn: urn("pulumi:pulumi:Stack", `velero-dr-${stack}`), custom: false, type: "pulumi:pulumi:Stack" },
        { urn: provider, custom: true, id: "provider-id", type: "pulumi:providers:azure-native" },
        {
          urn: urn(ACCOUNT, "backups"),
          custom: true,
          id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/backups",
          type: ACCOUNT,
          inputs: account.props,
          outputs: account.props,
          protect: account.protect,
          provider: `${provider}::provider-id`,
          parent: urn("pulumi:pulumi:Stack", `velero-dr-${stack}`),
        },
      ],
    },
  };
}

/**
 * The project's files under the real Pulumi CLI (v3.276.0, drill/toolchain.sh --engine): the policy
 * pack, copied out of the repository alone, loaded and run by `pulumi policy analyze` (what
 * `pulumi policy publish` needs a Pulumi Cloud login for; this is the CLI's own local check), and
 * Pulumi.yaml's generated config block as the CLI applies it.
 */
describe("real CLI: the policy pack on its own, and Pulumi.yaml's config block", function () {
  this.timeout(20 * 60_000);
  let tools: ReturnType<typeof engineToolchain>;
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-dr-project-files-"));
    dirs.push(dir);
    return dir;
  };

  before(() => {
    tools = engineToolchain();
  });
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("pulumi policy analyze loads a copy of policies/ alone and reports its mandatory violations", () => {
    const dir = tmp();
    const ws = new EngineWorkspace(dir, tools);
    const pack = path.join(dir, "pack");
    fs.cpSync(path.join(REPO, "policies"), pack, {
      recursive: true,
      filter: (src) => !/[/\\](node_modules|bin)$/.test(src),
    });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(pack, "node_modules"), "dir");
    const stackConfig =
      "config:\n  velero-dr:role: source\n  velero-dr:cloud: azure\n  velero-dr:profile: nebari\n";
    const judge = (stack: string, account: { props: Record<string, unknown>; protect: boolean }) => {
      assert.equal(ws.initStack(stack, stackConfig).code, 0);
      const file = path.join(dir, `${stack}.json`);
      fs.writeFileSync(file, JSON.stringify(deployment(stack, account)));
      const imported = ws.pulumiSync(["stack", "import", "--file", file, "-s", stack]);
      assert.equal(imported.code, 0, output(imported));
      return ws.pulumiSync(["policy", "analyze", "--policy-pack", pack, "-s", stack]);
    };

    const bad = judge("public", {
      props: { allowBlobPublicAccess: true, minimumTlsVersion: "TLS1_2" },
      protect: false,
    });
    assert.notEqual(bad.code, 0, output(bad));
    assert.match(output(bad), /storage-no-public-access/);
    assert.match(output(bad), /storage-protected/);
    assert.match(output(bad), /mandatory/);

    const good = judge("private", {
      props: { allowBlobPublicAccess: false, minimumTlsVersion: "TLS1_2" },
      protect: true,
    });
    assert.equal(good.code, 0, output(good));
    assert.doesNotMatch(output(good), /storage-no-public-access|storage-protected|storage-secure-transport/);
  });

  it("the CLI refuses a stack without a key every stack needs, before any program runs", () => {
    const ws = new EngineWorkspace(tmp(), tools);
    assert.equal(ws.initStack("incomplete", "config:\n  velero-dr:role: source\n").code, 0);
    const r = ws.pulumiSync(["preview", "-s", "incomplete"]);
    assert.notEqual(r.code, 0);
    assert.match(
      output(r),
      /validating stack config: Stack 'incomplete' is missing configuration values 'cloud' and 'profile'/,
    );
    // Refused by the CLI itself: the program (which names every bad key its own way) never ran.
    assert.doesNotMatch(output(r), /velero-dr:|pulumi:pulumi:Stack/);
    // `pulumi config` (3.276.0: pkg/workspace ApplyProjectConfig, no validation) lists such a stack
    // without refusing it: the runbook's own validation names the missing keys then.
    const listed = ws.pulumiSync(["config", "--json", "-s", "incomplete"]);
    assert.equal(listed.code, 0, output(listed));
    assert.deepEqual(
      Object.keys(JSON.parse(listed.stdout)).sort(),
      ["velero-dr:role"]
        .concat(
          Object.entries(projectConfig().declared)
            .filter(([, d]) => d.default !== undefined)
            .map(([k]) => `velero-dr:${k}`),
        )
        .sort(),
    );
  });

  it("pulumi config --json (the runbook's source) adds the declared defaults, which validate as the stack file does", () => {
    const ws = new EngineWorkspace(tmp(), tools);
    const defaults = Object.entries(projectConfig().declared).filter(([, d]) => d.default !== undefined);
    let filled = 0;
    for (const ex of exampleStacks()) {
      assert.equal(ws.initStack(ex.stack, fs.readFileSync(ex.file, "utf8")).code, 0, ex.stack);
      const rewritten = parseYaml(fs.readFileSync(ws.stackFile(ex.stack), "utf8"));
      for (const [key, value] of Object.entries(rewritten.config ?? {})) {
        if (!value || typeof value !== "object" || !("secure" in value)) continue;
        const set = ws.pulumiSync(["config", "set", "--secret", key, SECRET_VALUES[key], "-s", ex.stack]);
        assert.equal(set.code, 0, `${ex.stack}: ${output(set)}`);
      }
      const r = ws.pulumiSync(["config", "--json", "-s", ex.stack]);
      assert.equal(r.code, 0, `${ex.stack}: ${output(r)}`);
      const cli = rawConfigFromCli(ex.stack, JSON.parse(r.stdout));
      const file = readStackFile(ex.stack);
      for (const [key] of defaults) {
        if (file.values[key] === undefined) {
          assert.notEqual(cli.values[key], undefined, `${ex.stack}: the CLI did not set ${key}'s default`);
          filled++;
        }
      }
      assert.equal(
        canonical(validateStackConfig(cli)),
        canonical(validateStackConfig(file)),
        `${ex.stack}: the CLI's view validates otherwise than the stack file`,
      );
    }
    assert.ok(filled > 0, "no example leaves out a declared key: nothing was compared");
  });
});
