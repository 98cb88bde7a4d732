import { strict as assert } from "assert";
import { PolicyResource } from "@pulumi/policy";
import {
  destinationBslReadOnly,
  destinationCrossRegionSnapshots,
  destinationNotSourceCluster,
  destinationRehearsal,
  destinationRestoreOrdering,
  destinationStepContract,
} from "../../policies/rules/destination";
import { releaseProps, T } from "./fixtures";
import { checkStack, resource } from "./support";

type StepSpec = [id: string, kind: string, needs: string[]];

/** The Dash chain of DESIGN.md, as the destination stack is to register it. */
const DASH_CHAIN: StepSpec[] = [
  ["guard-different-cluster", "guard", []],
  ["wait-bsl-available", "wait", ["guard-different-cluster"]],
  ["wait-backup", "wait", ["wait-bsl-available"]],
  ["dns-unpublish", "dns-unpublish", ["wait-backup"]],
  ["restore", "restore", ["dns-unpublish"]],
  ["bsl-read-write", "promote", ["restore"]],
  ["dns-publish", "dns-publish", ["restore"]],
  ["owner-references", "repair", ["restore"]],
  ["kots-redeploy", "gate", ["owner-references"]],
  ["harbor-restart", "repair", ["kots-redeploy"]],
  ["health", "health", ["dns-publish", "harbor-restart"]],
];

/**
 * A destination stack: the RestoreChain component, Velero with a ReadOnly location, and one Command
 * per step under the chain, depending on the Commands of the steps it needs.
 */
function destination(steps: StepSpec[] = DASH_CHAIN, accessMode = "ReadOnly"): PolicyResource[] {
  const chain = resource({ type: T.restoreChain, name: "restore", props: {} });
  const values = releaseProps().values;
  values.configuration.backupStorageLocation.accessMode = accessMode;
  const release = resource({ type: T.release, name: "velero-release", props: { ...releaseProps(), values } });
  const byId = new Map<string, PolicyResource>();
  for (const [id, kind, needs] of steps) {
    const environment: Record<string, string> = {
      VELERO_DR_STEP_ID: id,
      VELERO_DR_STEP_KIND: kind,
      KUBECONFIG: "...",
    };
    if (kind === "guard") environment.SOURCE_API_SERVER = "https://source.example:443";
    const deps = needs.map((n) => byId.get(n)!);
    byId.set(
      id,
      resource({
        type: T.command,
        name: `restore-${id}`,
        parent: chain,
        dependencies: [release, ...deps],
        props: { create: "...", environment },
      }),
    );
  }
  return [chain, release, ...byId.values()];
}

function step(resources: PolicyResource[], id: string): PolicyResource {
  return resources.find((r) => r.props.environment?.VELERO_DR_STEP_ID === id)!;
}

/** Removes `id`'s direct dependency on `need` (the Command then no longer waits for it). */
function cut(resources: PolicyResource[], id: string, need: string): void {
  const s = step(resources, id);
  s.dependencies = s.dependencies.filter((d) => d !== step(resources, need));
}

const NOT_DESTINATION = "not a destination stack (no RestoreChain)";
const sourceLike = () => destination().filter((r) => r.type !== T.restoreChain);

