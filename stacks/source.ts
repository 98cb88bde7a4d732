import { SourceStackConfig } from "../components/config/validate";
import type { SourceOptions } from "./source-common";

export { BSL_NAME, CREDENTIALS_REVISION_ANNOTATION, VSL_NAME } from "./source-common";
export type { SourceOptions } from "./source-common";

/**
 * The source stack: backup storage, Velero's identity, Velero and its schedules on a running
 * cluster, and the alerts that fire when backups stop. Takes validated config; registers
 * resources; returns the stack outputs.
 *
 * Each cloud's part is loaded only for a stack of that cloud (stacks/source-azure.ts,
 * stacks/source-aws.ts): an Azure stack does not load the AWS provider nor its components, and
 * the other way round. `require` keeps this synchronous, as the callers expect.
 */
export function sourceProgram(cfg: SourceStackConfig, options: SourceOptions = {}): Record<string, unknown> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return cfg.cloud === "aws"
    ? (require("./source-aws") as typeof import("./source-aws")).awsSource(cfg, options)
    : (require("./source-azure") as typeof import("./source-azure")).azureSource(cfg, options);
  /* eslint-enable @typescript-eslint/no-require-imports */
}
