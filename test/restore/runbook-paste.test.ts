import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { readStackFile } from "../../components/config/stack-file";
import { DestinationStackConfig } from "../../components/config/validate";
import { destinationVeleroValues } from "../../components/restore/destination-chain";
import { stackRunbook } from "../../components/restore/stack-runbook";
import { RUNBOOK_DELIMITER, runbookScript } from "../../components/shell/script";
import { buildVeleroValues, CREDENTIALS_SECRET } from "../../components/velero/values";
import { validateStackConfig } from "../../stacks/config";
import {
  VELERO_1_10_3_COMMANDS,
  VELERO_1_10_3_GLOBAL_FLAGS,
  VELERO_1_10_3_SHORTHANDS,
} from "../upstream/velero-cli";

const ROOT = path.join(__dirname, "..", "..");

/** Every destination example of every app (apps/<app>/examples/Pulumi.example-destination-*.yaml). */
function destinationExamples(): string[] {
  return readdirSync(path.join(ROOT, "apps"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const dir = path.join(ROOT, "apps", d.name, "examples");
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    })
    .map((f) => /^Pulumi\.(example-destination-[a-z0-9-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function destination(stack: string, edit: (v: Record<string, unknown>) => void = () => undefined) {
  const raw = readStackFile(stack);
  edit(raw.values);
  const cfg = validateStackConfig(raw);
  assert.equal(cfg.role, "destination");
  return cfg as DestinationStackConfig;
}

/** The ```bash blocks of a Markdown text, each with the heading of the section it is in. */
function bashBlocks(md: string): { heading: string; text: string }[] {
  const out: { heading: string; text: string }[] = [];
  let heading = "";
  const re = /^(#{2,3} .*)$|^```bash\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) {
    if (m[1]) heading = m[1];
    else out.push({ heading, text: m[2] });
  }
  return out;
}

const isStepBlock = (text: string) => text.startsWith(`bash <<'${RUNBOOK_DELIMITER}'\n`);

/** Pasted into an interactive bash (its input is the paste), as an operator would. */
function pasteIntoShell(input: string): { stdout: string; stderr: string } {
  const home = mkdtempSync(path.join(tmpdir(), "velero-dr-paste-"));
  try {
    const r = spawnSync("bash", ["--norc", "--noprofile", "-i"], {
      input,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, HISTFILE: "/dev/null", TERM: "dumb" },
      timeout: 30000,
    });
    return { stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The runbook is pasted into a terminal, block by block: nothing in it may end that terminal's
 * shell (a step's `exit 1`, or `set -e` left behind), and every block must parse as written.
 */
describe("runbook: safe to paste into an interactive shell", function () {
  this.timeout(60000);
  const examples = destinationExamples();
  const runbooks = new Map(examples.map((s) => [s, stackRunbook(destination(s))]));

  it("knows every destination example", () => {
    assert.ok(examples.length >= 5, examples.join(", "));
  });

  it("a step that fails ends its own bash, never the shell it is pasted into", () => {
    const md = runbooks.get("example-destination-azure") as string;
    const blocks = bashBlocks(md);
    const vars = blocks.find((b) => b.heading === "## Variables")?.text as string;
    const guard = blocks.find((b) => b.heading.startsWith("### 1.") && isStepBlock(b.text))?.text as string;
    assert.ok(vars && guard);
    // The source's address is still the unedited placeholder: the guard fails (closed), exit 2.
    const pasted = pasteIntoShell(`${vars}\n${guard}\necho "step exit $?"\necho still-alive\n`);
    assert.match(pasted.stderr, /SOURCE_API_SERVER is not an API server address/);
    assert.match(pasted.stdout, /^step exit 2$/m);
    assert.match(pasted.stdout, /^still-alive$/m, `the shell ended:\n${pasted.stderr}`);
    // A step pasted before the variables stops at once, naming what is missing; the shell stays.
    const early = pasteIntoShell(`${guard}\necho "step exit $?"\necho still-alive\n`);
    assert.match(
      early.stderr,
      /velero-dr: KUBECONFIG is not set; export it as the runbook says \(its Variables block/,
    );
    assert.match(early.stdout, /^step exit 2$/m);
    assert.match(early.stdout, /^still-alive$/m);
  });

  it("a block pasted only in part runs nothing of its script", () => {
    const md = runbooks.get("example-destination-azure") as string;
    const guard = bashBlocks(md).find((b) => isStepBlock(b.text))?.text as string;
    const lines = guard.split("\n");
    // Cut before the script's last line: the group never closes, so nothing of it may run.
    const cut = lines.slice(0, lines.length - 4).join("\n");
    const pasted = pasteIntoShell(`export KUBECONFIG=/nonexistent\n${cut}\necho still-alive\n`);
    assert.doesNotMatch(pasted.stderr, /SOURCE_API_SERVER is not set/);
    assert.doesNotMatch(pasted.stdout, /velero-dr:/);
  });

  for (const stack of examples) {
    it(`${stack}: plain exports, and every step a child bash whose script parses`, () => {
      const blocks = bashBlocks(runbooks.get(stack) as string);
      const vars = blocks.filter((b) => b.heading === "## Variables");
      assert.ok(vars.length >= 1);
      for (const line of vars[0].text.trimEnd().split("\n")) {
        assert.match(line, /^export [A-Z_][A-Z0-9_]*=\S/, line);
      }
      for (const b of vars.slice(1)) {
        assert.match(b.text.trimEnd(), /^read -rsp '[^']*' ([A-Z_]+) && export \1 && echo$/, b.text);
      }
      const steps = blocks.filter((b) => isStepBlock(b.text));
      assert.equal(steps.length, (runbooks.get(stack) as string).match(/^### \d+\. /gm)?.length);
      for (const { heading, text } of steps) {
        const lines = text.trimEnd().split("\n");
        assert.equal(lines[1], "{", heading);
        assert.equal(lines[lines.length - 2], "} </dev/null", heading);
        assert.equal(lines[lines.length - 1], RUNBOOK_DELIMITER, heading);
        const inner = lines.slice(1, -1);
        assert.ok(!inner.some((l) => l.includes(RUNBOOK_DELIMITER)), `${heading}: the delimiter inside`);
        const parsed = spawnSync("bash", ["-n"], { input: inner.join("\n"), encoding: "utf8" });
        assert.equal(parsed.status, 0, `${heading}: ${parsed.stderr}`);
      }
      // Everything else is commands for an interactive shell: none of them may end it.
      for (const { heading, text } of blocks.filter((b) => !isStepBlock(b.text))) {
        assert.doesNotMatch(text, /^\s*(exit|return|set -[a-z]*[eu]|set -o (errexit|nounset))\b/m, heading);
      }
    });
  }

  it("no script contains the here-document delimiter, and one that did would be refused", () => {
    const dirs = [
      path.join(ROOT, "components", "scripts"),
      ...readdirSync(path.join(ROOT, "apps")).map((a) => path.join(ROOT, "apps", a, "scripts")),
    ];
    let scripts = 0;
    for (const dir of dirs) {
      let files: string[];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith(".sh"));
      } catch {
        continue;
      }
      for (const f of files) {
        scripts++;
        assert.ok(!readFileSync(path.join(dir, f), "utf8").includes(RUNBOOK_DELIMITER), f);
      }
    }
    assert.ok(scripts > 20, `${scripts} scripts`);
    assert.throws(
      () =>
        runbookScript({
          body: `cat <<${RUNBOOK_DELIMITER}\nx\n${RUNBOOK_DELIMITER}\n`,
          env: [],
          kubeconfig: false,
        }),
      /contains VELERO_DR_STEP/,
    );
  });
});

describe("runbook: Velero CLI equivalents (Velero 1.10.3)", function () {
  this.timeout(60000);
  const examples = destinationExamples();

  /** `velero` command lines of the runbook, continuation lines joined. */
  function veleroCommands(md: string): string[] {
    return bashBlocks(md)
      .filter((b) => !isStepBlock(b.text))
      .flatMap((b) => b.text.replace(/\\\n\s*/g, " ").split("\n"))
      .filter((l) => /^velero\s/.test(l));
  }

  for (const stack of examples) {
    it(`${stack}: every Velero step shows one, with commands and flags Velero 1.10.3 has`, () => {
      const cfg = destination(stack);
      const md = stackRunbook(cfg);
      const sections = md.split(/^(?=### \d+\. )/m).slice(1);
      for (const s of sections) {
        const id = /^`([^`]+)`/m.exec(s)?.[1] as string;
        // A step on Velero's own resources: its script reads or writes them.
        const velero = /\b(backups|restores|backupstoragelocations)\.velero\.io\b/.test(
          s.split("```bash")[1] ?? "",
        );
        if (velero) {
          assert.match(s, /\*\*Velero CLI equivalent:\*\*/, `${id} has no Velero CLI equivalent`);
        }
      }
      const commands = veleroCommands(md);
      assert.ok(
        commands.some((c) => / restore (create|describe) /.test(c)),
        "restore commands",
      );
      for (const c of commands) {
        const tokens = c.split(/\s+/).slice(1);
        const words: string[] = [];
        const flags: string[] = [];
        for (let i = 0; i < tokens.length; i++) {
          const t = tokens[i];
          if (t === "-n") {
            i++;
            continue;
          }
          if (t.startsWith("--")) flags.push(t.slice(2).split("=")[0]);
          else if (/^-[A-Za-z]$/.test(t)) flags.push(VELERO_1_10_3_SHORTHANDS[t.slice(1)] ?? t);
          else if (flags.length === 0 && /^[a-z-]+$/.test(t)) words.push(t);
        }
        const command =
          words.length >= 2 && `${words[0]} ${words[1]}` in VELERO_1_10_3_COMMANDS
            ? `${words[0]} ${words[1]}`
            : words[0];
        const known = VELERO_1_10_3_COMMANDS[command];
        assert.ok(known, `velero ${command} is not a Velero 1.10.3 command: ${c}`);
        for (const f of flags) {
          assert.ok(
            known.includes(f) || VELERO_1_10_3_GLOBAL_FLAGS.includes(f),
            `velero ${command} has no --${f} in Velero 1.10.3: ${c}`,
          );
        }
      }
    });
  }

  it("says where the 1.10.3 CLI falls short instead of inventing a flag: the access mode, several label selectors", () => {
    const dash = stackRunbook(destination("example-destination-azure"));
    assert.match(
      dash,
      /`velero backup-location set` changes only --default, --credential and --cacert, not the access mode/,
    );
    const nebari = stackRunbook(destination("example-destination-nebari"));
    assert.match(
      nebari,
      /`velero restore create` cannot make this Restore \(2 label selectors, where it takes one --selector\)/,
    );
    assert.doesNotMatch(nebari, /--or-selector/);
  });
});

describe("runbook: the cluster, identity and Velero before the restore", function () {
  this.timeout(60000);

  it("shows what the Azure example creates, with the values the stack resolves", () => {
    const md = stackRunbook(destination("example-destination-azure"));
    const setup = md.slice(md.indexOf("## Cluster, identity and Velero"), md.indexOf("## Steps"));
    assert.ok(md.indexOf("## Cluster, identity and Velero") > md.indexOf("## Variables"));
    assert.ok(md.indexOf("## Cluster, identity and Velero") < md.indexOf("### 1. "));
    assert.match(setup, /\| Name \| `dr-example-destination-azure` \|/);
    assert.match(setup, /pool `system`: 4 × `Standard_D8d_v5`, zone 1/);
    assert.match(setup, /--node-resource-group velero-dr-example-destination-azure-nodes/);
    assert.match(setup, /az aks get-credentials .* --file "\$KUBECONFIG"/);
    assert.match(setup, /`AZURE_RESOURCE_GROUP=velero-dr-example-destination-azure-nodes`/);
    assert.match(setup, /access mode \*\*ReadOnly\*\* \(ReadWrite from step 7 on/);
    assert.match(setup, /`velero\/velero-plugin-for-microsoft-azure:<source output velero.pluginVersion>`/);
    assert.doesNotMatch(setup, /AZURE_CLIENT_SECRET=[^`]/);
  });

  it("with the source's outputs typed in, shows them and the Helm values the stack installs Velero with", () => {
    const outputs = {
      cloud: "azure",
      profile: "dash-enterprise",
      velero: {
        namespace: "velero",
        version: "v1.10.3",
        chartVersion: "3.1.6",
        pluginVersion: "v1.6.2",
        bslName: "default",
        uploaderType: "",
      },
      schedules: ["dash-daily"],
      cluster: {
        apiServer: "https://dash-0a1b2c3d.hcp.northeurope.azmk8s.io:443",
        uid: "6f1c2a7e-1111-4222-8333-944455556666",
        kubernetesVersion: "1.29.7",
        aksName: "dash",
        aksResourceGroup: "dash-rg",
      },
      azure: {
        subscriptionId: "11111111-1111-1111-1111-111111111111",
        tenantId: "22222222-2222-2222-2222-222222222222",
        location: "northeurope",
      },
      storage: {
        resourceGroupName: "velero-backups",
        accountName: "velerodrabc123",
        containerName: "velero",
        prefix: "",
        snapshotResourceGroupName: "velero-snapshots",
      },
    };
    const cfg = destination("example-destination-azure", (v) => {
      v.source = { outputs };
    });
    const md = stackRunbook(cfg);
    assert.doesNotMatch(md, /<source output/);
    // Outputs of a source without a node agent: every volume is a disk snapshot of its region.
    assert.match(
      md,
      /\| Volume data \| no volume copied file by file; disk snapshots of every persistent volume in dash-apps, dash-services, plotly-system, restorable only in `northeurope` \|/,
    );
    assert.match(md, /^export SOURCE_API_SERVER=https:\/\/dash-0a1b2c3d\.hcp\.northeurope\.azmk8s\.io:443$/m);
    const setup = md.slice(md.indexOf("## Cluster, identity and Velero"), md.indexOf("## Steps"));
    assert.match(setup, /`1\.29` \(the same as the source's or newer: `1\.29\.7`\)/);
    assert.match(setup, /storageAccounts\/velerodrabc123`/);
    const values = /cat >velero-values\.yaml <<'VELERO_DR_VALUES'\n([\s\S]*?)\nVELERO_DR_VALUES\n/.exec(
      setup,
    )?.[1];
    assert.ok(values, "the Helm values");
    assert.deepEqual(
      parseYaml(values),
      buildVeleroValues({
        ...destinationVeleroValues(cfg, cfg.source.outputs as NonNullable<typeof cfg.source.outputs>),
        credentialsSecretName: CREDENTIALS_SECRET,
      }),
    );
    assert.match(
      setup,
      /helm upgrade --install velero velero --repo https:\/\/vmware-tanzu\.github\.io\/helm-charts --version 3\.1\.6 /,
    );
  });
});

describe("vendor documents are named by title, never by an internal number", function () {
  this.timeout(60000);
  const NUMBERED = /\bseeds?\s*0\d\d\b/i;

  it("in every example's runbook, the README, the docs, the examples and the scripts", () => {
    const texts: [string, string][] = destinationExamples().map((s) => [
      `runbook ${s}`,
      stackRunbook(destination(s)),
    ]);
    const files = (dir: string, ext: RegExp): string[] => {
      try {
        return readdirSync(path.join(ROOT, dir))
          .filter((f) => ext.test(f))
          .map((f) => path.join(dir, f));
      } catch {
        return [];
      }
    };
    const apps = readdirSync(path.join(ROOT, "apps")).filter((a) => !a.includes("."));
    for (const f of [
      "README.md",
      ...files("docs", /\.md$/),
      ...files("components/scripts", /\.sh$/),
      ...apps.flatMap((a) => [
        ...files(`apps/${a}/scripts`, /\.sh$/),
        ...files(`apps/${a}/examples`, /\.yaml$/),
      ]),
    ]) {
      texts.push([f, readFileSync(path.join(ROOT, f), "utf8")]);
    }
    assert.ok(texts.length > 30);
    for (const [what, text] of texts) {
      const m = NUMBERED.exec(text);
      assert.equal(
        m,
        null,
        `${what}: "${m?.[0]}" in ...${text.slice(Math.max(0, (m?.index ?? 0) - 60), (m?.index ?? 0) + 40)}...`,
      );
    }
  });
});