describe("policies: destination (hand-built restore chain)", () => {
  describe("destination-step-contract", () => {
    it("passes the Dash chain", async () => {
      assert.deepEqual((await checkStack(destinationStepContract, destination())).violations, []);
    });

    it("reports an unknown kind, a missing id, a duplicate id and an empty chain", async () => {
      const stack = destination();
      step(stack, "wait-backup").props.environment.VELERO_DR_STEP_KIND = "sleep";
      step(stack, "health").props.environment.VELERO_DR_STEP_ID = "restore";
      delete step(stack, "dns-unpublish").props.environment.VELERO_DR_STEP_ID;
      const o = await checkStack(destinationStepContract, stack);
      assert.deepEqual(o.violations, [
        'step "wait-backup" (sleep) has an unknown VELERO_DR_STEP_KIND "sleep".',
        'Command "restore-dns-unpublish" has VELERO_DR_STEP_KIND but no VELERO_DR_STEP_ID.',
        'step id "restore" is used by two Commands.',
      ]);
      const empty = await checkStack(destinationStepContract, destination([]));
      assert.deepEqual(empty.violations, [
        "the restore chain has no step Commands (VELERO_DR_STEP_ID/KIND).",
      ]);
    });

    it("is not applicable without a RestoreChain", async () => {
      assert.equal((await checkStack(destinationStepContract, sourceLike())).notApplicable, NOT_DESTINATION);
    });
  });

  describe("destination-bsl-read-only", () => {
    it("passes a ReadOnly location and a promote step after the restore", async () => {
      assert.deepEqual((await checkStack(destinationBslReadOnly, destination())).violations, []);
    });

    it("reports a ReadWrite install, a promote step not after the restore, and a promote without restore", async () => {
      const stack = destination(DASH_CHAIN, "ReadWrite");
      cut(stack, "bsl-read-write", "restore");
      step(stack, "bsl-read-write").dependencies.push(step(stack, "dns-unpublish"));
      const o = await checkStack(destinationBslReadOnly, stack);
      assert.deepEqual(o.violations, [
        'the Velero release installs its backup storage location with accessMode "ReadWrite", not "ReadOnly".',
        'step "bsl-read-write" (promote) does not depend on step "restore" (restore): it could run before it.',
      ]);
      assert.deepEqual(o.urns, [stack[1].urn, step(stack, "bsl-read-write").urn]);
      const noRestore = destination([["bsl-read-write", "promote", []]]);
      assert.deepEqual((await checkStack(destinationBslReadOnly, noRestore)).violations, [
        'step "bsl-read-write" (promote) makes the location ReadWrite but there is no restore step.',
      ]);
    });

    it("sees a release from a local chart directory, whatever its name (drill/engine found this)", async () => {
      const stack = destination(DASH_CHAIN, "ReadWrite");
      Object.assign(stack[1].props, {
        chart: "/srv/charts/velero-chart",
        version: undefined,
        repositoryOpts: undefined,
      });
      assert.deepEqual((await checkStack(destinationBslReadOnly, stack)).violations, [
        'the Velero release installs its backup storage location with accessMode "ReadWrite", not "ReadOnly".',
      ]);
    });

    it("is not applicable on a source stack (its location is ReadWrite by design)", async () => {
      assert.equal((await checkStack(destinationBslReadOnly, sourceLike())).notApplicable, NOT_DESTINATION);
    });
  });

  describe("destination-not-source-cluster", () => {
    it("passes a chain whose every step depends, transitively, on the guard", async () => {
      assert.deepEqual((await checkStack(destinationNotSourceCluster, destination())).violations, []);
    });

    it("reports steps that do not wait for the guard, and a missing guard", async () => {
      const stack = destination();
      cut(stack, "wait-bsl-available", "guard-different-cluster");
      const o = await checkStack(destinationNotSourceCluster, stack);
      // Every step after it inherits the gap: each could now run against the source cluster.
      assert.equal(o.violations.length, DASH_CHAIN.length - 1);
      assert.equal(
        o.violations[0],
        'step "wait-bsl-available" (wait) does not depend on the source-cluster guard: it could run against the source.',
      );
      const unguarded = destination();
      delete step(unguarded, "guard-different-cluster").props.environment.SOURCE_API_SERVER;
      assert.deepEqual((await checkStack(destinationNotSourceCluster, unguarded)).violations, [
        "no guard step with SOURCE_API_SERVER checks that the destination is not the source.",
      ]);
    });

    it("is not applicable without a RestoreChain", async () => {
      assert.equal(
        (await checkStack(destinationNotSourceCluster, sourceLike())).notApplicable,
        NOT_DESTINATION,
      );
    });
  });

  describe("destination-restore-ordering", () => {
    it("passes restore before repairs and DNS publish, health last", async () => {
      assert.deepEqual((await checkStack(destinationRestoreOrdering, destination())).violations, []);
    });

    it("reports a DNS publish before the restore and a health step that skips a repair", async () => {
      const stack = destination();
      cut(stack, "dns-publish", "restore");
      step(stack, "dns-publish").dependencies.push(step(stack, "wait-backup"));
      cut(stack, "health", "harbor-restart");
      step(stack, "health").dependencies.push(step(stack, "owner-references"));
      assert.deepEqual((await checkStack(destinationRestoreOrdering, stack)).violations, [
        'step "dns-publish" (dns-publish) does not depend on step "restore" (restore): it could run before it.',
        'step "health" (health) does not depend on step "harbor-restart" (repair): it could run before it.',
      ]);
    });

    it("reports a DNS unpublish that does not wait for an app's version guard", async () => {
      const withGuard: StepSpec[] = DASH_CHAIN.flatMap((st): StepSpec[] =>
        st[0] === "wait-backup" ? [st, ["guard-app-version", "guard", ["wait-backup"]]] : [st],
      );
      const stack = destination(withGuard);
      assert.deepEqual((await checkStack(destinationRestoreOrdering, stack)).violations, [
        'step "dns-unpublish" (dns-unpublish) does not depend on step "guard-app-version" (guard): it could run before it.',
      ]);
      step(stack, "dns-unpublish").dependencies.push(step(stack, "guard-app-version"));
      assert.deepEqual((await checkStack(destinationRestoreOrdering, stack)).violations, []);
    });

    it("reports a chain without restore or without health", async () => {
      const noRestore = destination(
        DASH_CHAIN.filter(([id]) => id !== "restore").map(([i, k, n]) => [
          i,
          k,
          n.filter((x) => x !== "restore"),
        ]),
      );
      assert.deepEqual((await checkStack(destinationRestoreOrdering, noRestore)).violations, [
        "the restore chain has no restore step.",
      ]);
      const noHealth = destination(DASH_CHAIN.filter(([id]) => id !== "health"));
      assert.deepEqual((await checkStack(destinationRestoreOrdering, noHealth)).violations, [
        "the restore chain has no health step.",
      ]);
    });

    it("is not applicable without a RestoreChain", async () => {
      assert.equal(
        (await checkStack(destinationRestoreOrdering, sourceLike())).notApplicable,
        NOT_DESTINATION,
      );
    });
  });

  describe("destination-rehearsal-changes-nothing", () => {
    /** The chain as a rehearsal registers it: every Command marked, no DNS and no promote step. */
    const rehearsal = (steps: StepSpec[]) => {
      const stack = destination(steps);
      for (const r of stack.filter((x) => x.type === T.command)) {
        (r.props.environment as Record<string, string>).VELERO_DR_MODE = "rehearsal";
      }
      return stack;
    };
    const REHEARSAL_CHAIN: StepSpec[] = DASH_CHAIN.filter(
      ([, kind]) => !["dns-unpublish", "dns-publish", "promote"].includes(kind),
    ).map(([id, kind, needs]) => [
      id,
      kind,
      needs.map((n) => (n === "dns-unpublish" ? "wait-backup" : n === "dns-publish" ? "restore" : n)),
    ]);

    it("passes a rehearsal without DNS, promotion or Schedules", async () => {
      assert.deepEqual((await checkStack(destinationRehearsal, rehearsal(REHEARSAL_CHAIN))).violations, []);
    });

    it("refuses a rehearsal that would move DNS, promote the location or write backups", async () => {
      const stack = rehearsal(DASH_CHAIN);
      stack.push(resource({ type: T.schedule, name: "schedules-dash-daily", props: {} }));
      stack.push(resource({ type: "azure-native:dns:RecordSet", name: "dns-base", props: {} }));
      assert.deepEqual((await checkStack(destinationRehearsal, stack)).violations, [
        'step "dns-unpublish" (dns-unpublish) would change production in a rehearsal.',
        'step "bsl-read-write" (promote) would change production in a rehearsal.',
        'step "dns-publish" (dns-publish) would change production in a rehearsal.',
        'DNS record "dns-base" would change production\'s DNS in a rehearsal.',
        'Schedule "schedules-dash-daily" would write backups to production\'s location in a rehearsal.',
      ]);
    });

    it("is not applicable to a recovery, nor without a RestoreChain", async () => {
      assert.match(
        String((await checkStack(destinationRehearsal, destination())).notApplicable),
        /not a rehearsal/,
      );
      assert.equal((await checkStack(destinationRehearsal, sourceLike())).notApplicable, NOT_DESTINATION);
    });
  });

  describe("destination-no-cross-region-snapshots", () => {
    /** The restore Command declares the regions and the snapshot-only volumes. */
    const declaring = (source: string, dest: string, volumes: string, cluster?: string) => {
      const stack = destination(DASH_CHAIN);
      Object.assign(step(stack, "restore").props.environment as Record<string, string>, {
        VELERO_DR_SOURCE_REGION: source,
        VELERO_DR_DESTINATION_REGION: dest,
        VELERO_DR_SNAPSHOT_ONLY_VOLUMES: volumes,
      });
      if (cluster) {
        stack.push(
          resource({
            type: "azure-native:containerservice:ManagedCluster",
            name: "cluster-aks",
            props: { location: cluster },
          }),
        );
      }
      return stack;
    };
    const VOLUMES = "every persistent volume in dash-apps, dash-services, plotly-system";

    it("refuses snapshot-only volumes restored in another region", async () => {
      assert.deepEqual(
        (await checkStack(destinationCrossRegionSnapshots, declaring("westeurope", "northeurope", VOLUMES)))
          .violations,
        [
          `step "restore" (restore) restores in northeurope what the source in westeurope backs up only as disk snapshots (${VOLUMES}): a snapshot restores only in its own region, so these volumes would come back empty.`,
        ],
      );
    });

    it("reads the new cluster's location over the declaration", async () => {
      const o = await checkStack(
        destinationCrossRegionSnapshots,
        declaring("westeurope", "westeurope", VOLUMES, "northeurope"),
      );
      assert.equal(o.violations.length, 1);
      assert.match(o.violations[0], /restores in northeurope what the source in westeurope/);
    });

    it("passes the same region (whatever the spelling), or no snapshot-only volume", async () => {
      for (const stack of [
        declaring("westeurope", "West Europe", VOLUMES),
        declaring("westeurope", "northeurope", ""),
        destination(),
      ]) {
        assert.deepEqual((await checkStack(destinationCrossRegionSnapshots, stack)).violations, []);
      }
    });

    it("is not applicable without a RestoreChain", async () => {
      assert.equal(
        (await checkStack(destinationCrossRegionSnapshots, sourceLike())).notApplicable,
        NOT_DESTINATION,
      );
    });
  });
});
