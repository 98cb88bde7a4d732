import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";

export interface Toolchain {
  bin: string;
  plugins: string;
  pluginVersion: string;
  /** The effective pins (drill/versions.env after overrides). */
  pins: Record<string, string>;
}

/** Builds (or finds in the cache) the drill's cluster binaries; fails loudly when they cannot be had. */
export function toolchain(): Toolchain {
  const { bin, pins } = buildToolset([]);
  const pluginVersion = pins.VELERO_PLUGIN_AWS_VERSION;
  if (!pluginVersion) throw new Error(`no VELERO_PLUGIN_AWS_VERSION in ${path.dirname(bin)}/pins.txt`);
  return { bin, plugins: path.join(path.dirname(bin), "plugins"), pluginVersion, pins };
}

/** The engine toolset: the Pulumi CLI and the kubernetes provider plugin (drill/toolchain.sh --engine). */
export function engineToolchain(): { bin: string; pins: Record<string, string> } {
  return buildToolset(["--engine"]);
}

/**
 * The replication toolset: minio-replicate, which sets up MinIO's own bucket replication between
 * two MinIO servers (drill/toolchain.sh --replication, drill/minio-replicate/main.go).
 */
export function replicationToolchain(): { bin: string; pins: Record<string, string> } {
  return buildToolset(["--replication"]);
}

/**
 * The YAML toolset: pulumi-language-yaml, the language host the Pulumi CLI runs a Pulumi YAML
 * program with (drill/toolchain.sh --yaml).
 */
export function yamlToolchain(): { bin: string; pins: Record<string, string> } {
  return buildToolset(["--yaml"]);
}

function buildToolset(args: string[]): { bin: string; pins: Record<string, string> } {
  const r = spawnSync("bash", [path.join(__dirname, "..", "toolchain.sh"), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) {
    throw new Error(
      `the drill toolchain${args.length ? ` (${args.join(" ")})` : ""} could not be built (drill/toolchain.sh exited ${r.status}); see the message above`,
    );
  }
  const bin = r.stdout.trim().split("\n").pop() as string;
  const pins = readFileSync(path.join(path.dirname(bin), "pins.txt"), "utf8");
  const entries = pins
    .split("\n")
    .map((l) => /^([A-Z0-9_]+)=(\S+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]);
  return { bin, pins: Object.fromEntries(entries) };
}
