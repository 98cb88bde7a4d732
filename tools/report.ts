/**
 * `npm run report -- <stack>`: the recovery report of a destination stack's last run (recovery or
 * rehearsal), from its state — Markdown with a Gantt chart of the steps, and JSON
 * (reports/<stack>.md and .json).
 */
import { runTool } from "./automation/cli";
import { reportOnly } from "./automation/driver";

void runTool("report", process.argv.slice(2), [], reportOnly).then((code) => {
  process.exitCode = code;
});
