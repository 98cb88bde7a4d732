/** A stack's Velero schedules, resolved from config (plain data). */

export interface ScheduleConfig {
  name: string;
  cron: string;
  ttl: string;
  paused: boolean;
  namespaces: string[];
  excludedResources: string[];
}

/** A schedule as alerting sees it: how long a gap between two successful backups may be. */
export interface AlertSchedule {
  name: string;
  /** Longest gap between two runs of the cron, in seconds. */
  periodSeconds: number;
}
