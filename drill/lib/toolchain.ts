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

/** Builds (or finds in the cache) the drill's binaries; fails loudly when they cannot be had. */
export function toolchain(): Toolchain {
  const r = spawnSync("bash", [path.join(__dirname, "..", "toolchain.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) {
    throw new Error(
      `the drill toolchain could not be built (drill/toolchain.sh exited ${r.status}); see the message above`,
    );
  }
  const bin = r.stdout.trim().split("\n").pop() as string;
  const pins = readFileSync(path.join(path.dirname(bin), "pins.txt"), "utf8");
  const pluginVersion = /VELERO_PLUGIN_AWS_VERSION=(\S+)/.exec(pins)?.[1];
  if (!pluginVersion) throw new Error(`no VELERO_PLUGIN_AWS_VERSION in ${path.dirname(bin)}/pins.txt`);
  const entries = pins
    .split("\n")
    .map((l) => /^([A-Z0-9_]+)=(\S+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]);
  return {
    bin,
    plugins: path.join(path.dirname(bin), "plugins"),
    pluginVersion,
    pins: Object.fromEntries(entries),
  };
}
