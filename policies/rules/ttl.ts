import { PolicyResource } from "@pulumi/policy";
import { durationSeconds, isGoDuration } from "../generated/model/durations";
import { get, ofType, str, TOKENS, veleroReleases } from "./common";

/** Backup TTLs of the stack's Velero Schedules (storage retention is measured against them). */

export interface LongestTtl {
  /** The Go duration as written (`720h0m0s`). */
  ttl: string;
  hours: number;
  /** Whole days, rounded up: storage retention settings count in days. */
  days: number;
  /** Name of the Schedule it comes from. */
  schedule: string;
}

export function scheduleName(r: PolicyResource): string {
  return str(get(r.props, "metadata", "name")) ?? r.name;
}

/**
 * The longest TTL a backup of this stack can get. A Schedule without `spec.template.ttl` gets the
 * server's default: the Velero release's `configuration.defaultBackupTTL` or `defaultHours`.
 * Unparseable TTLs are skipped here; schedule-ttl-bounds reports them.
 */
export function longestBackupTtl(resources: PolicyResource[], defaultHours: number): LongestTtl | undefined {
  const serverDefault = veleroReleases(resources)
    .map((r) => str(get(r.props, "values", "configuration", "defaultBackupTTL")))
    .find((t): t is string => t !== undefined && isGoDuration(t));
  let longest: LongestTtl | undefined;
  for (const s of ofType(resources, TOKENS.schedule)) {
    const ttl = str(get(s.props, "spec", "template", "ttl")) ?? serverDefault ?? `${defaultHours}h`;
    if (!isGoDuration(ttl)) continue;
    const hours = durationSeconds(ttl) / 3600;
    if (!longest || hours > longest.hours) {
      longest = { ttl, hours, days: Math.ceil(hours / 24), schedule: scheduleName(s) };
    }
  }
  return longest;
}
