/**
 * Graph math of the RTO simulation, as pure functions on plain data. A graph maps each node to
 * the nodes it waits for ("needs"); a node starts when everything it needs has finished, so with
 * unlimited parallelism the whole graph takes as long as its longest (critical) path.
 */

/** `needs[n]`: the nodes `n` waits for. Every node is a key (with `[]` when it waits for nothing). */
export type Needs = Record<string, string[]>;

/** One "a needs b" ordering. */
export interface Edge {
  from: string;
  to: string;
}

export interface CriticalPath {
  /** Finish time of the last node: how long the graph takes with unlimited parallelism. */
  seconds: number;
  /** The nodes of one longest path, first to last. */
  path: string[];
  /** When each node finishes, from time 0. */
  finish: Record<string, number>;
}

/** Nodes in an order where every node comes after what it needs; throws on a cycle or unknown node. */
export function topologicalOrder(needs: Needs): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (n: string, via: string[]): void => {
    const s = state.get(n);
    if (s === "done") return;
    if (s === "visiting") throw new Error(`dependency cycle: ${[...via, n].join(" -> ")}`);
    if (!(n in needs)) throw new Error(`unknown node ${n} (needed by ${via[via.length - 1] ?? "?"})`);
    state.set(n, "visiting");
    for (const d of needs[n]) visit(d, [...via, n]);
    state.set(n, "done");
    order.push(n);
  };
  for (const n of Object.keys(needs).sort()) visit(n, []);
  return order;
}

/**
 * The longest path through the graph, each node weighted by its duration: the earliest time
 * everything can be done when every node starts as soon as what it needs has finished.
 */
export function criticalPath(needs: Needs, duration: (node: string) => number): CriticalPath {
  const finish: Record<string, number> = {};
  const via: Record<string, string | undefined> = {};
  for (const n of topologicalOrder(needs)) {
    let start = 0;
    let from: string | undefined;
    // Ties go to the lexically first node, so the reported path is stable from run to run.
    for (const d of [...needs[n]].sort()) {
      if (from === undefined || finish[d] > start) {
        start = finish[d];
        from = d;
      }
    }
    const own = duration(n);
    if (!(own >= 0)) throw new Error(`duration of ${n} must be a number >= 0, got ${own}`);
    finish[n] = start + own;
    via[n] = from;
  }
  let last: string | undefined;
  for (const n of Object.keys(finish).sort()) if (last === undefined || finish[n] > finish[last]) last = n;
  const path: string[] = [];
  for (let n = last; n !== undefined; n = via[n]) path.unshift(n);
  return { seconds: last === undefined ? 0 : finish[last], path, finish };
}

/** Everything `node` waits for, directly or through other nodes. */
export function ancestors(needs: Needs, node: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(needs[node] ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(needs[n] ?? []));
  }
  return seen;
}

/** A graph with the given orderings only (over the same nodes). */
export function graphOf(nodes: string[], edges: Edge[]): Needs {
  const needs: Needs = Object.fromEntries(nodes.map((n) => [n, [] as string[]]));
  for (const e of edges) {
    if (!(e.from in needs) || !(e.to in needs)) throw new Error(`edge ${e.from} -> ${e.to}: unknown node`);
    if (!needs[e.from].includes(e.to)) needs[e.from].push(e.to);
  }
  return needs;
}

export function edgesOf(needs: Needs): Edge[] {
  return Object.entries(needs).flatMap(([from, tos]) => tos.map((to) => ({ from, to })));
}

/** The required orderings the graph does not honor, not even through other nodes. */
export function unmet(needs: Needs, required: Edge[]): Edge[] {
  const memo = new Map<string, Set<string>>();
  const anc = (n: string) => {
    if (!memo.has(n)) memo.set(n, ancestors(needs, n));
    return memo.get(n) as Set<string>;
  };
  return required.filter((e) => !anc(e.from).has(e.to));
}

export interface NeedlessOrdering {
  /** Who decided the wait: the resource itself, or the component whose `dependsOn` it inherits. */
  by: string;
  /** The soft orderings dropped together, "a needs b". */
  edges: Edge[];
  /** How much shorter the critical path gets without them, at that point of the greedy search. */
  gainSeconds: number;
}

/**
 * Recorded orderings that are not hard needs and make the graph slower. Soft orderings are
 * dropped in groups, by who decided them (`groupOf`: by default the waiting resource; the stack
 * passes the component whose `dependsOn` a child inherits, since one option orders all its
 * children), always with every hard need enforced, so dropping an ordering never drops a need it
 * carried transitively. Greedy: the group that costs most is dropped first, then the next on
 * what remains (one fix can uncover the next), each with the time it gains at that point. Stops
 * when no group gains more than `minGain`. A gap that only closes when several groups go at once
 * shows in the ratio, not here.
 */
export function needlessOrderings(
  recorded: Needs,
  hard: Edge[],
  duration: (node: string) => number,
  minGain = 1e-9,
  groupOf: (e: Edge) => string = (e) => e.from,
): NeedlessOrdering[] {
  const key = (e: Edge) => `${e.from}\u0000${e.to}`;
  const isHard = new Set(hard.map(key));
  const nodes = Object.keys(recorded);
  let soft = edgesOf(recorded).filter((e) => !isHard.has(key(e)));
  const graphWithout = (dropped: Set<string>) =>
    graphOf(nodes, [...soft.filter((e) => !dropped.has(key(e))), ...hard]);
  let base = criticalPath(graphWithout(new Set()), duration).seconds;
  const out: NeedlessOrdering[] = [];
  for (;;) {
    const groups = new Map<string, Edge[]>();
    for (const e of soft) groups.set(groupOf(e), [...(groups.get(groupOf(e)) ?? []), e]);
    let best: { by: string; edges: Edge[]; seconds: number } | undefined;
    for (const [by, edges] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const seconds = criticalPath(graphWithout(new Set(edges.map(key))), duration).seconds;
      if (base - seconds > minGain && (!best || seconds < best.seconds)) best = { by, edges, seconds };
    }
    if (!best) return out;
    const dropped = new Set(best.edges.map(key));
    out.push({ by: best.by, edges: best.edges, gainSeconds: base - best.seconds });
    soft = soft.filter((e) => !dropped.has(key(e)));
    base = best.seconds;
  }
}
