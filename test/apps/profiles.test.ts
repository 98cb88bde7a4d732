import { strict as assert } from "assert";
import { apps } from "../../apps";
import { stepScript } from "../../components/restore/step";
import { allPolicies } from "../../policies/rules/all";
import { chainFor, ids, stackOptions } from "../support/app-profiles";
import { appExpectations } from "../support/app-expectations";
import { shellcheck } from "../support/bash";
import { crdErrors } from "../support/crd";
import { runProgram, stackFileConfig } from "../support/harness";
import { recordDestination, recordSource, SourceRecording } from "../policies/recordings";
import { fromRecording, runAll, unresolvedDependencies } from "../policies/support";

/**
 * What holds for every app of the registry: its step scripts pass shellcheck, its example stacks
 * run under mocks and pass the policy pack, bad settings fail up front. Each app's own profile
 * tests, and what these tests expect of it, are in its folder (apps/<app>/test/).
 */

describe("app profiles: every step script of every profile passes shellcheck", () => {
  for (const name of Object.keys(apps)) {
    it(name, () => {
      for (const s of chainFor(name).steps) assert.equal(shellcheck(stepScript(s)), "", s.id);
    });
  }
});

describe("app profiles: example stacks under mocks and the policy pack", function () {
  this.timeout(120000);
  for (const [app, { examples }] of appExpectations()) {
    if (!examples) continue;
    describe(app, () => {
      let source: SourceRecording;
      before(async () => {
        source = await recordSource(examples.source);
      });

      it("the source example registers its schedule with the profile's hooks and passes every policy", async () => {
        assert.deepEqual(unresolvedDependencies(source.resources, examples.source), []);
        assert.deepEqual(
          await runAll(allPolicies, fromRecording(structuredClone(source.resources), examples.source)),
          [],
        );
        const schedule = source.resources.find((r) => r.type.endsWith("velero.io/v1:Schedule"));
        assert.ok(schedule, "a Schedule");
        assert.ok(schedule.inputs.spec.template.hooks.resources.length > 0);
        assert.deepEqual(
          crdErrors("v1.10.3", "Schedule", {
            ...schedule.inputs,
            metadata: { name: "x", namespace: "velero" },
          }),
          [],
        );
        const prep = source.resources.filter((r) => r.parent?.includes("velero-dr:apps:AppPreparation"));
        const commands = prep.filter((p) => p.custom).map((p) => p.name);
        assert.deepEqual(commands, examples.sourcePreparation);
        for (const c of commands) {
          assert.ok(
            schedule.dependencies.some((d) => d.endsWith(`::${c}`) || d === c),
            `the schedule waits for ${c}: ${schedule.dependencies.join(", ")}`,
          );
        }
      });

      it("the destination example restores with the profile's chain and passes every policy", async () => {
        const resources = await recordDestination(source, examples.destination);
        assert.deepEqual(
          await runAll(allPolicies, fromRecording(structuredClone(resources), examples.destination)),
          [],
        );
        const stepIds = resources
          .filter((r) => r.inputs.environment?.VELERO_DR_STEP_ID)
          .map((r) => r.inputs.environment.VELERO_DR_STEP_ID);
        assert.deepEqual([...stepIds].sort(), [...ids(app, stackOptions(examples.destination))].sort());
      });
    });
  }
});

describe("app profiles: bad app settings fail up front with the key, the value and the fix", () => {
  for (const [, { badSettings }] of appExpectations()) {
    for (const { what, stack, edits, expected } of badSettings ?? []) {
      it(what, async () => {
        const { config, secretKeys } = stackFileConfig(stack);
        const run = await runProgram("bad", { ...config, ...edits }, secretKeys);
        assert.ok(run.error, "the program must fail");
        assert.match(run.error.message, expected);
        assert.equal(run.recorder.resources.length, 0, "nothing registered");
      });
    }
  }
});
