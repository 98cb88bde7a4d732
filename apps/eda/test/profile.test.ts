import { strict as assert } from "assert";
import { buildPreparation } from "../../../components/apps/preparation";
import { envForStep } from "../../../components/restore/chain";
import { buildScript } from "../../../components/shell/script";
import { configured, chainFor, scheduleOf, assertInOrder } from "../../../test/support/app-profiles";
import { shellcheck } from "../../../test/support/bash";
import { crdErrors } from "../../../test/support/crd";
import { SEED_ORDER } from "./seed-order";

/** The Nokia EDA profile (seed 004): what its backups carry and the order its restores follow. */
describe("app profiles: Nokia EDA (seed 004)", () => {
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
    assert.match(hook.pre[0].exec.command[2], /cd \/velero-dr-backup; edactl platform backup; .*tail -n \+6/);
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
