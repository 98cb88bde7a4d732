import { strict as assert } from "assert";
import { buildScript } from "../../components/shell/script";
import { runScript, shellcheck } from "../support/bash";

/**
 * The prelude checks the values a step declares `formats` for before its body runs: a value that
 * could change what a kubectl argument or a JSON patch means stops the script with exit code 2.
 */
const script = buildScript({
  kubeconfig: false,
  env: ["NS", "WAIT", "DUMP", "SEL"],
  formats: { NS: "label", WAIT: "count", DUMP: "path", SEL: "selector" },
  body: 'echo "body ran with $NS $WAIT $DUMP $SEL"',
});
const good = {
  NS: "cdx-app",
  WAIT: "30",
  DUMP: "/bitnami/postgresql/velero-dr/x.dump",
  SEL: "app.kubernetes.io/instance=keycloak",
};

describe("script prelude: value formats", () => {
  it("passes shellcheck", () => {
    assert.equal(shellcheck(script), "");
  });

  it("runs the body when every value has its format", () => {
    const r = runScript(script, good);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /body ran with cdx-app 30/);
  });

  const bad: [string, string, RegExp][] = [
    ["NS", "cdx app; rm -rf /", /NS must be a DNS-1123 label; got: cdx app; rm -rf \//],
    ["WAIT", "10s", /WAIT must be a whole number; got: 10s/],
    ["DUMP", "/tmp/../etc/shadow", /DUMP must be an absolute path without '\.\.'/],
    ["DUMP", "relative/x.dump", /DUMP must be an absolute path/],
    ["SEL", "app in (a,b)", /SEL must be a key=value label selector/],
  ];
  for (const [name, value, message] of bad) {
    it(`stops before the body when ${name} is ${JSON.stringify(value)}`, () => {
      const r = runScript(script, { ...good, [name]: value });
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /body ran/);
    });
  }

  it("refuses a format for a value the script does not require (a mistake in the step model)", () => {
    assert.throws(
      () => buildScript({ kubeconfig: false, env: [], formats: { NS: "label" }, body: "true" }),
      /format check of NS, which the script does not require/,
    );
  });
});
