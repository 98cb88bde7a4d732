import { strict as assert } from "assert";
import { DEFAULT_FIGURES, durationOf, withOverrides } from "../../tools/bench/durations";
import { criticalPath, unmet } from "../../tools/bench/graph";
import { hardEdges, HARD_RULES, SEED_POST_RESTORE } from "../../tools/bench/hard";
import { BenchNode, RecordedGraph } from "../../tools/bench/recorded";
import { analyzeRto, label } from "../../tools/bench/rto";
import { recordDestination, scenarios } from "../../tools/bench/simulate";

/**
 * The RTO model on the destination example (recorded under mocks): pure computation on the
 * recorded graph and the duration figures. Nothing here is timed.
 */
describe("bench: simulated RTO of the destination example", () => {
  let g: RecordedGraph;
  const key = (name: string) => {
    const k = Object.keys(g.nodes).find((x) => x.endsWith(`::${name}`));
    if (!k) throw new Error(`no resource ${name}`);
    return k;
  };
  const hardPairs = () => new Set(hardEdges(g).map((e) => `${label(e.from)} > ${label(e.to)}`));

  before(async () => {
    g = await recordDestination();
  });

  it("has a duration figure, with its source, for every resource of the example", () => {
    const a = analyzeRto(g, withOverrides({}));
    assert.deepEqual(a.unmodelled, []);
    for (const [name, f] of Object.entries(DEFAULT_FIGURES)) {
      assert.ok(f.source.length > 10, `${name} says where it comes from`);
      assert.ok(f.seconds >= 0, name);
    }
  });

  it("is honored by the recorded graph: every hard need is an ordering of the stack", () => {
    assert.deepEqual(unmet(g.needs, hardEdges(g)), []);
  });

  it("classifies the safety orderings as hard and the identity's wait for the guard as soft", () => {
    const hard = hardPairs();
    for (const pair of [
      "velero-release > guard-different-cluster",
      "velero-ns > guard-different-cluster",
      "dns-unpublish > guard-different-cluster",
      "restore > dns-unpublish",
      "restore > wait-backup",
      "wait-backup > wait-bsl-available",
      "wait-bsl-available > velero-release",
      "wait-bsl-available > velero-identity-storage-assignment-0",
      "bsl-read-write > restore",
      "dns-base > wait-load-balancer",
      "dns-api > dns-unpublish",
      "dash-health > dash-builder-ready",
      "schedules-dash-daily > dash-health",
      "velero-identity-disks-assignment-1 > cluster-aks",
      "restore > velero-identity-disks-assignment-0",
      "restore > velero-identity-disks-assignment-1",
      "velero-credentials > velero-identity-password",
    ]) {
      assert.ok(hard.has(pair), `${pair} is hard`);
    }
    for (const pair of [
      "velero-identity-app > guard-different-cluster",
      "velero-credentials > velero-identity-disks-assignment-0",
      "velero-credentials > velero-identity-storage-assignment-0",
      "velero-release > velero-identity-storage-assignment-0",
      "dash-cert-injection-webhook > bsl-read-write",
    ]) {
      assert.ok(!hard.has(pair), `${pair} is soft`);
    }
  });

  it("follows the seed's post-restore order, skipping steps a chain does not have (Harbor)", () => {
    const hard = hardPairs();
    assert.ok(!Object.values(g.nodes).some((n) => n.step?.id === "dash-harbor-restart"));
    assert.ok(hard.has("dash-builder-ready > dash-kots-redeploy"));
    assert.ok(hard.has("dash-cert-injection-webhook > dns-publish"));
    assert.equal(SEED_POST_RESTORE[0], "dns-publish");
    assert.ok(
      HARD_RULES.every((r) => r.why.length > 20),
      "every rule says why",
    );
  });

  it("wastes no time at the default durations: the critical path is the hard chain (ratio 1)", () => {
    const a = analyzeRto(g, withOverrides({}));
    assert.equal(a.ratio, 1);
    assert.deepEqual(a.needless, []);
    assert.deepEqual(a.unmet, []);
    // The unavoidable chain runs through the cluster, the guard, the DNS TTL and the restore.
    for (const id of [
      "cluster-aks",
      "restore-guard-different-cluster",
      "restore-dns-unpublish",
      "restore-restore",
      "restore-dash-health",
    ]) {
      assert.ok(a.unavoidable.path.includes(key(id)), id);
    }
    assert.ok(a.serialSeconds > a.achieved.seconds);
  });

  it("builds the identity's Azure AD part while the cluster is created (it no longer waits for the guard)", () => {
    const f = withOverrides({});
    const cp = criticalPath(g.needs, (k) => {
      const d = durationOf(g.nodes[k], f);
      return d.seconds + d.propagation;
    });
    const clusterDone = cp.finish[key("cluster-aks")];
    for (const name of ["velero-identity-app", "velero-identity-sp", "velero-identity-password"]) {
      assert.ok(cp.finish[key(name)] < clusterDone, `${name} is done before the cluster`);
    }
  });

  it("loses no time to a slow identity propagation: Velero's credentials wait for no grant (ratio 1)", () => {
    const slow = scenarios({})[1];
    assert.equal(slow.figures.identityPropagation.seconds, 600);
    const a = analyzeRto(g, slow.figures);
    assert.equal(a.ratio, 1);
    assert.deepEqual(a.needless, []);
    assert.deepEqual(a.unmet, []);
    // What remains is hard: a disk grant (scoped to the node group the cluster creates) and its
    // propagation before the restore.
    const path = a.achieved.path.map(label);
    assert.ok(
      path.indexOf("cluster-aks") < path.indexOf("velero-identity-disks-assignment-0"),
      path.join(" > "),
    );
    assert.ok(path.indexOf("velero-identity-disks-assignment-0") < path.indexOf("restore"), path.join(" > "));
    // Velero is installed and its location synced meanwhile (they wait for the storage grant only).
    const finish = (name: string) => a.resources.find((r) => r.key === key(name))?.finish as number;
    assert.ok(finish("velero-release") < finish("velero-identity-disks-assignment-0"));
    assert.ok(finish("restore-wait-backup") < finish("velero-identity-disks-assignment-0"));
    assert.ok(finish("restore-wait-bsl-available") > finish("velero-identity-storage-assignment-0"));
  });

  it("keeps the hard chain when the Velero install is slower (what-if: Helm 150 s, 400 s)", () => {
    for (const helmRelease of [150, 400]) {
      for (const s of scenarios({ helmRelease })) {
        assert.equal(analyzeRto(g, s.figures).ratio, 1, `${s.name}, helmRelease ${helmRelease} s`);
      }
    }
  });

  it("takes the DNS wait from the stack's TTL and the restore from the item count", () => {
    const f = withOverrides({ restoreItems: 1000, restoreSecondsPerItem: 0.5, restoreOverhead: 0 });
    const unpublish = g.nodes[key("restore-dns-unpublish")];
    assert.equal(durationOf(unpublish, f).seconds, DEFAULT_FIGURES.dnsUnpublishCalls.seconds + 300);
    assert.equal(durationOf(g.nodes[key("restore-restore")], f).seconds, 500);
  });

  it("refuses unknown or negative duration overrides", () => {
    assert.throws(() => withOverrides({ aks: 1 }), /unknown duration aks/);
    assert.throws(() => withOverrides({ aksCluster: -1 }), /must be a number >= 0/);
    assert.equal(withOverrides({ aksCluster: 600 }).aksCluster.source, "override (--durations)");
  });

  it("gives an unknown resource type the fallback figure and lists it", () => {
    const n: BenchNode = { key: "x:y:Z::z", type: "x:y:Z", name: "z", inputs: {}, read: false };
    const f = withOverrides({});
    assert.equal(durationOf(n, f).seconds, DEFAULT_FIGURES.other.seconds);
  });
});
