import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import {
  buildAzureBslConfig,
  buildAzureVslConfig,
  AZURE_PLUGIN_1_6_KEYS,
} from "../../components/velero/locations";

const DOCS = path.join(__dirname, "..", "..", "..", "shared", "reference", "velero", "azure-plugin-v1.6.2");

/** The keys listed under `config:` in the plugin's own v1.6.2 documentation page. */
function documentedConfigKeys(file: string): string[] {
  const text = readFileSync(path.join(DOCS, file), "utf8");
  const yaml = text.slice(text.indexOf("```yaml"), text.indexOf("```", text.indexOf("```yaml") + 3));
  const block = yaml.slice(yaml.indexOf("\n  config:"));
  return [...block.matchAll(/^ {4}([A-Za-z]+):/gm)].map((m) => m[1]);
}

describe("BSL/VSL config keys (velero-plugin-for-microsoft-azure v1.6.2)", () => {
  const bsl = buildAzureBslConfig({ resourceGroup: "rg", storageAccount: "acct", subscriptionId: "sub" });
  const vsl = buildAzureVslConfig({ resourceGroup: "snaps", subscriptionId: "sub", incremental: true });

  it("reads the documented key lists (the fixture parser works)", () => {
    assert.deepEqual(documentedConfigKeys("backupstoragelocation.md").sort(), [
      "blockSizeInBytes",
      "resourceGroup",
      "storageAccount",
      "storageAccountKeyEnvVar",
      "subscriptionId",
    ]);
    assert.ok(documentedConfigKeys("volumesnapshotlocation.md").includes("incremental"));
  });

  it("the BSL config uses only keys the v1.6.2 docs list (no useAAD / storageAccountURI)", () => {
    const documented = documentedConfigKeys("backupstoragelocation.md");
    for (const k of Object.keys(bsl)) assert.ok(documented.includes(k), k);
    assert.ok(
      !documentedConfigKeys("backupstoragelocation-v1.8.0-for-comparison.md").every((k) =>
        documented.includes(k),
      ),
      "the 1.8.0 page documents keys 1.6.2 does not accept",
    );
  });

  it("the VSL config uses only keys the v1.6.2 docs list, values as strings", () => {
    const documented = documentedConfigKeys("volumesnapshotlocation.md");
    for (const [k, v] of Object.entries(vsl)) {
      assert.ok(documented.includes(k), k);
      assert.equal(typeof v, "string");
    }
    assert.equal(vsl.incremental, "true");
  });

  it("the accepted-key table used by the policy pack covers the documented keys", () => {
    for (const k of documentedConfigKeys("backupstoragelocation.md"))
      assert.ok((AZURE_PLUGIN_1_6_KEYS.bsl as readonly string[]).includes(k));
    for (const k of documentedConfigKeys("volumesnapshotlocation.md"))
      assert.ok((AZURE_PLUGIN_1_6_KEYS.vsl as readonly string[]).includes(k));
  });
});
