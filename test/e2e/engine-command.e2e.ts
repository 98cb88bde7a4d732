import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineToolchain } from "../../drill/lib/toolchain";
import { EngineRun, EngineWorkspace } from "../../drill/engine/workspace";

const PROGRAM = "test/e2e/fixtures/command-program";
const TOKEN = "tok-5ecret-e2e";

function output(r: EngineRun): string {
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * The command provider stand-in (drill/engine) under the real Pulumi CLI v3.276.0: a small program
 * (test/e2e/fixtures/command-program) whose Commands use what the project's stacks use, taken
 * through preview, up, update, replace, a failing create and destroy, as the engine drives them.
 */
describe("real engine: command:local:Command through the command provider stand-in", function () {
  let ws: EngineWorkspace;
  let dir: string;
  let work: string;
  const log = () =>
    fs.existsSync(path.join(work, "log")) ? fs.readFileSync(path.join(work, "log"), "utf8") : "";
  const pulumi = (args: string[]) => ws.pulumiSync([...args, "-s", "cmd"]);
  const ok = (r: EngineRun, what: string) => assert.equal(r.code, 0, `${what}:\n${output(r)}`);
  const outputs = (): Record<string, string> => {
    const r = pulumi(["stack", "output", "--json", "--show-secrets"]);
    ok(r, "stack output");
    return JSON.parse(r.stdout);
  };
  const stateText = () => {
    const r = pulumi(["stack", "export"]);
    ok(r, "stack export");
    return r.stdout;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-dr-engine-cmd-"));
    work = path.join(dir, "work");
    fs.mkdirSync(work);
    const pulumiYaml = [
      "name: command-conformance",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: true",
      "    tsconfig: ../../../../tsconfig.json",
      `main: ${PROGRAM}/index.ts`,
    ].join("\n");
    ws = new EngineWorkspace(path.join(dir, "ws"), engineToolchain(), { pulumiYaml });
    ok(ws.initStack("cmd", `config:\n  command-conformance:dir: ${work}\n`), "stack init");
    ok(pulumi(["config", "set", "--secret", "token", TOKEN]), "config set --secret");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("preview runs nothing and shows the Commands to create", () => {
    const r = pulumi(["preview"]);
    ok(r, "preview");
    assert.match(r.stdout, /\+\s+command:local:Command\s+step\s+create/);
    assert.match(r.stdout, /\+\s+command:local:Command\s+after\s+create/);
    assert.equal(log(), "");
  });

  it("up runs create with its interpreter, dir, environment (a secret) and stdin; outputs flow, secrets stay secret", () => {
    ok(pulumi(["up", "--yes"]), "up");
    assert.equal(log(), "create 1\n");
    const o = outputs();
    assert.equal(o.stepStdout, `created 1 with ${TOKEN} and stdin-line`);
    assert.equal(o.afterStdout, `after saw: created 1 with ${TOKEN} and stdin-line`);
    const plain = pulumi(["stack", "output", "stepStdout"]);
    assert.match(plain.stdout, /\[secret\]/);
    // Neither the state nor the CLI's output holds the secret in plaintext.
    assert.ok(!stateText().includes(TOKEN), "the secret is in the state in plaintext");
    const again = pulumi(["up", "--yes"]);
    ok(again, "up without changes");
    assert.equal(log(), "create 1\n", "an unchanged Command ran again");
    assert.ok(!output(again).includes(TOKEN));
  });

  it("a changed input runs update with the previous stdout; what depends on its output is updated too", () => {
    ok(pulumi(["config", "set", "generation", "2"]), "config set");
    ok(pulumi(["up", "--yes"]), "up");
    assert.equal(log(), `create 1\nupdate 2 prev=[created 1 with ${TOKEN} and stdin-line]\n`);
    assert.equal(outputs().afterStdout, `after saw: updated 2 with ${TOKEN}`);
  });

  it("a changed trigger replaces: the new one is created before the old one's delete runs", () => {
    ok(pulumi(["config", "set", "trigger", "t2"]), "config set");
    const r = pulumi(["up", "--yes"]);
    ok(r, "up");
    assert.match(r.stdout, /\+-\s+command:local:Command\s+step\s+replaced/);
    assert.equal(log().split("\n").slice(2).join("\n"), `create 2\ndelete prev=[updated 2 with ${TOKEN}]\n`);
  });

  it("a failing create fails the update with the command's output, and leaves no resource in the state", () => {
    ok(pulumi(["config", "set", "fail", "true"]), "config set");
    const r = pulumi(["up", "--yes"]);
    assert.notEqual(r.code, 0);
    assert.match(output(r), /exit status 3: running "echo half way; exit 3"/);
    assert.match(output(r), /half way/);
    assert.ok(!stateText().includes("command:local:Command::failing"), "the failed Command is in the state");
    ok(pulumi(["config", "set", "fail", "false"]), "config set");
    ok(pulumi(["up", "--yes"]), "up after the fix");
  });

  it("destroy runs delete with the last stdout", () => {
    ok(pulumi(["destroy", "--yes"]), "destroy");
    assert.match(log(), new RegExp(`delete prev=\\[created 2 with ${TOKEN} and stdin-line\\]\\n$`));
  });
});
