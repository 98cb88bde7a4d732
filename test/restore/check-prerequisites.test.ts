import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

const SCRIPT = path.join(__dirname, "..", "..", "components", "scripts", "check-prerequisites.sh");

/** check-prerequisites.sh against a kubectl serving the given CustomResourceDefinition names. */
function run(crds: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), "vdr-prereq-"));
  try {
    const list = path.join(dir, "crds");
    writeFileSync(list, crds.map((c) => `${c}\n`).join(""));
    writeFileSync(path.join(dir, "kubectl"), `#!/usr/bin/env bash\ncat ${JSON.stringify(list)}\n`, {
      mode: 0o755,
    });
    return spawnSync("bash", ["-euo", "pipefail", SCRIPT], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH ?? ""}`,
        PREREQ_ITEMS: "cert-manager certificates.cert-manager.io\nistio virtualservices.networking.istio.io",
        PREREQ_INSTRUCTIONS: "install them with the vendor's scripts",
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("check-prerequisites.sh: the supporting software a new cluster must run", () => {
  it("passes when every prerequisite's CustomResourceDefinition is served, also among very many", () => {
    // A cluster with many operators serves far more CRD names than a pipe holds: the match near the
    // top must not turn into "missing" (grep quitting early must not fail the check under pipefail).
    const many = Array.from({ length: 20000 }, (_, i) => `widgets${i}.example${i}.io`);
    const r = run(["certificates.cert-manager.io", "virtualservices.networking.istio.io", ...many]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /prerequisite cert-manager is installed/);
    assert.match(r.stdout, /every prerequisite is installed/);
  });

  it("fails naming the missing one (no partial name match)", () => {
    const r = run(["certificates.cert-manager.io", "virtualservices.networking.istio.io.old"]);
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /prerequisite istio is missing: the cluster serves no CustomResourceDefinition virtualservices/,
    );
  });
});
