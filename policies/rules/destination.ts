import {
  PolicyResource,
  StackValidationArgs,
  StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import {
  dependsOnTransitively,
  get,
  isDestinationStack,
  isRecord,
  ofType,
  records,
  show,
  str,
  TOKENS,
  veleroReleases,
} from "./common";

/**
 * The destination stack's restore chain. Contract with stacks/destination.ts: a component
 * `velero-dr:restore:RestoreChain`; one `command:local:Command` per step, its `environment` holding
 * VELERO_DR_STEP_ID and VELERO_DR_STEP_KIND; a step's Command depends on the Commands of the steps
 * it needs. Order is read from those dependencies, transitively, as the engine will run them.
 */

export const STEP_KINDS = [
  "guard",
  "wait",
  "dns-unpublish",
  "restore",
  "promote",
  "dns-publish",
  "repair",
  "gate",
  "verify",
  "health",
] as const;

export interface ChainStep {
  id: string;
  kind: string;
  resource: PolicyResource;
}

function env(r: PolicyResource): unknown {
  return get(r.props, "environment");
}

/** Every Command that declares a step id or kind (a half-declared step is still a step). */
function stepCommands(resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, TOKENS.command).filter((c) => {
    const e = env(c);
    return isRecord(e) && ("VELERO_DR_STEP_ID" in e || "VELERO_DR_STEP_KIND" in e);
  });
}

export function chainSteps(resources: PolicyResource[]): ChainStep[] {
  return stepCommands(resources).map((resource) => ({
    id: str(get(env(resource), "VELERO_DR_STEP_ID")) ?? resource.name,
    kind: str(get(env(resource), "VELERO_DR_STEP_KIND")) ?? "",
    resource,
  }));
}

/**
 * Present and non-empty, or present but not known yet (preview): the value will be there.
 * (UnknownValueError is exported by @pulumi/policy at run time; its declaration is @internal.)
 */
function hasValue(obj: unknown, key: string): boolean {
  if (!isRecord(obj) || !(key in obj)) return false;
  try {
    return (str(obj[key]) ?? "") !== "";
  } catch (e) {
    if (e instanceof UnknownValueError) return true;
    throw e;
  }
}

function label(s: ChainStep): string {
  return `step "${s.id}" (${s.kind || "no kind"})`;
}

/** Runs a destination rule with the chain's steps, or marks it not applicable on other stacks. */
function onDestination(
  check: (steps: ChainStep[], args: StackValidationArgs, report: (m: string, urn?: string) => void) => void,
): StackValidationPolicy["validateStack"] {
  return (args, report) => {
    if (!isDestinationStack(args.resources))
      return args.notApplicable("not a destination stack (no RestoreChain)");
    check(chainSteps(args.resources), args, report);
  };
}

/** Reports each `later` step that does not depend, transitively, on every `earlier` step. */
function requireAfter(
  later: ChainStep[],
  earlier: ChainStep[],
  report: (m: string, urn?: string) => void,
): void {
  for (const l of later) {
    for (const e of earlier.filter((x) => x !== l && !dependsOnTransitively(l.resource, x.resource))) {
      report(`${label(l)} does not depend on ${label(e)}: it could run before it.`, l.resource.urn);
    }
  }
}

export const destinationStepContract: StackValidationPolicy = {
  name: "destination-step-contract",
  description:
    "Every restore step Command declares VELERO_DR_STEP_ID and a known VELERO_DR_STEP_KIND, ids are unique, " +
    "and the chain has steps: the other destination policies can only check what they can recognise.",
  remediationSteps: `Give each step Command both variables; kinds: ${STEP_KINDS.join(", ")}.`,
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: onDestination((steps, _args, report) => {
    if (steps.length === 0) return report("the restore chain has no step Commands (VELERO_DR_STEP_ID/KIND).");
    const seen = new Map<string, ChainStep>();
    for (const s of steps) {
      if (!hasValue(env(s.resource), "VELERO_DR_STEP_ID")) {
        report(
          `Command "${s.resource.name}" has VELERO_DR_STEP_KIND but no VELERO_DR_STEP_ID.`,
          s.resource.urn,
        );
      }
      if (!(STEP_KINDS as readonly string[]).includes(s.kind)) {
        report(
          `${label(s)} has an unknown VELERO_DR_STEP_KIND ${show(s.kind || undefined)}.`,
          s.resource.urn,
        );
      }
      if (seen.has(s.id)) report(`step id "${s.id}" is used by two Commands.`, s.resource.urn);
      seen.set(s.id, s);
    }
  }),
};

