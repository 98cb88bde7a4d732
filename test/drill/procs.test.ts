import { strict as assert } from "assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { runChain } from "../../components/restore/runner";
import { Step } from "../../components/restore/step";
import { Processes, waitFor } from "../../drill/lib/procs";

/**
 * The drill's readiness waits (#21 item 4): a server that dies while the drill waits for it ends
 * the wait at once, naming how it ended and its log; a wait that runs out names what it last saw.
 */
describe("the drill's readiness waits", () => {
  let dir: string;
  let procs: Processes;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "velero-dr-procs-"));
    procs = new Processes(dir);
  });
  afterEach(async () => {
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a process that exits ends the wait at once, with its exit code and log", async () => {
    procs.start("server", "/bin/sh", ["-c", "echo refusing to start >&2; exit 3"]);
    const started = Date.now();
    await assert.rejects(
      waitFor(
        "the server",
        () => {
          procs.assertRunning("server");
          return false;
        },
        30000,
        50,
      ),
      (e: Error) => {
        assert.match(e.message, /^waiting for the server: server is not running \(it exited with code 3\)/);
        assert.ok(e.message.includes(path.join(dir, "server.log")), e.message);
        return true;
      },
    );
    assert.ok(Date.now() - started < 10000, "not polled to the deadline");
  });

  it("a command that cannot be spawned says so", async () => {
    procs.start("missing", path.join(dir, "no-such-binary"), []);
    await assert.rejects(
      waitFor(
        "the missing server",
        () => {
          procs.assertRunning("missing");
          return false;
        },
        30000,
        50,
      ),
      /missing is not running \(it exited \(spawn .*ENOENT\)\)/,
    );
  });

  it("a running process keeps the wait going; at the deadline the error names what the check last saw", async () => {
    procs.start("slow", "/bin/sh", ["-c", "sleep 30"]);
    await assert.rejects(
      waitFor(
        "the slow server",
        () => {
          procs.assertRunning("slow");
          throw new Error("answered 503 XMinioServerNotInitialized");
        },
        300,
        50,
      ),
      /^Error: timed out after 0s waiting for the slow server \(answered 503 XMinioServerNotInitialized\)$/,
    );
    assert.equal(procs.running("slow"), true);
  });
});

/**
 * A chain step the drill's runner is running when the drill stops (a failure, Ctrl-C) is stopped
 * with it, with what it started: not left running to its own deadline.
 */
describe("the drill's chain steps are the drill's processes", () => {
  let dir: string;
  let procs: Processes;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "velero-dr-steps-"));
    procs = new Processes(dir);
  });
  after(async () => {
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  it("stopping the drill's processes stops a running step and the command it waits on", async function () {
    // A step left running would hold the run to its 900 s deadline: fail well before that.
    this.timeout(60000);
    const pidFile = path.join(dir, "child.pid");
    const step: Step = {
      id: "restore",
      title: "a step that waits on a long command",
      why: "",
      kind: "wait",
      // What a waiting step does: a command (kubectl wait, velero) that runs for long.
      script: { body: `sleep 600 &\necho $! > "${pidFile}"\nwait`, env: [], kubeconfig: false },
      needs: [],
      timeoutSeconds: 900,
      retry: { attempts: 1, delaySeconds: 0 },
      expected: "",
    };
    const adopted: string[] = [];
    const running = runChain(
      { steps: [step], env: {} },
      {
        kubeconfig: "",
        baseEnv: { PATH: "/usr/bin:/bin" },
        onSpawn: (id, child) => {
          adopted.push(id);
          procs.adopt(`step-${id}`, child);
        },
      },
    );
    await waitFor(
      "the step's command",
      () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "",
      10000,
      50,
    );
    const sleeper = Number(readFileSync(pidFile, "utf8").trim());
    assert.deepEqual(adopted, ["restore"]);
    assert.equal(procs.running("step-restore"), true);
    const started = Date.now();
    await procs.stopAll();
    const r = await running;
    assert.equal(r.ok, false, "the stopped step failed");
    assert.ok(Date.now() - started < 15000, "stopped at once, not at the step's deadline");
    await waitFor("the step's command to be gone", () => !alive(sleeper), 5000, 50);
  });
});
