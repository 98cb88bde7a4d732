/**
 * `npm run dr -- <stack> [--yes]`: a real recovery by Pulumi's Automation API — the preview, a
 * typed confirmation, `pulumi up`; at a gate it prints what to do and waits for the operator, then
 * sets the gate's config key and goes on; the report at the end (reports/<stack>.md and .json).
 */
import { runTool } from "./automation/cli";
import { recover } from "./automation/driver";

void runTool("dr", process.argv.slice(2), ["--yes"], recover).then((code) => {
  process.exitCode = code;
});
