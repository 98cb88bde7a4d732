/**
 * Public entry `velero-dr/config`: the program's configuration rules as functions of plain data —
 * the whole `velero-dr:*` validation (validateConfig: every key checked and defaulted, a bad value
 * named with its fix) and the pieces a program of its own reuses (a profile's schedules resolved,
 * a cron's longest gap). Importing it registers nothing and reads no config: the caller passes the
 * values.
 */
export { CONFIG_NAMESPACE, resolveSchedules, validateConfig } from "./validate";
export type {
  AlertSchedule,
  AlertingConfig,
  DestinationStackConfig,
  RawConfigInput,
  ScheduleConfig,
  SourceStackConfig,
  StackConfig,
} from "./validate";
export { ConfigError } from "./errors";
export { cronMaxIntervalSeconds } from "./cron";
