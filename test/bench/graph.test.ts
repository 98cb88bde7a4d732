import { strict as assert } from "assert";
import {
  ancestors,
  criticalPath,
  edgesOf,
  graphOf,
  needlessOrderings,
  Needs,
  topologicalOrder,
  unmet,
} from "../../tools/bench/graph";

// a -> b means "a needs b". A diamond: d needs b and c, both need a.
const diamond: Needs = { a: [], b: ["a"], c: ["a"], d: ["b", "c"] };
const secs: Record<string, number> = { a: 1, b: 5, c: 2, d: 1 };
const dur = (n: string) => secs[n];

describe("bench graph math: critical path", () => {
  it("orders every node after what it needs", () => {
    const order = topologicalOrder(diamond);
    for (const [n, needs] of Object.entries(diamond)) {
      for (const d of needs) assert.ok(order.indexOf(d) < order.indexOf(n), `${d} before ${n}`);
    }
  });

  it("refuses a cycle and an unknown node, naming them", () => {
    assert.throws(
      () => topologicalOrder({ a: ["b"], b: ["a"] }),
      /dependency cycle: .*a -> b -> a|b -> a -> b/,
    );
    assert.throws(() => topologicalOrder({ a: ["x"] }), /unknown node x \(needed by a\)/);
  });

  it("is the longest duration-weighted path: the time with unlimited parallelism", () => {
    const cp = criticalPath(diamond, dur);
    assert.equal(cp.seconds, 7);
    assert.deepEqual(cp.path, ["a", "b", "d"]);
    assert.deepEqual(cp.finish, { a: 1, b: 6, c: 3, d: 7 });
  });

  it("counts parallel branches once and a chain in full", () => {
    assert.equal(criticalPath({ x: [], y: [], z: [] }, () => 4).seconds, 4);
    assert.equal(criticalPath({ x: [], y: ["x"], z: ["y"] }, () => 4).seconds, 12);
    assert.equal(criticalPath({}, () => 1).seconds, 0);
  });

  it("reports a stable path when two branches tie", () => {
    const g: Needs = { s: [], p: ["s"], q: ["s"], t: ["q", "p"] };
    const a = criticalPath(g, () => 1);
    const b = criticalPath({ t: ["p", "q"], q: ["s"], p: ["s"], s: [] }, () => 1);
    assert.deepEqual(a.path, b.path);
    assert.deepEqual(a.path, ["s", "p", "t"]);
  });

  it("refuses a negative or missing duration", () => {
    assert.throws(() => criticalPath({ a: [] }, () => -1), /duration of a/);
    assert.throws(() => criticalPath({ a: [] }, () => NaN), /duration of a/);
  });
});

describe("bench graph math: hard needs and needless orderings", () => {
  it("finds what a node waits for transitively", () => {
    assert.deepEqual([...ancestors(diamond, "d")].sort(), ["a", "b", "c"]);
    assert.deepEqual([...ancestors(diamond, "a")], []);
  });

  it("round-trips edges and refuses an edge to an unknown node", () => {
    assert.deepEqual(graphOf(Object.keys(diamond), edgesOf(diamond)), diamond);
    assert.throws(() => graphOf(["a"], [{ from: "a", to: "b" }]), /unknown node/);
  });

  it("lists the required orderings a graph does not honor, even transitively", () => {
    const required = [
      { from: "d", to: "a" }, // through b
      { from: "c", to: "b" }, // missing
    ];
    assert.deepEqual(unmet(diamond, required), [{ from: "c", to: "b" }]);
  });

  it("finds a soft ordering on the critical path and what dropping it gains", () => {
    // c needs b only by choice (soft): the hard needs are c -> a and d -> {b, c}.
    const g: Needs = { a: [], b: ["a"], c: ["a", "b"], d: ["b", "c"] };
    const hard = [
      { from: "b", to: "a" },
      { from: "c", to: "a" },
      { from: "d", to: "b" },
      { from: "d", to: "c" },
    ];
    assert.equal(criticalPath(g, dur).seconds, 9); // a 1, b 5, c 2, d 1 in a row
    const found = needlessOrderings(g, hard, dur);
    assert.deepEqual(found, [{ by: "c", edges: [{ from: "c", to: "b" }], gainSeconds: 2 }]);
  });

  it("keeps a hard need that a dropped soft ordering carried transitively", () => {
    // d needs a (hard) but only reaches it through its soft ordering on b.
    const g: Needs = { a: [], b: ["a"], d: ["b"] };
    const times: Record<string, number> = { a: 10, b: 1, d: 1 };
    const found = needlessOrderings(
      g,
      [
        { from: "d", to: "a" },
        { from: "b", to: "a" },
      ],
      (n) => times[n],
    );
    // Without d -> b, d still starts after a: it gains b's 1 s, not a's 10 s.
    assert.deepEqual(found, [{ by: "d", edges: [{ from: "d", to: "b" }], gainSeconds: 1 }]);
  });

  it("drops the soft orderings of one decision together (a component's dependsOn on its children)", () => {
    // x and y are children of component K whose dependsOn names slow; z needs x and y.
    const g: Needs = { slow: [], x: ["slow"], y: ["slow"], z: ["x", "y"] };
    const times: Record<string, number> = { slow: 10, x: 1, y: 1, z: 1 };
    const hard = [
      { from: "z", to: "x" },
      { from: "z", to: "y" },
    ];
    // Per resource nothing gains: freeing x leaves y waiting, and the other way round.
    assert.deepEqual(
      needlessOrderings(g, hard, (n) => times[n]),
      [],
    );
    const byComponent = needlessOrderings(
      g,
      hard,
      (n) => times[n],
      1e-9,
      () => "K",
    );
    assert.equal(byComponent.length, 1);
    assert.equal(byComponent[0].by, "K");
    // x and y no longer wait for slow: z is done at 2 s instead of 12 s, but slow still takes 10 s.
    assert.equal(byComponent[0].gainSeconds, 2);
  });

  it("reports nothing when the recorded graph is the hard graph", () => {
    assert.deepEqual(needlessOrderings(diamond, edgesOf(diamond), dur), []);
  });
});
