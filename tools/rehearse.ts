/**
 * `npm run rehearse -- <stack> [--keep] [--gate <key>=<command>]...`: a rehearsal of the recovery
 * (a destination stack with velero-dr:mode rehearsal) by Pulumi's Automation API — `pulumi up`,
 * each gate done by the command given for it, the report (reports/<stack>.md and .json), then
 * `pulumi destroy` unless --keep. Exits non-zero when a step failed or an objective was missed.
 */
import { runTool } from "./automation/cli";
import { rehearse } from "./automation/driver";

void runTool("rehearse", process.argv.slice(2), ["--keep", "--gate"], rehearse).then((code) => {
  process.exitCode = code;
});
