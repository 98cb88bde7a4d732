import { resolve, runProgram, RunResult, stackFileConfig } from "./harness";

export const SOURCE_REF = "organization/velero-dr/example-source-azure";

/** The example source stack's outputs, as a StackReference would see them (run under mocks). */
export async function exampleSourceOutputs(): Promise<Record<string, unknown>> {
  const { config, secretKeys } = stackFileConfig("example-source-azure");
  const run = await runProgram("example-source-azure", config, secretKeys);
  if (run.error) throw run.error;
  return (await resolve(run.outputs as Record<string, unknown>)).value;
}

/** Runs a destination stack file under mocks, its StackReference answered by the example source. */
export async function runDestination(
  stack: string,
  edit: (c: Record<string, string>) => void = () => undefined,
  secretKeys: string[] = [],
  opts: { preview?: boolean; sourceOutputs?: Record<string, unknown> } = {},
): Promise<RunResult> {
  const { config, secretKeys: fileSecrets } = stackFileConfig(stack);
  edit(config);
  const outputs = opts.sourceOutputs ?? (await exampleSourceOutputs());
  return runProgram(stack, config, [...fileSecrets, ...secretKeys], {
    preview: opts.preview,
    stackOutputs: { [SOURCE_REF]: outputs },
  });
}
