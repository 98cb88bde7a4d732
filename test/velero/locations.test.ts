import { strict as assert } from "assert";
import {
  buildAzureBslConfig,
  buildAzureVslConfig,
  AZURE_PLUGIN_1_6_KEYS,
} from "../../components/velero/locations";
import { AZURE_PLUGIN_DOCUMENTED_CONFIG_KEYS } from "../upstream/velero-plugins";

/** The keys listed under `config:` in the plugin's own documentation pages (see the data file). */
function documentedConfigKeys(page: keyof typeof AZURE_PLUGIN_DOCUMENTED_CONFIG_KEYS): readonly string[] {
  return AZURE_PLUGIN_DOCUMENTED_CONFIG_KEYS[page];
}

describe("BSL/VSL config keys (velero-plugin-for-microsoft-azure v1.6.2)", () => {
  const bsl = buildAzureBslConfig({ resourceGroup: "rg", storageAccount: "acct", subscriptionId: "sub" });
  const vsl = buildAzureVslConfig({ resourceGroup: "snaps", subscriptionId: "sub", incremental: true });

  it("the recorded v1.6.2 key lists are the documented ones", () => {
    assert.deepEqual([...documentedConfigKeys("bsl")].sort(), [
      "blockSizeInBytes",
      "resourceGroup",
      "storageAccount",
      "storageAccountKeyEnvVar",
      "subscriptionId",
    ]);
    assert.ok(documentedConfigKeys("vsl").includes("incremental"));
  });

  it("the BSL config uses only keys the v1.6.2 docs list (no useAAD / storageAccountURI)", () => {
    const documented = documentedConfigKeys("bsl");
    for (const k of Object.keys(bsl)) assert.ok(documented.includes(k), k);
    assert.ok(
      !documentedConfigKeys("bslV1_8_0").every((k) => documented.includes(k)),
      "the 1.8.0 page documents keys 1.6.2 does not accept",
    );
  });

  it("the VSL config uses only keys the v1.6.2 docs list, values as strings", () => {
    const documented = documentedConfigKeys("vsl");
    for (const [k, v] of Object.entries(vsl)) {
      assert.ok(documented.includes(k), k);
      assert.equal(typeof v, "string");
    }
    assert.equal(vsl.incremental, "true");
  });

  it("the accepted-key table used by the policy pack covers the documented keys", () => {
    for (const k of documentedConfigKeys("bsl"))
      assert.ok((AZURE_PLUGIN_1_6_KEYS.bsl as readonly string[]).includes(k));
    for (const k of documentedConfigKeys("vsl"))
      assert.ok((AZURE_PLUGIN_1_6_KEYS.vsl as readonly string[]).includes(k));
  });
});
