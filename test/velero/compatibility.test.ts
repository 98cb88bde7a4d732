import { strict as assert } from "assert";
import {
  CHART_APP_VERSION,
  chartsForVeleroLine,
  PairingInput,
  pairingProblems,
  PLUGIN_LINE_FOR_VELERO,
  VersionKey,
} from "../../components/velero/compatibility";
import { DEFAULT_VERSIONS, incompatibility } from "../../components/velero/versions";

const input = (o: Partial<PairingInput> & { setKeys?: VersionKey[] }): PairingInput => ({
  version: "v1.10.3",
  chartVersion: "3.1.6",
  pluginVersion: "v1.6.2",
  pluginImage: "velero/velero-plugin-for-aws",
  defaults: { version: "v1.10.3", chartVersion: "3.1.6", pluginVersion: "v1.6.2" },
  pins: {},
  set: new Set(o.setKeys ?? []),
  ...o,
});

describe("Velero / plugin / chart compatibility (components/velero/compatibility)", () => {
  it("holds the program's defaults as a pair that goes together", () => {
    assert.equal(PLUGIN_LINE_FOR_VELERO["1.10"], "1.6");
    assert.equal(CHART_APP_VERSION[DEFAULT_VERSIONS.chart], "1.10.2");
    assert.equal(chartsForVeleroLine("1.10"), "3.0.0-3.1.6");
    assert.equal(chartsForVeleroLine("1.11"), "3.2.0");
    assert.deepEqual(pairingProblems(input({})), []);
  });

  it("without a pin, offers the default, and says removing the key gives it", () => {
    assert.deepEqual(pairingProblems(input({ pluginVersion: "v1.7.0", setKeys: ["pluginVersion"] })), [
      {
        key: "pluginVersion",
        message:
          'got "v1.7.0"; velero-plugin-for-aws v1.7.0 is of the v1.7.x line, made for Velero 1.11, but velero.version v1.10.3 needs a v1.6.x plugin (the plugin\'s README compatibility table); set velero-dr:velero.pluginVersion: v1.6.2, or remove it to use the default',
      },
    ]);
  });

  it("with a pin other than the default, offers the pin and does not say removing the key gives it", () => {
    const [p] = pairingProblems(
      input({ pluginVersion: "v1.7.0", setKeys: ["pluginVersion"], pins: { pluginVersion: "v1.6.1" } }),
    );
    assert.match(p.message, /; set velero-dr:velero\.pluginVersion: v1\.6\.1$/);
  });

  it("does not judge chartVersion against a local chart (chartPath), whose version is its own", () => {
    assert.deepEqual(
      pairingProblems(
        input({ chartVersion: "4.0.0", chartPath: "/charts/velero", setKeys: ["chartVersion"] }),
      ),
      [],
    );
  });

  it("marks a value the stack did not set as the default", () => {
    const [p] = pairingProblems(input({ chartVersion: "3.2.0" }));
    assert.equal(p.key, "chartVersion");
    assert.match(p.message, /^got "3\.2\.0" \(the default\); chart 3\.2\.0 ships Velero 1\.11\.0/);
  });

  it("the policy pack's check refuses a 3.x chart that ships another Velero line", () => {
    assert.equal(incompatibility("v1.10.3", "v1.6.2", "3.1.6"), undefined);
    assert.equal(
      incompatibility("v1.10.3", "v1.6.2", "3.2.0"),
      "chart 3.2.0 ships Velero 1.11.0; v1.10.3 needs a chart of its own line",
    );
  });
});
