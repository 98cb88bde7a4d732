import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { RawSourceConfig } from "../config/schema";
import type { RawDestinationConfig, SourceOutputs } from "../config/destination-schema";
import type { DestinationStackConfig, SourceCommon } from "../config/validate";
import type { PreflightContext, PreflightFinding } from "../model/preflight";
import type { TargetOffer } from "../targets";
import type { TargetCluster, TargetContext, TargetDescribeContext, TargetIssue } from "../targets/target";
import type { VeleroValuesArgs } from "../velero/velero-install";

/**
 * A storage backend: where a source stack writes its backups and a destination reads them
 * (`velero-dr:cloud`). Each backend is one folder of components/backends (its config part in
 * `index.ts`, its Pulumi code in `source.ts` / `destination.ts`) and one line of the registry
 * (components/backends/index.ts). Validation, the source stack and the destination stack ask the
 * backend; nothing else branches on the cloud. The config part is plain data and zod; the Pulumi
 * code is loaded only through `source()` / `destination.load()`, so a stack loads its backend's
 * SDK only.
 */

/** The backend's part of Velero's Helm values: plugin, locations, identity annotations. */
export type BackendValues = Pick<VeleroValuesArgs, "provider" | "pluginImage" | "bsl"> &
  Partial<Pick<VeleroValuesArgs, "vsl" | "serviceAccountAnnotations" | "podAnnotations">>;

/**
 * A key the program knows that means nothing on this backend's stacks: refused, naming why, when
 * it is set (`when`: only for such values), so no setting is silently ignored.
 */
export interface RefusedKey {
  why: string;
  when?: (value: unknown) => boolean;
}

export interface SourceOptions {
  /** Clock for credential rotation (tests pass a fixed date). */
  now?: Date;
}

/** What resolving a source's backend settings may need: the stack, the longest TTL, where to report. */
export interface ResolveContext {
  stack: string;
  /** The longest schedule TTL, in seconds (retention locks must cover it). */
  longestTtlSeconds: number;
  /** Problems found while resolving (full messages, `velero-dr:<key>: ...`). */
  problems: string[];
}

export interface StorageBackend<C extends { cloud: string } = { cloud: string }> extends TargetOffer {
  /** `velero-dr:cloud` value; the backend's key in the registry and its settings' key. */
  name: C["cloud"];
  /** How messages name it ("Azure", "AWS"). */
  label: string;
  /** Schema of its settings, `velero-dr:<name>` (required on a stack of this cloud, refused on others). */
  section: z.ZodType;
  /** The settings' main keys, for "is required; expected a map of settings (<keys>) with cloud <name>". */
  sectionKeys: string;
  /** `storage.*` keys only this backend reads: refused on another backend's stack. */
  storageKeys: Record<string, z.ZodType>;
  /** Appended to "applies to cloud <other> only; remove it" for such a key on this backend's stack. */
  storageHint?: string;
  /** The Velero plugin image and its tag when `velero.pluginVersion` is not set. */
  pluginImage: string;
  defaultPluginVersion: string;
  /**
   * Whether the backend has a volume snapshot location: without one, Schedules take no volume
   * snapshots and name no location.
   */
  volumeSnapshots: boolean;
  /**
   * Whether Velero's file-system backup (the node agent) is supported on this backend's stacks:
   * where it is not, an app profile's fs-backup default does not apply (its volumes stay as the
   * backend backs them up) and the keys that ask for it are refused by the backend's checks.
   */
  fileSystemBackup: boolean;
  /**
   * Top-level secret config keys the backend reads (`velero-dr:<key>`, set with
   * `pulumi config set --secret`), with their schema; each is also listed in SECRET_KEYS
   * (components/config/validate.ts), so plain text is refused.
   */
  secretKeys?: Record<string, { schema: z.ZodType; /** How to set it, for "is required". */ set: string }>;
  /** Keys (dotted, under `velero-dr:`) refused on this backend's stacks, by role. */
  refusedKeys?: Partial<Record<"source" | "destination", Record<string, RefusedKey>>>;
  /** The backend's own rules on a parsed source config (beyond its section's schema). */
  checkSource?(c: RawSourceConfig): TargetIssue[];
  /** The validated, defaulted source config of this backend. */
  resolveSource(raw: RawSourceConfig, common: SourceCommon, ctx: ResolveContext): C;
  /** The source stack's part (loads the backend's Pulumi code). */
  source(): SourceBackend<C>;
  /** The destination's read side; absent: a destination cannot restore from this backend yet. */
  destination?: DestinationSupport;
}

