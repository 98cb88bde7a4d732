import { strict as assert } from "assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import {
  fileBytes,
  opsThroughput,
  PodVolumeOp,
  rawCopy,
  volumeContents,
  volumeDifferences,
} from "../../drill/lib/fs-backup";
import {
  claimObjects,
  DASH_CLAIMS,
  ownedObjects,
  baseObjects,
  withClaims,
} from "../../apps/dash-enterprise/drill/fixture";
import { writeDashVolumeData } from "../../apps/dash-enterprise/drill/volume-data";

/** The region-loss drill's volume-data figures and checks, on real directories. */

const op = (bytes: number, start: string, end: string): PodVolumeOp => ({
  name: "x",
  namespace: "ns",
  claim: "c",
  volume: "v",
  node: "n",
  phase: "Completed",
  uploaderType: "kopia",
  repoIdentifier: "",
  totalBytes: bytes,
  bytesDone: bytes,
  startTimestamp: start,
  completionTimestamp: end,
});

describe("drill fs-backup figures and checks (region-loss drill)", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fsb-test-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("throughput: the operations' bytes over first start -> last completion, at least one second", () => {
    const t = opsThroughput([
      op(3000, "2026-12-06T10:00:00Z", "2026-12-06T10:00:02Z"),
      op(1000, "2026-12-06T10:00:01Z", "2026-12-06T10:00:04Z"),
    ]);
    assert.deepEqual(t, { bytes: 4000, seconds: 4, bytesPerSecond: 1000 });
    // Within one timestamp second: one second, not zero (no infinite rate).
    const same = opsThroughput([op(10, "2026-12-06T10:00:00Z", "2026-12-06T10:00:00Z")]);
    assert.equal(same.seconds, 1);
    // Not finished: no window, no figure.
    assert.ok(
      Number.isNaN(
        opsThroughput([{ ...op(1, "2026-12-06T10:00:00Z", ""), completionTimestamp: undefined }]).seconds,
      ),
    );
  });

  it("a restored volume: identical, or each missing, extra or changed file named", () => {
    const src = path.join(dir, "src");
    mkdirSync(path.join(src, "a"), { recursive: true });
    writeFileSync(path.join(src, "a", "one"), "1111");
    writeFileSync(path.join(src, "two"), "22");
    writeFileSync(path.join(src, "empty"), "");
    const expected = volumeContents(src);
    assert.equal(expected.bytes, 6);
    const dst = path.join(dir, "dst");
    mkdirSync(path.join(dst, "a"), { recursive: true });
    writeFileSync(path.join(dst, "a", "one"), "1111");
    writeFileSync(path.join(dst, "two"), "22");
    writeFileSync(path.join(dst, "empty"), "");
    assert.deepEqual(volumeDifferences(expected, dst), []);
    writeFileSync(path.join(dst, "two"), "23");
    writeFileSync(path.join(dst, "extra"), "");
    rmSync(path.join(dst, "a", "one"));
    assert.deepEqual(volumeDifferences(expected, dst).sort(), [
      "bytes differ in two",
      "extra extra",
      "missing a/one",
    ]);
    assert.match(volumeDifferences(expected, path.join(dir, "none"))[0], /^unreadable: /);
  });

  it("a raw copy counts the same bytes and removes its copy", () => {
    const src = path.join(dir, "src");
    mkdirSync(src);
    writeFileSync(path.join(src, "f"), Buffer.alloc(4096, 7));
    const scratch = path.join(dir, "scratch");
    const t = rawCopy([src], scratch);
    assert.equal(t.bytes, 4096);
    assert.ok(t.seconds > 0 && t.bytesPerSecond > 0);
    assert.deepEqual(fileBytes(src), 4096);
    assert.throws(() => fileBytes(scratch));
  });

  it("Dash Enterprise's claims: mounted by their workloads only when asked; the second generation changes the data", () => {
    const uids = { dashEnterprise: "u1", redpanda: "u2" };
    // Without claims the fixture is unchanged (the other drills).
    for (const o of [...baseObjects(), ...ownedObjects(uids)]) {
      assert.equal(JSON.stringify(o).includes("persistentVolumeClaim"), false);
      assert.equal(o.spec?.volumeClaimTemplates, undefined);
    }
    const mounted = withClaims([...baseObjects(), ...ownedObjects(uids)]);
    for (const c of DASH_CLAIMS) {
      const w = mounted.find((o) => o.kind === c.workload.kind && o.metadata.name === c.workload.name);
      assert.ok(w, `${c.workload.kind} ${c.workload.name}`);
      assert.deepEqual(w.spec.template.spec.containers[0].volumeMounts, [
        { name: c.volume, mountPath: c.mountPath },
      ]);
      if (c.workload.kind === "StatefulSet") {
        assert.equal(w.spec.volumeClaimTemplates[0].metadata.name, c.volume);
        // The StatefulSet controller names the claim <template>-<pod>.
        assert.equal(c.claim, `${c.volume}-${w.metadata.name}-0`);
      } else {
        assert.deepEqual(w.spec.template.spec.volumes, [
          { name: c.volume, persistentVolumeClaim: { claimName: c.claim } },
        ]);
      }
    }
    assert.deepEqual(
      claimObjects().map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
      DASH_CLAIMS.filter((c) => c.workload.kind === "Deployment").map((c) => `${c.namespace}/${c.claim}`),
    );
    const dirOf = (c: { claim: string }) => path.join(dir, c.claim);
    writeDashVolumeData(dirOf, 1);
    const first = Object.fromEntries(DASH_CLAIMS.map((c) => [c.claim, volumeContents(dirOf(c))]));
    const total = Object.values(first).reduce((n, v) => n + v.bytes, 0);
    assert.ok(total > 40 * (1 << 20), `${total} bytes`);
    writeDashVolumeData(dirOf, 2);
    for (const c of DASH_CLAIMS) {
      assert.ok(volumeDifferences(first[c.claim], dirOf(c)).length > 0, `${c.claim} did not change`);
    }
  });
});
