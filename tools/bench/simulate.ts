import { runDestination } from "../../test/support/examples";
import { DEFAULT_FIGURES, Figures, withOverrides } from "./durations";
import { buildGraph, RecordedGraph } from "./recorded";
import { analyzeRto, RtoAnalysis } from "./rto";

export const DESTINATION_EXAMPLE = "example-destination-azure";

/** The destination example's recorded graph: run under mocks, its StackReference answered by the source example. */
export async function recordDestination(stack = DESTINATION_EXAMPLE): Promise<RecordedGraph> {
  const run = await runDestination(stack);
  if (run.error) throw run.error;
  if (run.asyncErrors.length > 0) throw run.asyncErrors[0];
  return buildGraph(run.recorder.resources);
}

export interface Scenario {
  name: string;
  what: string;
  figures: Figures;
}

/**
 * The durations the simulation runs with: the defaults (with the user's overrides), and the same
 * with Azure AD / RBAC propagation at the 10 minutes Microsoft documents as the upper bound.
 */
export function scenarios(overrides: Partial<Record<string, number>>): Scenario[] {
  const typical = withOverrides(overrides);
  return [
    { name: "typical", what: "default durations (tools/bench/durations.ts)", figures: typical },
    {
      name: "slow-propagation",
      what: "identity propagation 600 s (the 10 minutes Microsoft documents for role assignments)",
      figures: {
        ...typical,
        identityPropagation: {
          seconds: 600,
          source: `upper bound; ${DEFAULT_FIGURES.identityPropagation.source}`,
        },
      },
    },
  ];
}

export interface SimulationResult {
  stack: string;
  resources: number;
  scenarios: (RtoAnalysis & { name: string; what: string })[];
}

export async function simulate(overrides: Partial<Record<string, number>>): Promise<SimulationResult> {
  const g = await recordDestination();
  return {
    stack: DESTINATION_EXAMPLE,
    resources: Object.keys(g.nodes).length,
    scenarios: scenarios(overrides).map((s) => ({ name: s.name, what: s.what, ...analyzeRto(g, s.figures) })),
  };
}
