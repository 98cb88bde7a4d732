import { strict as assert } from "assert";
import { CSI_DRIVER, PROVISIONER, provisionedDir } from "../../drill/lib/provisioner";

/**
 * The node agents' kubelet part finds a claim's directory from its PersistentVolume: only the
 * drill provisioner's volumes, CSI or hostPath, name one; any other volume is not the drill's.
 */
describe("the drill provisioner's volumes", () => {
  const mine = { annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER } };

  it("a CSI volume of the drill's driver names its directory by its handle", () => {
    assert.equal(
      provisionedDir({ metadata: mine, spec: { csi: { driver: CSI_DRIVER, volumeHandle: "/d/claim" } } }),
      "/d/claim",
    );
  });

  it("a hostPath volume names its path", () => {
    assert.equal(provisionedDir({ metadata: mine, spec: { hostPath: { path: "/d/h" } } }), "/d/h");
  });

  it("a volume of another driver or provisioner is none of the drill's", () => {
    assert.equal(
      provisionedDir({ metadata: mine, spec: { csi: { driver: "disk.csi.azure.com", volumeHandle: "/x" } } }),
      undefined,
    );
    assert.equal(
      provisionedDir({
        metadata: { annotations: { "pv.kubernetes.io/provisioned-by": "disk.csi.azure.com" } },
        spec: { hostPath: { path: "/d/h" } },
      }),
      undefined,
    );
    assert.equal(provisionedDir({ spec: { hostPath: { path: "/d/h" } } }), undefined);
  });
});