export interface SourceBackend<C> {
  /** Starts the backend's part of a source stack (AWS: the explicit provider everything uses). */
  begin(cfg: C, options: SourceOptions): SourceBackendRun;
}

export interface SourceBackendRun {
  /** What a target of this backend's cloud needs to open (AWS: the provider, for EKS). */
  targetContext: Pick<TargetContext, "azure" | "aws">;
  /**
   * The storage, Velero's identity and credentials, the storage-side alert, given the opened
   * cluster. `values` completes the backend's Helm values with the cloud-neutral settings.
   */
  build(cluster: TargetCluster, values: (backend: BackendValues) => VeleroValuesArgs): SourceBackendParts;
}

export interface SourceBackendParts {
  /** What Velero's install waits for; none when the stack creates no storage (an existing bucket). */
  storage?: pulumi.Resource;
  /** Velero's Helm values. */
  values: pulumi.Input<VeleroValuesArgs>;
  /** The credentials file of Velero's Secret; none with a workload identity. */
  credentialsFile: pulumi.Input<string> | undefined;
  /**
   * The stack outputs of the backend: its own sections (e.g. `azure`, `storage`, `identity`), what
   * it reports of the cluster, and the storage-side alert (`alerting`, without the in-cluster rule).
   */
  outputs: {
    cluster: Record<string, unknown>;
    alerting: Record<string, unknown>;
    [section: string]: unknown;
  };
}

export interface DestinationSupport {
  /** The source stack's outputs this backend reads (keys of the outputs' schema). */
  sourceOutputKeys: Record<string, z.ZodType>;
  /** The destination's own settings, `velero-dr:<name>` (required when `sectionRequired`). */
  section: z.ZodType;
  sectionRequired: boolean;
  /**
   * Who declares the replica a destination may read (`backup.location`): `outputs` (the default:
   * the source stack creates it and exports it as `storage.replica`, e.g. Azure object
   * replication) or `destination` (the store replicates on its own and the destination's settings
   * name the replica; its `check` refuses `replica` without them).
   */
  replicaDeclaredBy?: "outputs" | "destination";
  /** The backend's rules on a parsed destination config (beyond its section's schema). */
  check?(c: RawDestinationConfig): TargetIssue[];
  /**
   * The source's and the destination's regions, where the backend has regions that matter to a
   * restore (disk snapshots restore only in theirs): the cross-region guard compares them. `key`
   * is the destination's config key that sets its region (e.g. `azure.location`).
   */
  regions?: {
    key: string;
    /** From the source's outputs; undefined where they do not say (outputs of an older source). */
    source(outputs: SourceOutputs): string | undefined;
    destination(c: RawDestinationConfig): string;
    /** Where the source's region is in its outputs, for a message (`source.outputs.<path>`). */
    sourceOutputPath: string;
  };
  /**
   * The source's replica in the recovery region, where its outputs name one (`where`: how messages
   * name it, e.g. "`<bucket>` (<region>)"); undefined without one. A backend without replicas
   * leaves it out (and refuses `backup.location`). Where Velero reads, the default and the
   * refusals are decided for every backend alike (kit/read-location.ts).
   */
  replica?(source: SourceOutputs, cfg?: object): { where: string } | undefined;
  /** Its rules on the source's outputs typed in, once they parsed (paths under `source.outputs`). */
  checkSourceOutputs?(outputs: SourceOutputs): TargetIssue[];
  /**
   * Checks on the machine of `pulumi up` before a destination registers anything (e.g. that the
   * cloud's providers have credentials); see components/model/preflight.ts.
   */
  preflight?(cfg: DestinationStackConfig, ctx: PreflightContext): PreflightFinding[];
  /** What a destination target of this backend's cloud needs to open (Azure: the location of a new AKS). */
  targetContext(cfg: DestinationStackConfig): Pick<TargetContext, "azure">;
  /** What the runbook's description of a target of this cloud reads beyond `targetContext` (AWS: region, account). */
  describeContext?(cfg: DestinationStackConfig): Pick<TargetDescribeContext, "aws">;
  /**
   * Velero's identity cannot write the backup storage while the restore runs: its upload of the
   * restore's log and results is refused, which the restore step then accepts as the restore's one
   * error (declared on the restore Commands, READ_ONLY_STORAGE_ENV).
   */
  readOnlyRestore?: boolean;
  /**
   * The BSL/VSL values on a destination, from the source's outputs (plain data: the stack and the
   * runbook).
   */
  locations(source: SourceOutputs, cfg: DestinationStackConfig): DestinationLocations;
  /**
   * Velero's identity on the destination as the runbook describes it (never a secret value): what
   * the stack creates or uses, with its values. `nodeResourceGroup`: the target's, where known.
   */
  describeAccess(args: {
    cfg: DestinationStackConfig;
    source: SourceOutputs;
    nodeResourceGroup?: string;
  }): AccessDescription;
  /** The destination's Pulumi code of the backend. */
  load(): DestinationBackend;
}

