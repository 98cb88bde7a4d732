import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { buildPreparation } from "../../../components/apps/preparation";
import { envForStep } from "../../../components/restore/chain";
import { buildScript } from "../../../components/shell/script";
import { configured, chainFor, scheduleOf, assertInOrder } from "../../../test/support/app-profiles";
import { shellcheck } from "../../../test/support/bash";
import { crdErrors } from "../../../test/support/crd";
import { SEED_ORDER } from "./seed-order";

/**
 * The Nokia EDA profile (Nokia EDA's backup and restore documentation): what its backups carry and the
 * order its restores follow.
 */
describe("app profiles: Nokia EDA (Nokia EDA's backup and restore documentation)", () => {
  it("runs edactl platform backup in the eda-toolbox as a failing pre-backup hook and labels backups with the version", () => {
    const { profile } = configured("eda", { version: "25.4.1", keep: 5 });
    const schedule = scheduleOf(profile);
    assert.deepEqual(crdErrors("v1.10.3", "Schedule", schedule), []);
    const t = schedule.spec.template as any;
    assert.equal(t.metadata.labels["velero-dr/app-version"], "25.4.1");
    const hook = t.hooks.resources[0];
    assert.deepEqual(hook.labelSelector.matchLabels, { "eda.nokia.com/app": "eda-toolbox" });
    assert.equal(hook.pre[0].exec.container, "eda-toolbox");
    assert.equal(hook.pre[0].exec.onError, "Fail");
    assert.match(
      hook.pre[0].exec.command[2],
      /cd \/velero-dr-backup; edactl platform backup; sync; .*tail -n \+6/,
    );
  });

  describe("the pre-backup hook's command, run by bash with an edactl that behaves as the document says", () => {
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    /** Runs the hook in a fresh mount holding `existing` (oldest first); edactl writes `written`. */
    const runHook = (existing: string[], written: string | undefined) => {
      const dir = mkdtempSync(path.join(tmpdir(), "vdr-eda-hook-"));
      dirs.push(dir);
      const mount = path.join(dir, "mount");
      const bin = path.join(dir, "bin");
      mkdirSync(mount);
      mkdirSync(bin);
      existing.forEach((f, i) => {
        writeFileSync(path.join(mount, f), "");
        utimesSync(path.join(mount, f), 1_000_000 + i * 60, 1_000_000 + i * 60);
      });
      writeFileSync(
        path.join(bin, "edactl"),
        written === undefined
          ? "#!/bin/bash\necho 'edactl: ConfigEngine unreachable' >&2; exit 1\n"
          : `#!/bin/bash\n[ "$*" = "platform backup" ] && : > ${written}\n`,
        { mode: 0o755 },
      );
      const { profile } = configured("eda", { version: "25.4.1", keep: 2 });
      const command = (scheduleOf(profile).spec.template as any).hooks.resources[0].pre[0].exec.command;
      const r = spawnSync(command[0], [command[1], command[2].replace("/velero-dr-backup", mount)], {
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      return { code: r.status, stderr: r.stderr, left: readdirSync(mount).sort() };
    };

    it("succeeds with the document's .tgz names (none of .tar.gz there) and keeps the newest `keep`", () => {
      const r = runHook(["eda-backup-m-1.tgz", "eda-backup-m-2.tgz"], "eda-backup-m-3.tgz");
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.left, ["eda-backup-m-2.tgz", "eda-backup-m-3.tgz"]);
    });

    it("keeps the newest across both names, and succeeds on a first backup", () => {
      const r = runHook(
        ["eda-backup-m-1.tar.gz", "eda-backup-m-2.tgz", "eda-backup-m-3.tar.gz"],
        "eda-backup-m-4.tgz",
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.left, ["eda-backup-m-3.tar.gz", "eda-backup-m-4.tgz"]);
      const first = runHook([], "eda-backup-m-1.tgz");
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(first.left, ["eda-backup-m-1.tgz"]);
    });

    it("fails when edactl fails (onError Fail makes the Velero backup fail), deleting nothing", () => {
      const r = runHook(["eda-backup-m-1.tgz", "eda-backup-m-2.tgz", "eda-backup-m-3.tgz"], undefined);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ConfigEngine unreachable/);
      assert.equal(r.left.length, 3);
    });
  });

  it("the source prepares a labelled claim mounted into the toolbox and checks the running version", () => {
    const prep = buildPreparation(configured("eda", { version: "25.4.1" }).profile, { fsBackup: "off" });
    assert.deepEqual(
      prep.map((p) => p.name),
      ["app-version-check", "backup-volume"],
    );
    assert.equal(prep[0].env.APP_VERSION, "25.4.1");
    assert.equal(prep[1].env.BACKUP_VOLUME_ID, "eda-backup");
    for (const p of prep) assert.equal(shellcheck(buildScript(p.script)), "", p.name);
  });

  it("refuses another version before restoring, restores only the backup claim, then edactl platform restore", () => {
    const chain = chainFor("eda");
    const steps = chain.steps.map((s) => s.id);
    assertInOrder(steps, SEED_ORDER);
    assert.ok(chain.steps.find((s) => s.id === "restore")!.needs.includes("guard-app-version"));
    const m = JSON.parse(
      envForStep(chain.steps.find((s) => s.id === "restore")!, chain.env)
        .RESTORE_MANIFEST.replace("__RESTORE_NAME__", "r")
        .replace("__BACKUP_NAME__", "b"),
    );
    assert.deepEqual(crdErrors("v1.10.3", "Restore", m), []);
    assert.deepEqual(m.spec.includedResources, ["persistentvolumeclaims", "persistentvolumes"]);
    assert.deepEqual(m.spec.orLabelSelectors, [{ matchLabels: { "velero-dr/volume": "eda-backup" } }]);
  });
});