export const destinationBslReadOnly: StackValidationPolicy = {
  name: "destination-bsl-read-only",
  description:
    "On a destination, Velero's backup storage location is ReadOnly until the restore is complete: a " +
    "ReadWrite location lets the new cluster's Velero sync, expire or overwrite the very backups being restored.",
  remediationSteps:
    'Install Velero with configuration.backupStorageLocation.accessMode "ReadOnly"; make every promote ' +
    "step (which patches it to ReadWrite) depend on the restore steps.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: onDestination((steps, args, report) => {
    for (const release of veleroReleases(args.resources)) {
      const bsl = get(release.props, "values", "configuration", "backupStorageLocation");
      for (const loc of Array.isArray(bsl) ? records(bsl) : [bsl]) {
        const mode = get(loc, "accessMode");
        if (mode !== "ReadOnly") {
          report(
            `the Velero release installs its backup storage location with accessMode ${show(mode)}, not "ReadOnly".`,
            release.urn,
          );
        }
      }
    }
    const restores = steps.filter((s) => s.kind === "restore");
    const promotes = steps.filter((s) => s.kind === "promote");
    if (promotes.length > 0 && restores.length === 0) {
      promotes.forEach((p) =>
        report(`${label(p)} makes the location ReadWrite but there is no restore step.`, p.resource.urn),
      );
    }
    requireAfter(promotes, restores, report);
  }),
};

export const destinationNotSourceCluster: StackValidationPolicy = {
  name: "destination-not-source-cluster",
  description:
    "A guard step comparing the destination with the source cluster (SOURCE_API_SERVER) runs before every " +
    "other step: restoring over the live source cluster is unsupported and destroys what is left of it.",
  remediationSteps:
    "Add the guard step (components/scripts/guard-different-cluster.sh) and make the first steps need it.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: onDestination((steps, _args, report) => {
    const guards = steps.filter((s) => s.kind === "guard" && hasValue(env(s.resource), "SOURCE_API_SERVER"));
    if (guards.length === 0)
      return report("no guard step with SOURCE_API_SERVER checks that the destination is not the source.");
    for (const s of steps.filter((x) => !guards.includes(x))) {
      if (!guards.some((g) => dependsOnTransitively(s.resource, g.resource))) {
        report(
          `${label(s)} does not depend on the source-cluster guard: it could run against the source.`,
          s.resource.urn,
        );
      }
    }
  }),
};

export const destinationRestoreOrdering: StackValidationPolicy = {
  name: "destination-restore-ordering",
  description:
    "The chain restores before it repairs, verifies or publishes DNS (DNS only after every restore), removes DNS " +
    "only after every guard, and the health check comes last: DNS pointing users at a half-restored " +
    "application, DNS removed for a backup a guard then refuses, or a health check passing before repairs, " +
    "hides a failed recovery.",
  remediationSteps:
    "Make repair and verify steps need a restore step, dns-publish steps need every restore step, " +
    "dns-unpublish steps every guard step, and the health step need all of them.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: onDestination((steps, _args, report) => {
    const of = (...kinds: string[]) => steps.filter((s) => kinds.includes(s.kind));
    const restores = of("restore");
    if (restores.length === 0) return report("the restore chain has no restore step.");
    // A multi-phase restore repairs and verifies what one phase brought back before the next.
    for (const s of of("repair", "verify")) {
      if (!restores.some((r) => dependsOnTransitively(s.resource, r.resource))) {
        report(
          `${label(s)} depends on no restore step: it could run before anything is restored.`,
          s.resource.urn,
        );
      }
    }
    requireAfter(of("dns-publish"), restores, report);
    // Removing the app's DNS changes production: only after every guard (source cluster, app version).
    requireAfter(of("dns-unpublish"), of("guard"), report);
    const health = of("health");
    if (health.length === 0) return report("the restore chain has no health step.");
    requireAfter(health, of("restore", "repair", "verify", "dns-publish"), report);
  }),
};

/**
 * DNS records as resources (Azure DNS; Route 53's, should a provider register them: the route53
 * provider changes records in its steps, which the step kinds already cover).
 */
