// GENERATED from components/model/durations.ts by `npm run gen:policy-pack` (tools/policy-pack-sources.ts):
// edit the source, not this copy. The pack must not import outside policies/ (policy publish).
/**
 * Go `time.Duration` strings, as Velero reads them (`ttl`, `backupSyncPeriod`, ...).
 *
 * Velero parses these with Go's `time.ParseDuration`; a value it cannot parse makes the
 * Schedule or Backup fail validation inside the cluster, long after `pulumi up` succeeded.
 * Checking them here turns that late, silent failure into an up-front config error.
 */

const UNIT_SECONDS: Record<string, number> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  us: 1e-6,
  µs: 1e-6,
  ns: 1e-9,
};

const DURATION = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/;
const PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;

/** True when `value` is a positive Go duration such as `720h`, `24h0m0s` or `90m`. */
export function isGoDuration(value: string): boolean {
  return DURATION.test(value) && durationSeconds(value) > 0;
}

/** Seconds in a Go duration string; throws on anything `isGoDuration` rejects. */
export function durationSeconds(value: string): number {
  if (!DURATION.test(value)) {
    throw new Error(`not a Go duration: ${JSON.stringify(value)}`);
  }
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) {
    total += Number(amount) * UNIT_SECONDS[unit];
  }
  return total;
}

/** The canonical form Velero prints (`720h0m0s`), so specs compare equal to what the cluster shows. */
export function canonicalDuration(value: string): string {
  const seconds = Math.round(durationSeconds(value));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  // As Go's time.Duration prints it (what Velero writes back): leading zero units are left out.
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** "25h", "1h30m", "7d2h": how the messages show a number of seconds. */
export function humanDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const parts = [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].filter(Boolean);
  return parts.length > 0 ? parts.join("") : `${seconds}s`;
}
