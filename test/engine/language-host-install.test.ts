import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installCommand } from "../../drill/engine/language-host";

/**
 * The language host stand-in's InstallDependencies (drill/engine/language-host.ts), what
 * `pulumi package add|get-schema <dir>` asks of it before it runs a component package: upstream's
 * npm install in the program directory, and a clear refusal of what the stand-in does not serve.
 */
describe("language host stand-in: InstallDependencies", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-dr-install-"));
    fs.mkdirSync(path.join(dir, "pkg"));
    fs.writeFileSync(path.join(dir, "pkg", "package.json"), '{"name":"pkg"}');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pkg = () => path.join(dir, "pkg");

  it("runs `npm install --loglevel=error` in the program directory by default and with packagemanager: npm", () => {
    const expected = { command: "npm", args: ["install", "--loglevel=error"], cwd: pkg() };
    assert.deepEqual(installCommand(pkg(), {}), expected);
    assert.deepEqual(installCommand(pkg(), { packagemanager: "npm" }), expected);
    assert.deepEqual(installCommand(pkg(), { packagemanager: "auto" }), expected);
  });

  it("picks the package manager from a lock file, and refuses the ones it does not serve", () => {
    fs.writeFileSync(path.join(pkg(), "yarn.lock"), "");
    assert.throws(() => installCommand(pkg(), {}), /installs with npm only; .* uses yarn/);
    assert.deepEqual(installCommand(pkg(), { packagemanager: "npm" }).command, "npm");
    assert.throws(() => installCommand(pkg(), { packagemanager: "pnpm" }), /uses pnpm/);
  });

  it("refuses a program inside an npm workspace (upstream installs from the workspace's root)", () => {
    fs.writeFileSync(path.join(dir, "package.json"), '{"name":"root","workspaces":["pkg"]}');
    assert.throws(() => installCommand(pkg(), {}), /does not install npm workspaces/);
  });

  it("checks the runtime options as upstream does", () => {
    assert.throws(() => installCommand(pkg(), { typescript: "yes" }), /typescript option must be a boolean/);
  });
});
