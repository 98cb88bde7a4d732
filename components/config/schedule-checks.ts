import { durationSeconds, humanDuration } from "../model/durations";
import type { ScheduleConfig } from "../model/schedules";
import { cronIntervalsSeconds } from "./cron";

/**
 * Schedules that would leave gaps nobody sees until a restore is needed, refused up front:
 *
 * - a schedule running more often than a backup can complete: Velero 1.10.3 runs one backup at a
 *   time, so runs queue up behind each other and the newest restorable backup falls further and
 *   further behind (the floor is `velero-dr:scheduleFloorMinutes`, 60 by default);
 * - a retention (`ttl`) shorter than the longest gap between two runs: for part of every cycle the
 *   garbage collector has deleted the last backup before the next one exists.
 *
 * `keyOf(i)` names the schedule's config key (`schedules[0]`, or the profile's when none is set).
 */
export function scheduleProblems(
  schedules: ScheduleConfig[],
  floorMinutes: number,
  keyOf: (index: number, leaf: "cron" | "ttl") => string,
): string[] {
  const problems: string[] = [];
  schedules.forEach((s, i) => {
    if (s.paused) return;
    const { min, max } = cronIntervalsSeconds(s.cron);
    if (min < floorMinutes * 60) {
      problems.push(
        `${keyOf(i, "cron")}: got "${s.cron}", which runs as often as every ${humanDuration(min)}; a backup must complete before the next one starts: run it at most every ${humanDuration(floorMinutes * 60)} (velero-dr:scheduleFloorMinutes sets that floor, when your backups are known to be quicker)`,
      );
    }
    if (durationSeconds(s.ttl) < max) {
      problems.push(
        `${keyOf(i, "ttl")}: got "${s.ttl}", shorter than the ${humanDuration(max)} between two runs of "${s.cron}": each backup would be deleted before the next one exists; keep backups at least ${humanDuration(max)} (e.g. ${Math.ceil(max / 3600) * 3}h)`,
      );
    }
  });
  return problems;
}
