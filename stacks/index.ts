import { loadStackConfig } from "./config";
import { sourceProgram } from "./source";
import { destinationProgram } from "./destination";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/config/errors";

/**
 * Entry point: validate all configuration first, then run the program for the stack's role.
 * A RunError prints the message without a stack trace, which is what a config problem needs.
 */
export = async (): Promise<Record<string, unknown>> => {
  let cfg;
  try {
    cfg = loadStackConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  return cfg.role === "source" ? sourceProgram(cfg) : destinationProgram(cfg);
};
