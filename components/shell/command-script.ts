/**
 * The inputs of a `command.local.Command` that runs one of this project's bash scripts.
 *
 * Why the script travels in the environment: when a command fails, @pulumi/command reports
 * `exit status N: running "<command>":` and then the output, so a script passed as the command
 * puts kilobytes of quoted bash in front of the cause. The command is one short line that runs the
 * script from an environment variable instead. The script stays in the resource's inputs, so a
 * changed script still shows in `pulumi preview --diff` and still updates (or, with a trigger,
 * replaces) the resource as before.
 */
import { BASH_INTERPRETER } from "./script";

/** Environment variables that carry each operation's script. */
export const SCRIPT_ENV = {
  create: "VELERO_DR_SCRIPT",
  update: "VELERO_DR_UPDATE_SCRIPT",
  delete: "VELERO_DR_DELETE_SCRIPT",
} as const;

export interface CommandScripts {
  create: string;
  /** Omitted: @pulumi/command runs `create` again on an update. */
  update?: string;
  delete?: string;
}

export interface ScriptCommandArgs {
  create: string;
  update?: string;
  delete?: string;
  interpreter: string[];
  /** To be merged into the Command's `environment`. */
  environment: Record<string, string>;
}

/**
 * `label` becomes the script's `$0`, so bash's own messages read `<label>: line N: …`; it is a
 * constant of the program (a step id or resource name), never user input.
 */
export function scriptCommand(label: string, scripts: CommandScripts): ScriptCommandArgs {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(label))
    throw new Error(`script label ${JSON.stringify(label)}: use [a-z0-9-]`);
  const run = (env: string) => `exec /bin/bash -c "$${env}" ${label}`;
  const environment: Record<string, string> = { [SCRIPT_ENV.create]: scripts.create };
  const out: ScriptCommandArgs = {
    create: run(SCRIPT_ENV.create),
    interpreter: BASH_INTERPRETER,
    environment,
  };
  if (scripts.update !== undefined) {
    if (scripts.update === scripts.create) out.update = out.create;
    else {
      environment[SCRIPT_ENV.update] = scripts.update;
      out.update = run(SCRIPT_ENV.update);
    }
  }
  if (scripts.delete !== undefined) {
    environment[SCRIPT_ENV.delete] = scripts.delete;
    out.delete = run(SCRIPT_ENV.delete);
  }
  return out;
}
