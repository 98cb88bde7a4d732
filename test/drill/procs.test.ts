import { strict as assert } from "assert";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
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