const DNS_RECORD_TYPES = [
  "azure-native:dns:RecordSet",
  "azure-native:network:RecordSet",
  "aws:route53/record:Record",
];

export const destinationRehearsal: StackValidationPolicy = {
  name: "destination-rehearsal-changes-nothing",
  description:
    "A rehearsal (its Commands carry VELERO_DR_MODE=rehearsal) changes nothing outside its own cluster: no DNS " +
    "step or record, no promotion of the production backup location to ReadWrite, no Schedules writing to it.",
  remediationSteps:
    "Leave velero-dr:dns unset (or provider none), restore.promoteToPrimary and schedules unset in a rehearsal; " +
    "use mode recovery for a real recovery.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: (args, report) => {
    if (!isDestinationStack(args.resources))
      return args.notApplicable("not a destination stack (no RestoreChain)");
    const steps = chainSteps(args.resources);
    const rehearsal = steps.some((s) => str(get(env(s.resource), "VELERO_DR_MODE")) === "rehearsal");
    if (!rehearsal) return args.notApplicable("not a rehearsal (no VELERO_DR_MODE=rehearsal)");
    for (const s of steps.filter((x) => ["dns-unpublish", "dns-publish", "promote"].includes(x.kind))) {
      report(`${label(s)} would change production in a rehearsal.`, s.resource.urn);
    }
    for (const r of args.resources.filter((x) => DNS_RECORD_TYPES.includes(x.type))) {
      report(`DNS record "${r.name}" would change production's DNS in a rehearsal.`, r.urn);
    }
    for (const r of ofType(args.resources, TOKENS.schedule)) {
      report(`Schedule "${r.name}" would write backups to production's location in a rehearsal.`, r.urn);
    }
  },
};

/** A declared value, "" when absent, or undefined while not known yet (preview). */
function declared(r: PolicyResource, name: string): string | undefined {
  try {
    return str(get(env(r), name)) ?? "";
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/** Azure and AWS compare region names ignoring case and spaces. */
const regionName = (s: string) => s.replace(/\s+/g, "").toLowerCase();

export const destinationCrossRegionSnapshots: StackValidationPolicy = {
  name: "destination-no-cross-region-snapshots",
  description:
    "A destination in another region than the source's restores no volume the source backs up only as a disk " +
    "snapshot: a snapshot restores only in its own region (Velero's Azure plugin creates a disk from it only " +
    "there), so those volumes would come back empty. Read from the restore Commands' declarations " +
    "(VELERO_DR_SOURCE_REGION, VELERO_DR_DESTINATION_REGION, VELERO_DR_SNAPSHOT_ONLY_VOLUMES) and, where the " +
    "stack creates the cluster, its location.",
  remediationSteps:
    "Copy the volumes file by file on the source stack (velero-dr:velero.defaultVolumesToFsBackup: true, or " +
    "velero-dr:fsBackup: profile for the profile's listed ones; the node agent comes with it) and restore a " +
    "backup taken since, or restore in the source's region.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: onDestination((steps, args, report) => {
    const clusters = args.resources.filter((r) => r.type === "azure-native:containerservice:ManagedCluster");
    let location: string | undefined;
    try {
      location = clusters.map((c) => str(get(c.props, "location"))).find((l) => l !== undefined);
    } catch (e) {
      if (!(e instanceof UnknownValueError)) throw e;
    }
    for (const s of steps.filter((x) => x.kind === "restore")) {
      const source = declared(s.resource, "VELERO_DR_SOURCE_REGION");
      const destination = location ?? declared(s.resource, "VELERO_DR_DESTINATION_REGION");
      const volumes = declared(s.resource, "VELERO_DR_SNAPSHOT_ONLY_VOLUMES");
      if (!source || !destination || !volumes) continue;
      if (regionName(source) === regionName(destination)) continue;
      report(
        `${label(s)} restores in ${destination} what the source in ${source} backs up only as disk snapshots (${volumes}): ` +
          "a snapshot restores only in its own region, so these volumes would come back empty.",
        s.resource.urn,
      );
    }
  }),
};

export const destinationPolicies = [
  destinationStepContract,
  destinationBslReadOnly,
  destinationNotSourceCluster,
  destinationRestoreOrdering,
  destinationRehearsal,
  destinationCrossRegionSnapshots,
];
