import { durationOf, Figures, unmodelled } from "./durations";
import { criticalPath, graphOf, needlessOrderings, NeedlessOrdering, unmet } from "./graph";
import { hardEdges, HardEdge } from "./hard";
import { RecordedGraph } from "./recorded";

/** The simulated RTO of a destination stack's graph under one set of durations (pure). */
export interface RtoAnalysis {
  /** Longest path through the recorded graph: `pulumi up` with unlimited parallelism. */
  achieved: { seconds: number; path: string[] };
  /** Longest path through the hard needs only: what no ordering could beat. */
  unavoidable: { seconds: number; path: string[] };
  /** achieved / unavoidable (1 = nothing waits needlessly). */
  ratio: number;
  /** Every resource one after the other, identity propagation waited for once: the manual runbook. */
  serialSeconds: number;
  /** Hard needs the recorded graph does not honor (must be empty: each one is an ordering bug). */
  unmet: HardEdge[];
  /** Soft orderings that lengthen the achieved path, with what dropping each would gain. */
  needless: NeedlessOrdering[];
  unmodelled: string[];
  resources: { key: string; seconds: number; propagation: number; finish: number }[];
}

export function analyzeRto(g: RecordedGraph, figures: Figures): RtoAnalysis {
  const nodes = Object.values(g.nodes);
  const dur = new Map(nodes.map((n) => [n.key, durationOf(n, figures)]));
  const total = (key: string) => {
    const d = dur.get(key);
    if (!d) throw new Error(`no duration for ${key}`);
    return d.seconds + d.propagation;
  };
  const hard = hardEdges(g);
  const achieved = criticalPath(g.needs, total);
  const unavoidable = criticalPath(graphOf(Object.keys(g.needs), hard), total);
  const propagation = Math.max(0, ...[...dur.values()].map((d) => d.propagation));
  return {
    achieved: { seconds: achieved.seconds, path: achieved.path },
    unavoidable: { seconds: unavoidable.seconds, path: unavoidable.path },
    ratio: unavoidable.seconds === 0 ? 1 : achieved.seconds / unavoidable.seconds,
    serialSeconds: [...dur.values()].reduce((a, d) => a + d.seconds, 0) + propagation,
    unmet: unmet(g.needs, hard).map((e) => e as HardEdge),
    needless: needlessOrderings(g.needs, hard, total, 0.5, (e) => g.origin[e.from]?.[e.to] ?? e.from),
    unmodelled: unmodelled(nodes, figures),
    resources: nodes
      .map((n) => ({
        key: n.key,
        seconds: (dur.get(n.key) as { seconds: number }).seconds,
        propagation: (dur.get(n.key) as { propagation: number }).propagation,
        finish: achieved.finish[n.key],
      }))
      .sort((a, b) => a.finish - b.finish || a.key.localeCompare(b.key)),
  };
}

/** Short label of a graph key for tables: the step id, or the resource name. */
export function label(key: string): string {
  const name = key.slice(key.lastIndexOf("::") + 2);
  return name.startsWith("restore-") && key.startsWith("command:local:Command::") ? name.slice(8) : name;
}
