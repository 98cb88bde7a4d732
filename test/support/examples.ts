import { exampleStackFile } from "../../components/config/example-stacks";
import { parseValue } from "../../stacks/config";
import { resolve, runProgram, RunResult, stackFileConfig } from "./harness";

export const SOURCE_REF = "organization/velero-dr/example-source-azure";
const DEFAULT_SOURCE = "example-source-azure";

/**
 * The StackReference a destination stack file reads (`velero-dr:source.stack`), or the Azure
 * example's when the file names none (its source outputs are inline).
 */
export function sourceRefOf(config: Record<string, string>): string {
  try {
    const ref = (JSON.parse(config["velero-dr:source"] ?? "{}") as { stack?: unknown }).stack;
    return typeof ref === "string" ? ref : SOURCE_REF;
  } catch {
    return SOURCE_REF;
  }
}

/** The example source stack answering a StackReference: its last path segment when that is an example, else the Azure one. */
export function exampleSourceFor(ref: string): string {
  const name = ref.split("/").pop() as string;
  return exampleStackFile(name) ? name : DEFAULT_SOURCE;
}

/** The example source stack's outputs, as a StackReference would see them (run under mocks). */
export async function exampleSourceOutputs(source = DEFAULT_SOURCE): Promise<Record<string, unknown>> {
  const { config, secretKeys } = stackFileConfig(source);
  const run = await runProgram(source, config, secretKeys);
  if (run.error) throw run.error;
  return (await resolve(run.outputs as Record<string, unknown>)).value;
}

/**
 * Runs a destination stack file under mocks, its StackReference (as named in the stack file)
 * answered by the matching example source stack.
 */
export async function runDestination(
  stack: string,
  edit: (c: Record<string, string>) => void = () => undefined,
  secretKeys: string[] = [],
  opts: {
    preview?: boolean;
    sourceOutputs?: Record<string, unknown>;
    tools?: string[];
    toolScripts?: Record<string, string>;
  } = {},
): Promise<RunResult> {
  const { config, secretKeys: fileSecrets } = stackFileConfig(stack);
  const ref = sourceRefOf(config);
  edit(config);
  const outputs = opts.sourceOutputs ?? (await exampleSourceOutputs(exampleSourceFor(ref)));
  return runProgram(stack, config, [...fileSecrets, ...secretKeys], {
    preview: opts.preview,
    stackOutputs: { [ref]: outputs },
    tools: opts.tools,
    toolScripts: opts.toolScripts,
  });
}

/** An example stack's `velero-dr:` values as the program reads them (keys without the namespace). */
export function exampleConfigValues(stack: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stackFileConfig(stack).config)) {
    if (k.startsWith("velero-dr:")) values[k.slice("velero-dr:".length)] = parseValue(v);
  }
  return values;
}
