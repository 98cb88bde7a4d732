import { Prerequisites } from "../model/profile";
import { scriptBody } from "../shell/body";
import { Step } from "./step";
import { GUARD } from "./velero-steps";

export const PREREQUISITES = "check-prerequisites";

/** The step's names and CRDs travel as lines of "<name> <crd>": neither may hold a blank. */
const ITEM = /^[a-z0-9][a-z0-9.-]*$/;

/**
 * Checks that the new cluster runs the supporting software the application's profile lists, and
 * stops with the vendor's instructions when it does not (a gate: install, or confirm by config).
 */
export function prerequisitesStep(p: Prerequisites, confirmed: boolean): Step {
  for (const item of p.items) {
    if (!ITEM.test(item.name) || !ITEM.test(item.crd)) {
      throw new Error(`prerequisite ${JSON.stringify(item.name)}: name and crd must match ${ITEM}`);
    }
  }
  return {
    id: PREREQUISITES,
    title: `Check the supporting software: ${p.items.map((i) => i.name).join(", ")}`,
    why: `The backup does not hold it; the application needs it (${p.items.map((i) => `${i.name}: ${i.why}`).join("; ")}).`,
    kind: "gate",
    script: {
      kubeconfig: true,
      env: ["PREREQ_ITEMS", "PREREQ_INSTRUCTIONS", "PREREQ_CONFIRMED"],
      body: scriptBody("check-prerequisites"),
    },
    vars: {
      PREREQ_ITEMS: p.items.map((i) => `${i.name} ${i.crd}`).join("\n"),
      PREREQ_INSTRUCTIONS: p.instructions.join("\n"),
      PREREQ_CONFIRMED: String(confirmed),
    },
    needs: [GUARD],
    timeoutSeconds: 120,
    retry: { attempts: 1, delaySeconds: 0 },
    gate: { instructions: p.instructions, continueKey: "velero-dr:restore.prerequisitesConfirmed" },
    expected: `kubectl get crd lists ${p.items.map((i) => i.crd).join(", ")}.`,
  };
}
