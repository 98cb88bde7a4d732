import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { Registered, resolve, runProgram, stackFileConfig } from "../support/harness";

/**
 * Runs the example stacks under mocks (call from a suite's before(): runProgram sets the mocks
 * and config) and returns what they registered.
 */

export const SOURCE = "example-source-azure";
export const SOURCE_AWS = "example-source-aws";
export const DESTINATION = "example-destination-azure";
const STACKS = path.join(__dirname, "..", "..", "stacks");

export interface SourceRecording {
  resources: Registered[];
  /** Stack outputs, resolved: what a destination's StackReference reads. */
  outputs: Record<string, unknown>;
}

export async function recordSource(stack = SOURCE): Promise<SourceRecording> {
  const { config, secretKeys } = stackFileConfig(stack);
  const run = await runProgram(stack, config, secretKeys);
  if (run.error) throw run.error;
  return {
    resources: run.recorder.resources,
    outputs: (await resolve(run.outputs ?? {})).value as Record<string, unknown>,
  };
}

export function hasDestinationExample(): boolean {
  return existsSync(path.join(STACKS, `Pulumi.${DESTINATION}.yaml`));
}

/** The destination example, its StackReference answered with the source example's outputs. */
export async function recordDestination(source: SourceRecording, stack = DESTINATION): Promise<Registered[]> {
  const file = parseYaml(readFileSync(path.join(STACKS, `Pulumi.${stack}.yaml`), "utf8"));
  const ref: unknown = file?.config?.["velero-dr:source"]?.stack;
  const { config, secretKeys } = stackFileConfig(stack);
  const run = await runProgram(stack, config, secretKeys, {
    stackOutputs: typeof ref === "string" ? { [ref]: source.outputs } : {},
  });
  if (run.error) throw run.error;
  return run.recorder.resources;
}
