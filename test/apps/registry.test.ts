import { strict as assert } from "assert";
import { existsSync, readdirSync } from "fs";
import * as path from "path";
import { apps } from "../../apps";
import { withDefaults } from "../../components/apps/definition";
import { APPS_DIR } from "../../components/config/example-stacks";

/** The app registry (apps/index.ts): one entry per app folder, under the app's own name. */
describe("app registry", () => {
  it("every app is registered under its own name, with a default profile and restore steps", () => {
    const folders = readdirSync(APPS_DIR).filter((f) => existsSync(path.join(APPS_DIR, f, "index.ts")));
    assert.deepEqual(Object.keys(apps).sort(), folders.sort(), "one entry per app folder, under its name");
    for (const [name, def] of Object.entries(apps)) {
      assert.equal(def.name, name);
      const app = withDefaults(def);
      assert.equal(app.profile.name, name);
      assert.ok(
        app.chain.afterDns(["dns-publish"], { healthSeconds: 60 }).length > 0,
        `${name}: a health step`,
      );
    }
  });
});
