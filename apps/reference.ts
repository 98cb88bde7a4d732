import { dashBench } from "./dash-enterprise/bench";
import { runDrill } from "./dash-enterprise/drill/scenario";

/**
 * The reference application: Plotly Dash Enterprise 5, the one `npm run drill` backs up and
 * recovers end to end (the other apps are drilled by `npm run test:drill`) and whose chain the
 * RTO bench (`npm run bench`) simulates.
 */
export const referenceDrill = runDrill;
export const referenceBench = dashBench;
