import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PROFILE_NAMESPACES } from "../generated/app-profiles";
import { checkVeleroCron } from "../generated/config/cron";
import { durationSeconds, isGoDuration } from "../generated/model/durations";
import {
  arr,
  configOf,
  forTypes,
  get,
  isDestinationStack,
  ofType,
  show,
  str,
  TOKENS,
  veleroReleases,
} from "./common";
import { scheduleName } from "./ttl";

/**
 * Velero Schedules: a schedule that Velero rejects, or that keeps backups too briefly, or misses
 * the application's namespaces, fails silently until the day a restore is needed.
 */

const PROFILE_LABEL = "velero-dr/profile";

export const scheduleValidCron: ResourceValidationPolicy = {
  name: "schedule-valid-cron",
  description:
    "spec.schedule is a cron expression Velero 1.10 accepts (5 fields or @descriptor, UTC, no L/W/#): a " +
    "rejected schedule goes to FailedValidation and never runs, and nobody notices.",
  remediationSteps: 'Use a 5-field cron such as "0 0 * * *" (daily at 00:00 UTC) or "@daily".',
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forTypes([TOKENS.schedule], (props, _args, report) => {
    const cron = get(props, "spec", "schedule");
    if (typeof cron !== "string")
      return report(`spec.schedule is ${show(cron)}; it must be a cron expression.`);
    const check = checkVeleroCron(cron);
    if (!check.ok) report(`spec.schedule "${cron}" is not accepted by Velero 1.10: ${check.reason}.`);
  }),
};

interface TtlBounds {
  minTtlHours: number;
  maxTtlHours: number;
}

const TTL_DEFAULTS: TtlBounds = { minTtlHours: 24, maxTtlHours: 8760 };

export const scheduleTtlBounds: ResourceValidationPolicy = {
  name: "schedule-ttl-bounds",
  description:
    "spec.template.ttl is set and between minTtlHours and maxTtlHours: too short and a problem noticed late " +
    "has no backup left to restore from; too long and storage grows without bound.",
  remediationSteps:
    "Set the schedule's ttl (velero-dr:schedules[].ttl) to a Go duration within the bounds, e.g. 720h.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minTtlHours: {
        type: "number",
        minimum: 1,
        default: TTL_DEFAULTS.minTtlHours,
        description: "shortest TTL",
      },
      maxTtlHours: {
        type: "number",
        minimum: 1,
        default: TTL_DEFAULTS.maxTtlHours,
        description: "longest TTL",
      },
    },
  },
  validateResource: forTypes([TOKENS.schedule], (props, args, report) => {
    const { minTtlHours, maxTtlHours } = configOf<TtlBounds>(args, TTL_DEFAULTS);
    const ttl = get(props, "spec", "template", "ttl");
    if (typeof ttl !== "string" || !isGoDuration(ttl)) {
      return report(
        `spec.template.ttl is ${show(ttl)}; set a Go duration (e.g. "720h") so retention is explicit.`,
      );
    }
    const hours = durationSeconds(ttl) / 3600;
    if (hours < minTtlHours || hours > maxTtlHours) {
      report(`spec.template.ttl ${ttl} (${hours}h) is outside ${minTtlHours}h-${maxTtlHours}h.`);
    }
  }),
};

export const scheduleProfileNamespaces: ResourceValidationPolicy = {
  name: "schedule-profile-namespaces",
  description:
    "A Schedule labelled velero-dr/profile backs up every namespace its app profile requires: a backup " +
    "without one of them restores an application that cannot start.",
  remediationSteps:
    "Include the profile's namespaces (apps/<name>) in velero-dr:namespaces or the schedule's namespaces.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forTypes([TOKENS.schedule], (props, args, report) => {
    const name = str(get(props, "metadata", "labels", PROFILE_LABEL));
    if (!name) return args.notApplicable(`no ${PROFILE_LABEL} label`);
    const namespaces = Object.prototype.hasOwnProperty.call(PROFILE_NAMESPACES, name)
      ? PROFILE_NAMESPACES[name]
      : undefined;
    if (!namespaces) return report(`label ${PROFILE_LABEL} names an unknown profile "${name}".`);
    const included = arr(get(props, "spec", "template", "includedNamespaces")).map(String);
    const excluded = arr(get(props, "spec", "template", "excludedNamespaces")).map(String);
    // Velero backs up every namespace when the list is empty or holds "*".
    const all = included.length === 0 || included.includes("*");
    const missing = namespaces.filter((ns) => (!all && !included.includes(ns)) || excluded.includes(ns));
    if (missing.length > 0) {
      report(`profile "${name}" needs namespaces the schedule does not back up: ${missing.join(", ")}.`);
    }
  }),
};

export const scheduleNoOwnerReferences: ResourceValidationPolicy = {
  name: "schedule-no-owner-references",
  description:
    "useOwnerReferencesInBackup is not true: with it, backups are owned by the Schedule, and deleting or " +
    "re-creating the Schedule (as a restore into a new cluster does) garbage-collects them (velero #4093).",
  remediationSteps: "Set spec.useOwnerReferencesInBackup: false (components/velero/specs.ts does).",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: forTypes([TOKENS.schedule], (props, _args, report) => {
    if (get(props, "spec", "useOwnerReferencesInBackup") === true) {
      report("spec.useOwnerReferencesInBackup is true: backups would be deleted with the Schedule.");
    }
  }),
};

export const scheduleExistsOnSource: StackValidationPolicy = {
  name: "schedule-exists-on-source",
  description:
    "A source stack (a Velero release and no restore chain) has at least one unpaused Schedule: Velero " +
    "without a schedule takes no backups.",
  remediationSteps: "Configure velero-dr:schedules (or keep the profile's) and do not pause all of them.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: (args, report) => {
    if (veleroReleases(args.resources).length === 0)
      return args.notApplicable("no Velero release in this stack");
    if (isDestinationStack(args.resources)) return args.notApplicable("destination stack (it restores)");
    const schedules = ofType(args.resources, TOKENS.schedule);
    if (schedules.length === 0)
      return report("this source stack has no Velero Schedule: no backups are taken.");
    if (schedules.every((s) => get(s.props, "spec", "paused") === true)) {
      report(`every Schedule is paused (${schedules.map(scheduleName).join(", ")}): no backups are taken.`);
    }
  },
};

export const schedulePolicies = [
  scheduleValidCron,
  scheduleTtlBounds,
  scheduleProfileNamespaces,
  scheduleNoOwnerReferences,
  scheduleExistsOnSource,
];
