import { strict as assert } from "assert";
import { utimesSync, writeFileSync } from "fs";
import * as path from "path";
import {
  chainFor,
  runStep,
  kubectl,
  scriptText,
  args,
  ready,
  runLocally,
  tempDirs,
} from "../../../test/support/app-steps";

/**
 * Nokia EDA's post-restore steps, built through the real step definitions (so the real prelude and
 * retry wrapper run) and run by bash against the fake kubectl, whose `exec` answers for the
 * containers. Where an in-container script decides something, it also runs for real on local files.
 */
describe("application restore steps, run by bash against fake kubectl", function () {
  this.timeout(60000);
  const tempDir = tempDirs();

  describe("Nokia EDA", () => {
    const NS = "eda-system";
    const FILE = "eda-backup-engine-config-2026-11-20T01-30-00Z.tar.gz";

    function edaWorld(o: { claim?: boolean; volumes?: boolean } = {}): Record<string, any> {
      const objects: Record<string, any> = {
        [`deployments.apps/${NS}/eda-toolbox`]: {
          metadata: { name: "eda-toolbox", namespace: NS },
          spec: {
            replicas: 1,
            template: {
              metadata: { labels: { "eda.nokia.com/app": "eda-toolbox" } },
              spec: {
                containers: [
                  { name: "init-helper", image: "busybox" },
                  {
                    name: "eda-toolbox",
                    image: "ghcr.io/nokia-eda/toolbox:25.4.1",
                    ...(o.volumes ? { volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] } : {}),
                  },
                ],
                ...(o.volumes ? { volumes: [{ name: "tmp", emptyDir: {} }] } : {}),
              },
            },
          },
        },
        // The old pod on its way out comes first; the new one is used.
        [`pods/${NS}/eda-toolbox-old`]: {
          metadata: {
            name: "eda-toolbox-old",
            namespace: NS,
            labels: { "eda.nokia.com/app": "eda-toolbox" },
            deletionTimestamp: "2026-11-20T10:00:00Z",
          },
          spec: { containers: [{ name: "eda-toolbox" }] },
          status: ready,
        },
        [`pods/${NS}/eda-toolbox-new`]: {
          metadata: {
            name: "eda-toolbox-new",
            namespace: NS,
            labels: { "eda.nokia.com/app": "eda-toolbox" },
          },
          spec: { containers: [{ name: "eda-toolbox" }] },
          status: ready,
        },
      };
      if (o.claim !== false) {
        objects[`persistentvolumeclaims/${NS}/velero-dr-eda-backup`] = {
          metadata: { name: "velero-dr-eda-backup", namespace: NS },
          status: { phase: "Pending" },
        };
      }
      return {
        objects,
        exec: {
          [`${NS}/eda-toolbox-new`]: [
            { match: ["files=(eda-backup-*.tar.gz eda-backup-*.tgz)"], stdout: `${FILE}\n` },
            { match: ["echo yes"], when: "restored", stdout: "yes\n" },
            { match: ["echo yes"], stdout: "no\n" },
            { match: ["edactl platform restore"], stdout: "Platform restore completed\n" },
            { match: ["touch --"], set: "restored" },
          ],
        },
      };
    }

    it("mount-backup: mounts the restored claim into the toolbox once, also when it has no volumes yet", () => {
      const chain = chainFor("eda");
      const r = runStep(chain, "eda-mount-backup", edaWorld());
      assert.equal(r.code, 0, r.stderr);
      const patches = kubectl(r, "patch");
      assert.equal(patches.length, 1);
      assert.ok(patches[0].argv.includes("--type=json"));
      const spec = r.state.objects[`deployments.apps/${NS}/eda-toolbox`].spec.template.spec;
      assert.deepEqual(spec.volumes, [
        { name: "velero-dr-backup", persistentVolumeClaim: { claimName: "velero-dr-eda-backup" } },
      ]);
      assert.deepEqual(spec.containers[1].volumeMounts, [
        { name: "velero-dr-backup", mountPath: "/velero-dr-backup" },
      ]);
      assert.equal(spec.containers[0].volumeMounts, undefined);
      assert.equal(kubectl(r, "rollout").length, 1);
      // Run again: the volume is there, nothing is patched; the rollout is still awaited.
      const again = runStep(chain, "eda-mount-backup", r.state);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(kubectl(again, "patch").length, 0);
      assert.match(again.stdout, /has the volume velero-dr-backup already; not patching it/);
      assert.equal(kubectl(again, "rollout").length, 1);
    });

    it("mount-backup: appends to existing volumes and mounts; fails when the claim or the container is missing", () => {
      const chain = chainFor("eda");
      const r = runStep(chain, "eda-mount-backup", edaWorld({ volumes: true }));
      assert.equal(r.code, 0, r.stderr);
      const spec = r.state.objects[`deployments.apps/${NS}/eda-toolbox`].spec.template.spec;
      assert.deepEqual(
        spec.volumes.map((v: any) => v.name),
        ["tmp", "velero-dr-backup"],
      );
      assert.deepEqual(
        spec.containers[1].volumeMounts.map((m: any) => m.mountPath),
        ["/tmp", "/velero-dr-backup"],
      );
      const noClaim = runStep(chain, "eda-mount-backup", edaWorld({ claim: false }), {
        EDA_TIMEOUT_SECONDS: "0",
      });
      assert.notEqual(noClaim.code, 0);
      assert.match(noClaim.stderr, /claim velero-dr-eda-backup not found in eda-system after 0s/);
      assert.equal(kubectl(noClaim, "patch").length, 0);
      const noContainer = runStep(chain, "eda-mount-backup", edaWorld(), {
        EDA_TOOLBOX_CONTAINER: "toolbox",
      });
      assert.notEqual(noContainer.code, 0);
      assert.match(
        noContainer.stderr,
        /eda-toolbox has no container toolbox \(it has: init-helper eda-toolbox\)/,
      );
      assert.equal(kubectl(noContainer, "patch").length, 0);
    });

    it("platform-restore: runs edactl with the newest backup in the live toolbox pod; a second run skips it", () => {
      const chain = chainFor("eda");
      const r = runStep(chain, "eda-platform-restore", edaWorld());
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.execs.every((e) => e.pod === "eda-toolbox-new" && e.container === "eda-toolbox"));
      const restore = r.execs.filter((e) => scriptText(e)?.includes("edactl platform restore"));
      assert.equal(restore.length, 1);
      assert.deepEqual(args(restore[0]), ["/velero-dr-backup", FILE, "1800"]);
      const marker = r.execs.filter((e) => scriptText(e)?.includes("touch --"));
      assert.deepEqual(args(marker[0]), ["/velero-dr-backup", FILE]);
      assert.match(r.stdout, /platform restored from eda-backup-engine-config/);
      const again = runStep(chain, "eda-platform-restore", r.state);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        /was restored already \(marker \/velero-dr-backup\/\.velero-dr-restored-eda-backup-/,
      );
      assert.equal(again.execs.filter((e) => scriptText(e)?.includes("edactl platform restore")).length, 0);
    });

    it("platform-restore: the in-container scripts pick the newest tarball and see the marker", () => {
      const r = runStep(chainFor("eda"), "eda-platform-restore", edaWorld());
      const finder = scriptText(r.execs.find((e) => scriptText(e)?.includes("files=(")) as any);
      const check = scriptText(r.execs.find((e) => scriptText(e)?.includes("echo yes")) as any);
      const mount = tempDir();
      assert.equal(runLocally(finder, [mount]).stdout, "", "none there");
      const files = [
        ["eda-backup-a-2026-11-18.tar.gz", 1000],
        ["eda-backup-b-2026-11-20.tgz", 3000],
        ["eda-backup-c-2026-11-19.tar.gz", 2000],
        ["other.tar.gz", 4000],
      ] as const;
      for (const [f, t] of files) {
        writeFileSync(path.join(mount, f), "x");
        utimesSync(path.join(mount, f), t, t);
      }
      assert.equal(runLocally(finder, [mount]).stdout, "eda-backup-b-2026-11-20.tgz\n");
      assert.equal(runLocally(check, [mount, "eda-backup-b-2026-11-20.tgz"]).stdout, "no\n");
      writeFileSync(path.join(mount, ".velero-dr-restored-eda-backup-b-2026-11-20.tgz"), "");
      assert.equal(runLocally(check, [mount, "eda-backup-b-2026-11-20.tgz"]).stdout, "yes\n");
      assert.equal(
        runLocally(finder, [mount]).stdout,
        "eda-backup-b-2026-11-20.tgz\n",
        "markers are not backups",
      );
    });

    it("platform-restore: fails clearly without a backup, and leaves no marker when edactl fails", () => {
      const chain = chainFor("eda");
      const world = edaWorld();
      world.exec[`${NS}/eda-toolbox-new`][0].stdout = "";
      const none = runStep(chain, "eda-platform-restore", world);
      assert.notEqual(none.code, 0);
      assert.match(
        none.stderr,
        /no platform backup \(eda-backup-\*\.tgz or \.tar\.gz\) in \/velero-dr-backup of eda-toolbox-new/,
      );
      assert.ok(!none.execs.some((e) => scriptText(e)?.includes("edactl")));
      const failing = edaWorld();
      failing.exec[`${NS}/eda-toolbox-new`][3].code = 1;
      failing.exec[`${NS}/eda-toolbox-new`][3].stderr = "Error: version mismatch\n";
      const r = runStep(chain, "eda-platform-restore", failing);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error: version mismatch/);
      assert.match(r.stderr, /edactl platform restore eda-backup-engine-config-.* failed \(exit code 1\)/);
      assert.ok(!r.execs.some((e) => scriptText(e)?.includes("touch --")));
      assert.ok(!(r.state as any).execFlags?.restored);
    });
  });
});
