import { strict as assert } from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { CHAIN_TOOLS, missingTools } from "../../components/restore/preflight";
import { runDestination } from "../support/examples";

/**
 * Pre-flight: the chain's Commands run on the machine of `pulumi up`. A missing tool is named,
 * with what it is for and how to get it, before anything is registered — not at the first step
 * that needs it, half an hour into a recovery.
 */
describe("destination pre-flight: the tools the chain runs are on PATH before anything is created", function () {
  this.timeout(120000);

  it("an Azure DNS destination without az: refused, naming az and how to install it; nothing registered", async () => {
    const run = await runDestination("example-destination-azure", () => undefined, [], {
      tools: ["bash", "kubectl"],
    });
    assert.ok(run.error, "must fail");
    assert.match(
      run.error.message,
      /velero-dr: pre-flight: the restore chain runs on this machine and needs az on PATH, which is missing:\n {2}- az: the DNS unpublish step removes the old records with the Azure CLI.*install: https:\/\/learn\.microsoft\.com\/cli\/azure\/install-azure-cli\nNothing was created/,
    );
    assert.equal(run.recorder.resources.length, 0);
  });

  it("an RFC 2136 destination without kubectl and nsupdate: both named", async () => {
    const run = await runDestination(
      "example-destination-s3compat",
      () => undefined,
      ["velero-dr:dnsTsigSecret"],
      {
        tools: ["bash"],
      },
    );
    assert.ok(run.error, "must fail");
    assert.match(run.error.message, /needs kubectl, nsupdate on PATH, which are missing/);
    assert.match(run.error.message, /nsupdate: .*apt-get install bind9-dnsutils/);
    assert.equal(run.recorder.resources.length, 0);
  });

  it("a destination that changes no DNS needs only bash and kubectl", async () => {
    const run = await runDestination("example-destination-codedx", () => undefined, [], {
      tools: ["bash", "kubectl"],
    });
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.recorder.resources.length > 0);
  });

  it("a preview only warns: it creates nothing, and may run elsewhere than the up", async () => {
    const run = await runDestination("example-destination-azure", () => undefined, [], {
      tools: ["bash", "kubectl"],
      preview: true,
    });
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.recorder.resources.length > 0);
  });

  it("looks for executable files along PATH", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vdr-preflight-"));
    try {
      writeFileSync(path.join(dir, "bash"), "", { mode: 0o755 });
      writeFileSync(path.join(dir, "kubectl"), "", { mode: 0o644 }); // not executable
      assert.deepEqual(
        missingTools(CHAIN_TOOLS, `/nonexistent${path.delimiter}${dir}`).map((t) => t.name),
        ["kubectl"],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
