import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config";
import { ConfigError } from "../components/config/errors";

/**
 * Entry point: validate all configuration first, then run the program for the stack's role.
 * A RunError prints the message without a stack trace, which is what a config problem needs.
 *
 * Only the role's program is loaded (and, for a source, only its cloud's part): a destination
 * does not load the source's storage, identity and alerting code, nor a source the restore chain.
 */
export = async (): Promise<Record<string, unknown>> => {
  let cfg;
  try {
    cfg = loadStackConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  if (cfg.role === "source") {
    const { sourceProgram } = await import("./source");
    return sourceProgram(cfg);
  }
  const { destinationProgram } = await import("./destination");
  return destinationProgram(cfg);
};
