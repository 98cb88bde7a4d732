import * as assert from "assert";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { runCommand } from "../../drill/engine/command-provider";
import { SCRIPT_ENV, scriptCommand } from "../../components/shell/command-script";
import { buildScript } from "../../components/shell/script";
import type { Registration } from "../stacks/registrations.test";

/**
 * A failed Command's error must start with its cause. @pulumi/command reports
 * `exit status N: running "<command>":` and then the output; the command is therefore one short
 * line, and the script travels in the Command's environment (still an input, so still diffed).
 * The errors here come from the harness's stand-in of the provider's run (drill/engine), which
 * test/engine/command-provider.test.ts checks against the provider's documented behaviour.
 */

const REGISTRATIONS = path.join(__dirname, "..", "stacks", "registrations");

function failure(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => assert.fail("the command succeeded"),
    (e: Error) => e.message,
  );
}

describe("Commands run their scripts from the environment (short errors)", () => {
  it("puts the script's own message right after the provider's one-line prefix", async () => {
    const script = buildScript({ kubeconfig: false, env: ["BACKUP_NAME"], body: 'echo "never reached"' });
    const run = scriptCommand("restore", { create: script });
    const message = await failure(
      runCommand(run.create, { interpreter: run.interpreter, environment: run.environment }),
    );
    const [first, second] = message.split("\n");
    assert.equal(first, 'exit status 2: running "exec /bin/bash -c \\"$VELERO_DR_SCRIPT\\" restore":');
    assert.equal(second, "velero-dr: required environment variable BACKUP_NAME is not set");
    // The same script given as the command: the cause comes after the whole quoted script.
    const old = await failure(runCommand(script, { interpreter: run.interpreter }));
    const [oldFirst, oldSecond] = old.split("\n");
    assert.ok(oldFirst.length > script.length, "the old form quoted the whole script first");
    assert.equal(oldSecond, second);
  });

  it("keeps the exit status, the output and names the step in bash's own errors", async () => {
    const run = scriptCommand("wait-backup", { create: "set -e\necho partial\nno-such-program-here\n" });
    const message = await failure(
      runCommand(run.create, { interpreter: run.interpreter, environment: run.environment }),
    );
    assert.match(message, /^exit status 127: /);
    assert.match(message, /\npartial\nwait-backup: line 3: no-such-program-here: command not found/);
    const ok = scriptCommand("ok", { create: 'printf "%s" "$1$0"' });
    assert.equal(
      (await runCommand(ok.create, { interpreter: ok.interpreter, environment: ok.environment })).stdout,
      "ok",
    );
  });

  it("carries update and delete scripts apart, and shares create's when update is the same", () => {
    const same = scriptCommand("prep", { create: "echo a", update: "echo a", delete: "echo d" });
    assert.equal(same.update, same.create);
    assert.deepEqual(Object.keys(same.environment).sort(), [SCRIPT_ENV.delete, SCRIPT_ENV.create].sort());
    const apart = scriptCommand("prep", { create: "echo a", update: "echo b" });
    assert.equal(apart.environment[SCRIPT_ENV.update], "echo b");
    assert.throws(() => scriptCommand("Bad Label; rm", { create: "true" }), /use \[a-z0-9-\]/);
  });

  it("every Command of every example stack has a one-line command and its script in the environment", () => {
    let seen = 0;
    for (const file of readdirSync(REGISTRATIONS).filter((f) => f.endsWith(".json"))) {
      const recorded = JSON.parse(readFileSync(path.join(REGISTRATIONS, file), "utf8")) as Registration[];
      for (const r of recorded.filter((x) => x.type === "command:local:Command")) {
        const inputs = r.inputs as Record<string, unknown>;
        const env = inputs.environment as Record<string, unknown>;
        for (const op of ["create", "update", "delete"] as const) {
          const command = inputs[op];
          if (command === undefined) continue;
          assert.equal(typeof command, "string", `${file} ${r.name} ${op}`);
          assert.ok(
            !(command as string).includes("\n") && (command as string).length <= 120,
            `${file} ${r.name} ${op}: ${command}`,
          );
        }
        assert.match(String(env[SCRIPT_ENV.create]), /^#!\/usr\/bin\/env bash\n/, `${file} ${r.name}`);
        seen += 1;
      }
    }
    assert.ok(seen > 20, `only ${seen} Commands recorded`);
  });
});
