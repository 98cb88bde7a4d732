import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { stepEnvironment, withRestoreDeclarations } from "../../components/restore/chain";
import {
  MODE_ENV,
  READ_ONLY_STORAGE_ENV,
  restoreStep,
  waitBackupStep,
} from "../../components/restore/velero-steps";

/**
 * What restore.sh reads besides its own settings reaches it through the step model: the restore
 * step declares it, so the stack's Commands, the drill's runner and the runbook's Variables get the
 * same names and values. The declarations only the stack and the runner add on restore steps (the
 * policy pack's) merge through one helper, with one precedence.
 */
describe("restore declarations", () => {
  const TIMEOUTS = { bslSeconds: 60, backupSyncSeconds: 60, restoreSeconds: 60 };
  const step = restoreStep(TIMEOUTS, []);

  it("the restore step declares every VELERO_DR_ setting restore.sh reads (the poll interval aside: a tuning knob with a default)", () => {
    const script = readFileSync(
      path.join(__dirname, "..", "..", "components", "scripts", "restore.sh"),
      "utf8",
    );
    const read = [...new Set([...script.matchAll(/\$\{?(VELERO_DR_[A-Z_]+)/g)].map((m) => m[1]))]
      .filter((n) => n !== "VELERO_DR_POLL_SECONDS")
      .sort();
    assert.deepEqual(read, [MODE_ENV, READ_ONLY_STORAGE_ENV].sort());
    const declared = [...step.script.env, ...(step.script.optionalEnv ?? [])];
    for (const n of read) assert.ok(declared.includes(n), `the restore step does not declare ${n}`);
  });

  it("the chain's env gives them to the restore step", () => {
    const env = stepEnvironment(
      step,
      {
        VELERO_NAMESPACE: "velero",
        RESTORE_BACKUP_NAME: "b",
        RESTORE_MANIFEST: "",
        RESTORE_TIMEOUT_SECONDS: "60",
        RESTORE_ALLOW_PARTIAL: "false",
        [READ_ONLY_STORAGE_ENV]: "true",
        [MODE_ENV]: "rehearsal",
      },
      { runtime: {}, secrets: {}, kubeconfig: "k" },
    );
    assert.equal(env[READ_ONLY_STORAGE_ENV], "true");
    assert.equal(env[MODE_ENV], "rehearsal");
  });

  it("declarations reach restore steps only, never override the step model's env, and a conflicting one is refused", () => {
    const decl = { VELERO_DR_SOURCE_REGION: "eu-west-1" };
    assert.deepEqual(withRestoreDeclarations(step, { A: "1" }, decl), {
      A: "1",
      VELERO_DR_SOURCE_REGION: "eu-west-1",
    });
    const other = waitBackupStep(TIMEOUTS);
    assert.deepEqual(withRestoreDeclarations(other, { A: "1" }, decl), { A: "1" });
    // The same value declared twice is harmless; a different one would make the stack and the
    // runner disagree on which wins: refused.
    assert.deepEqual(
      withRestoreDeclarations(step, { [READ_ONLY_STORAGE_ENV]: "true" }, { [READ_ONLY_STORAGE_ENV]: "true" }),
      {
        [READ_ONLY_STORAGE_ENV]: "true",
      },
    );
    assert.throws(
      () =>
        withRestoreDeclarations(
          step,
          { [READ_ONLY_STORAGE_ENV]: "true" },
          { [READ_ONLY_STORAGE_ENV]: "false" },
        ),
      /step restore: the restore declarations set VELERO_DR_STORAGE_READ_ONLY, which the step model sets already/,
    );
  });
});
