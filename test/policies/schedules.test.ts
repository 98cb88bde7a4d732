import { strict as assert } from "assert";
import {
  scheduleExistsOnSource,
  scheduleNoOwnerReferences,
  scheduleProfileNamespaces,
  scheduleTtlBounds,
  scheduleValidCron,
} from "../../policies/rules/schedules";
import { azureStack, releaseProps, scheduleProps, T } from "./fixtures";
import { checkResource, checkStack, resource } from "./support";

const schedule = (props: Record<string, any>) => ({ type: T.schedule, props });

describe("policies: schedules", () => {
  describe("schedule-valid-cron", () => {
    it("passes 5-field crons and descriptors", async () => {
      for (const cron of ["0 0 * * *", "30 2 * * MON-FRI", "@daily", "@every 6h"]) {
        const props = scheduleProps();
        props.spec.schedule = cron;
        assert.deepEqual((await checkResource(scheduleValidCron, schedule(props))).violations, [], cron);
      }
    });

    it("reports crons Velero 1.10 rejects, with the reason", async () => {
      const props = scheduleProps();
      props.spec.schedule = "0 0 0 * * *";
      assert.deepEqual((await checkResource(scheduleValidCron, schedule(props))).violations, [
        'spec.schedule "0 0 0 * * *" is not accepted by Velero 1.10: it has 6 fields; Velero needs exactly 5 (minute hour day month weekday).',
      ]);
      props.spec.schedule = "0 0 * * 7";
      assert.deepEqual((await checkResource(scheduleValidCron, schedule(props))).violations, [
        'spec.schedule "0 0 * * 7" is not accepted by Velero 1.10: day-of-week 7 is not accepted by Velero; use 0 for Sunday.',
      ]);
      delete props.spec.schedule;
      assert.deepEqual((await checkResource(scheduleValidCron, schedule(props))).violations, [
        "spec.schedule is not set; it must be a cron expression.",
      ]);
    });

    it("is not applicable to other resources", async () => {
      assert.ok(
        (await checkResource(scheduleValidCron, { type: T.release, props: releaseProps() })).notApplicable,
      );
    });
  });

  describe("schedule-ttl-bounds", () => {
    it("passes 720h within the default 24h-8760h", async () => {
      assert.deepEqual((await checkResource(scheduleTtlBounds, schedule(scheduleProps()))).violations, []);
    });

    it("reports a TTL outside the bounds (defaults and configured), or missing", async () => {
      assert.deepEqual((await checkResource(scheduleTtlBounds, schedule(scheduleProps("1h")))).violations, [
        "spec.template.ttl 1h (1h) is outside 24h-8760h.",
      ]);
      const strict = await checkResource(scheduleTtlBounds, schedule(scheduleProps()), { maxTtlHours: 168 });
      assert.deepEqual(strict.violations, ["spec.template.ttl 720h0m0s (720h) is outside 24h-168h."]);
      assert.deepEqual((await checkResource(scheduleTtlBounds, schedule(scheduleProps(null)))).violations, [
        'spec.template.ttl is not set; set a Go duration (e.g. "720h") so retention is explicit.',
      ]);
    });

    it("is not applicable to other resources", async () => {
      assert.ok((await checkResource(scheduleTtlBounds, { type: T.command, props: {} })).notApplicable);
    });
  });

  describe("schedule-profile-namespaces", () => {
    it("passes the profile's namespaces (or a superset, or all namespaces)", async () => {
      const superset = scheduleProps();
      superset.spec.template.includedNamespaces.push("extra");
      const all = scheduleProps();
      all.spec.template.includedNamespaces = ["*"];
      for (const props of [scheduleProps(), superset, all]) {
        assert.deepEqual((await checkResource(scheduleProfileNamespaces, schedule(props))).violations, []);
      }
    });

    it("reports a missing or excluded namespace, and an unknown profile", async () => {
      const props = scheduleProps();
      props.spec.template.includedNamespaces = ["dash-apps", "dash-services"];
      assert.deepEqual((await checkResource(scheduleProfileNamespaces, schedule(props))).violations, [
        'profile "dash-enterprise" needs namespaces the schedule does not back up: plotly-system.',
      ]);
      const excluded = scheduleProps();
      excluded.spec.template.includedNamespaces = [];
      excluded.spec.template.excludedNamespaces = ["dash-apps"];
      assert.deepEqual((await checkResource(scheduleProfileNamespaces, schedule(excluded))).violations, [
        'profile "dash-enterprise" needs namespaces the schedule does not back up: dash-apps.',
      ]);
      const unknown = scheduleProps();
      unknown.metadata.labels["velero-dr/profile"] = "toString";
      assert.deepEqual((await checkResource(scheduleProfileNamespaces, schedule(unknown))).violations, [
        'label velero-dr/profile names an unknown profile "toString".',
      ]);
    });

    it("is not applicable to a schedule without the profile label", async () => {
      const props = scheduleProps();
      delete props.metadata.labels["velero-dr/profile"];
      assert.equal(
        (await checkResource(scheduleProfileNamespaces, schedule(props))).notApplicable,
        "no velero-dr/profile label",
      );
    });
  });

  describe("schedule-no-owner-references", () => {
    it("passes false (and unset)", async () => {
      const unset = scheduleProps();
      delete unset.spec.useOwnerReferencesInBackup;
      for (const props of [scheduleProps(), unset]) {
        assert.deepEqual((await checkResource(scheduleNoOwnerReferences, schedule(props))).violations, []);
      }
    });

    it("reports true", async () => {
      const props = scheduleProps();
      props.spec.useOwnerReferencesInBackup = true;
      assert.deepEqual((await checkResource(scheduleNoOwnerReferences, schedule(props))).violations, [
        "spec.useOwnerReferencesInBackup is true: backups would be deleted with the Schedule.",
      ]);
    });

    it("is not applicable to other resources", async () => {
      assert.ok(
        (await checkResource(scheduleNoOwnerReferences, { type: T.release, props: {} })).notApplicable,
      );
    });
  });

  describe("schedule-exists-on-source", () => {
    it("passes a source stack with an unpaused schedule", async () => {
      assert.deepEqual((await checkStack(scheduleExistsOnSource, azureStack())).violations, []);
    });

    it("reports a source stack without schedules, or with all of them paused", async () => {
      const none = azureStack().filter((r) => r.type !== T.schedule);
      assert.deepEqual((await checkStack(scheduleExistsOnSource, none)).violations, [
        "this source stack has no Velero Schedule: no backups are taken.",
      ]);
      const paused = azureStack();
      paused.find((r) => r.type === T.schedule)!.props.spec.paused = true;
      assert.deepEqual((await checkStack(scheduleExistsOnSource, paused)).violations, [
        "every Schedule is paused (dash-daily): no backups are taken.",
      ]);
    });

    it("is not applicable to a destination stack or a stack without Velero", async () => {
      const destination = [
        resource({ type: T.restoreChain, props: {} }),
        resource({ type: T.release, props: releaseProps() }),
      ];
      assert.equal(
        (await checkStack(scheduleExistsOnSource, destination)).notApplicable,
        "destination stack (it restores)",
      );
      assert.equal(
        (await checkStack(scheduleExistsOnSource, [])).notApplicable,
        "no Velero release in this stack",
      );
    });
  });
});
