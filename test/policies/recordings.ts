import { readFileSync } from "fs";
import { parse as parseYaml } from "yaml";
import { exampleStackFile, stackFilePath } from "../../components/config/example-stacks";
import { Registered, resolve, runProgram, stackFileConfig } from "../support/harness";

/**
 * Runs the example stacks under mocks (call from a suite's before(): runProgram sets the mocks
 * and config) and returns what they registered.
 */

export const SOURCE = "example-source-azure";
export const SOURCE_AWS = "example-source-aws";
export const DESTINATION = "example-destination-azure";
export const SOURCE_S3COMPAT = "example-source-s3compat";
export const DESTINATION_S3COMPAT = "example-destination-s3compat";
export const DESTINATION_AWS = "example-destination-aws";

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
  return exampleStackFile(DESTINATION) !== undefined;
}

/** The destination example, its StackReference answered with the source example's outputs. */
export async function recordDestination(source: SourceRecording, stack = DESTINATION): Promise<Registered[]> {
  const file = parseYaml(readFileSync(stackFilePath(stack), "utf8"));
  const ref: unknown = file?.config?.["velero-dr:source"]?.stack;
  const { config, secretKeys } = stackFileConfig(stack);
  const run = await runProgram(stack, config, secretKeys, {
    stackOutputs: typeof ref === "string" ? { [ref]: source.outputs } : {},
  });
  if (run.error) throw run.error;
  return run.recorder.resources;
}
