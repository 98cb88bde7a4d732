/**
 * Credential rotation windows, shared by the Azure password and the AWS access key.
 *
 * Time is cut into periods of `rotationDays`; the key changes once per period, and a change
 * replaces the credential. Replacements in Pulumi create the new resource first, update what
 * uses it (the cluster Secret) and delete the old one at the end of the same `pulumi up`.
 */

export interface RotationWindow {
  /** Changes once per period; a change replaces the credential (new one first, then the old one goes). */
  key: string;
  /** The credential stays valid for two periods, so one missed `pulumi up` does not stop backups. */
  endDate: string;
}

const DAY_MS = 24 * 3600 * 1000;

export function rotationWindow(now: Date, rotationDays: number): RotationWindow {
  const period = rotationDays * DAY_MS;
  const index = Math.floor(now.getTime() / period);
  return {
    key: `p${rotationDays}d-${index}`,
    endDate: new Date((index + 2) * period).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}