/** The backend's BSL/VSL values on a destination, from the source's outputs. */
export interface DestinationLocations {
  provider: VeleroValuesArgs["provider"];
  pluginImage: string;
  bsl: { bucket: string; prefix?: string; config: Record<string, string> };
  /** None: the backend takes no volume snapshots. */
  vsl?: { config: Record<string, string> };
  /**
   * A workload identity: the annotations of Velero's service account (AWS: the IRSA role's ARN),
   * and no credentials Secret.
   */
  serviceAccountAnnotations?: Record<string, string>;
}

/** Velero's identity on the destination for the runbook: a sentence, rows of values, commands. */
export interface AccessDescription {
  summary: string;
  rows: [string, string][];
  /** What to do by hand (shell lines with the runbook's variables), after `summary` and `rows`. */
  commands?: string[];
}

/** Velero's identity on the destination, and what a step using a permission waits for. */
export interface DestinationAccess {
  /** Velero's credentials file (not waiting for any grant; secret). */
  credentialsFile: pulumi.Input<string> | undefined;
  /** What the location's readiness waits for. */
  storageAccess: pulumi.Resource[];
  /** What the restore waits for (every grant). */
  restoreAccess: pulumi.Resource[];
  /** Annotations of Velero's service account (a workload identity: the role it assumes). */
  serviceAccountAnnotations?: pulumi.Input<Record<string, string>>;
}

export interface DestinationBackend {
  /**
   * What a target of this backend's cloud needs that is itself a resource (AWS: the stack's
   * explicit provider), created once, after the pre-flight checks.
   */
  context?(cfg: DestinationStackConfig): Pick<TargetContext, "aws">;
  /**
   * Velero's identity on the destination, created once when first asked. `after`: what it waits
   * for (the guard, on a cluster that already exists and may yet be the source).
   */
  access(args: {
    cfg: DestinationStackConfig;
    source: pulumi.Output<SourceOutputs>;
    target: TargetCluster;
    now?: Date;
    after: pulumi.Input<pulumi.Resource>[];
    /** What `context` created. */
    context: Pick<TargetContext, "aws">;
    /** The tags of what the destination creates in the cloud. */
    tags: Record<string, string>;
  }): DestinationAccess;
  /**
   * Promotion's grants: write access for the destination's own backups, only to the location it
   * will write, created once the restore is done (`after`); the Schedules wait for them. None: the
   * identity could write from the start (the location's ReadOnly mode held it back).
   */
  promote?(args: {
    cfg: DestinationStackConfig;
    source: pulumi.Output<SourceOutputs>;
    context: Pick<TargetContext, "aws">;
    after: pulumi.Input<pulumi.Resource>[];
    tags: Record<string, string>;
  }): pulumi.Resource[];
}
