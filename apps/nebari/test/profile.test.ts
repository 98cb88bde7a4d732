import { strict as assert } from "assert";
import { envForStep } from "../../../components/restore/chain";
import { configured, chainFor, scheduleOf, assertInOrder, ids } from "../../../test/support/app-profiles";
import { shellcheck } from "../../../test/support/bash";
import { crdErrors } from "../../../test/support/crd";
import { SEED_ORDER } from "./seed-order";

/**
 * The Nebari profile (Nebari's backup and restore RFD): what its backups carry and the order its
 * restores follow.
 */
describe("app profiles: Nebari (Nebari's backup and restore RFD)", () => {
  it("dumps Keycloak and conda-store and writes the NFS manifest before the backup; any failure fails it", () => {
    const schedule = scheduleOf(configured("nebari").profile);
    assert.deepEqual(crdErrors("v1.10.3", "Schedule", schedule), []);
    const hooks = (schedule.spec.template as any).hooks.resources;
    assert.deepEqual(
      hooks.map((h: any) => [h.name, h.labelSelector.matchLabels, h.pre[0].exec.onError]),
      [
        ["keycloak-dump", { "app.kubernetes.io/instance": "keycloak-postgres-standalone" }, "Fail"],
        ["conda-store-dump", { "app.kubernetes.io/instance": "nebari-conda-store-postgresql" }, "Fail"],
        ["nfs-manifest", { role: "nfs-server-nfs" }, "Fail"],
      ],
    );
    for (const h of hooks) {
      const script = h.pre[0].exec.command[2] as string;
      assert.equal(shellcheck(`#!/usr/bin/env bash\n${script.replace(/; /g, "\n")}\n`), "", h.name);
      // Velero snapshots the volume as soon as the hook returns: what it wrote must be on the disk.
      assert.equal(script.split("; ").pop(), "sync", `${h.name} ends with sync`);
    }
    const dump = hooks[0].pre[0].exec.command[2] as string;
    assert.match(dump, /pg_dump --format=custom/);
    assert.match(dump, /\.tmp .*mv /, "a half-written dump is never under the final name");
  });

  it("restores Keycloak, then conda-store, then the NFS files, each verified before the next", () => {
    const steps = ids("nebari");
    assertInOrder(steps, SEED_ORDER);
    const chain = chainFor("nebari");
    const condaRestore = chain.steps.find((s) => s.id === "restore-conda-store")!;
    assert.deepEqual(condaRestore.needs, ["wait-backup", "nebari-keycloak-verify"]);
  });

  it("phases select by labels (orLabelSelectors) and validate against the 1.10.3 Restore CRD", () => {
    const chain = chainFor("nebari", { realm: "science" });
    const keycloak = JSON.parse(
      envForStep(chain.steps.find((s) => s.id === "restore-keycloak")!, chain.env)
        .RESTORE_MANIFEST.replace("__RESTORE_NAME__", "r")
        .replace("__BACKUP_NAME__", "b"),
    );
    assert.deepEqual(crdErrors("v1.10.3", "Restore", keycloak), []);
    assert.deepEqual(keycloak.spec.orLabelSelectors, [
      { matchLabels: { "app.kubernetes.io/instance": "keycloak" } },
      { matchLabels: { "app.kubernetes.io/instance": "keycloak-postgres-standalone" } },
    ]);
    const verify = envForStep(chain.steps.find((s) => s.id === "nebari-keycloak-verify")!, chain.env);
    assert.match(verify.PG_COUNTS_SQL, /r\.name = 'science'/);
  });
});
