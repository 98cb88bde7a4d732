import type * as pulumi from "@pulumi/pulumi";
import type { Provider } from "@pulumi/kubernetes/provider";
import type { PreflightContext, PreflightFinding } from "../model/preflight";

/**
 * A cluster target: the cluster a stack works on (a source's cluster to back up, a destination's
 * cluster to restore into). Each target is one file of this folder and one line of the registry
 * (index.ts); `selectTarget` there is the one place that picks a target from the configuration.
 * A target's Pulumi code is loaded only when it is opened (`require` inside `open`), so an AWS
 * stack never loads the Azure SDK for an AKS target, nor the other way round.
 */

export type TargetRole = "source" | "destination";

/** A new cluster's settings (`cluster.create` of a destination). */
export interface CreateClusterKeys {
  resourceGroupName?: string;
  name?: string;
  kubernetesVersion: string;
  /** Unset in the stack: resolved from the app's vendor sizing (SizedCreateCluster). */
  nodeVmSize?: string;
  nodeCount?: number;
  availabilityZones?: ("1" | "2" | "3")[];
  nodeResourceGroup?: string;
}

/** `cluster.create` with its node pool resolved (the stack's keys, else the vendor's, else generic). */
export interface SizedCreateCluster extends CreateClusterKeys {
  nodeVmSize: string;
  nodeCount: number;
}

/** A new EKS cluster's settings (`cluster.createEks` of an AWS destination). */
export interface CreateEksKeys {
  name?: string;
  kubernetesVersion: string;
  /** Existing subnets of the site's VPC (two availability zones at least). */
  subnetIds: string[];
  /** Unset in the stack: resolved from the app's vendor sizing (SizedCreateEks). */
  instanceType?: string;
  nodeCount?: number;
}

/** `cluster.createEks` with its node group resolved. */
export interface SizedCreateEks extends CreateEksKeys {
  instanceType: string;
  nodeCount: number;
}

/** The configuration every target reads from: `velero-dr:cluster` and the `kubeconfig` secret. */
export interface TargetKeys {
  cluster: {
    create?: CreateClusterKeys;
    aksName?: string;
    aksResourceGroup?: string;
    nodeResourceGroup?: string;
    eksName?: string;
    createEks?: CreateEksKeys;
  };
  kubeconfig?: string;
}

/** What a stack gets from its target: everything the Velero install and the steps need. */
export interface TargetCluster {
  /** Kubernetes provider for the cluster. */
  provider: Provider;
  /** Kubeconfig content. Secret. */
  kubeconfig: pulumi.Output<string>;
  /** API server URL (not secret): the guard compares it with the source's. */
  apiServer: pulumi.Output<string>;
  /** The node resource group (AKS); undefined where the cloud has none. */
  nodeResourceGroup: pulumi.Output<string>;
  /** The cluster's Kubernetes version, where the target knows it. */
  kubernetesVersion: pulumi.Output<string | undefined>;
  /** UID of kube-system: the cluster's identity, whatever address it is reached at. */
  uid: pulumi.Output<string>;
  /** A cluster this stack creates: it cannot be the source cluster. */
  created: boolean;
  /** The cluster's IAM OIDC provider, where the target knows it (EKS: what IRSA roles trust). */
  oidcProviderArn?: pulumi.Output<string>;
}

/** What opening a target may need besides its own keys (each cloud's part is set by its backend). */
export interface TargetContext extends TargetKeys {
  cluster: TargetKeys["cluster"] & { create?: SizedCreateCluster; createEks?: SizedCreateEks };
  stack: string;
  tags: Record<string, string>;
  /** A destination: the source cluster's Kubernetes version (a new cluster must not be older). */
  sourceKubernetesVersion?: pulumi.Output<string | undefined>;
  /**
   * A destination: what everything the target creates waits for (the source's outputs read
   * through a stack reference, and checked), so that a refusal leaves nothing created.
   */
  after?: pulumi.Input<pulumi.Resource>[];
  /** Azure: where a new cluster goes (region; the stack's subscription, velero-dr:azure.subscriptionId). */
  azure?: { location: string; subscriptionId?: string };
  /**
   * AWS: the stack's explicit provider and region; the OIDC issuer Velero's IRSA trust names (a
   * source); the account and arn partition (a destination: its cluster's OIDC provider's ARN).
   */
  aws?: {
    provider: pulumi.ProviderResource;
    region: string;
    oidcIssuer?: string;
    accountId?: string;
    partition?: string;
  };
}

/** What the runbook's description of a destination's target reads (plain values, no Pulumi). */
export interface TargetDescribeContext {
  cluster: TargetContext["cluster"];
  stack: string;
  tags: Record<string, string>;
  azure?: { location: string };
  aws?: { region: string; accountId: string };
  /** The source cluster's Kubernetes version, or where to find it. */
  sourceKubernetesVersion: string;
}

/** A target as the runbook describes it: a sentence, values, and what to do by hand. */
export interface TargetDescription {
  summary: string;
  rows: [string, string][];
  /** Shell lines with the runbook's exported variables (KUBECONFIG: where the kubeconfig goes). */
  commands?: string[];
  /** The node resource group Velero creates disks in, where the configuration says it. */
  nodeResourceGroup?: string;
}

/** The source cluster as the source stack's outputs name it. */
export interface SourceCluster {
  apiServer: string;
  aksName?: string;
  aksResourceGroup?: string;
  /** EKS: the source cluster's name, where its outputs say. */
  eksName?: string;
  /** The source's Kubernetes version (e.g. 1.29.7), where its outputs say. */
  kubernetesVersion?: string;
}

/**
 * Whether Kubernetes `version` (1.29 or 1.29.7) is an older minor than the source's `source`
 * (Velero restores only into the same or a newer minor); false where either is unknown.
 */
export function olderKubernetes(version: string, source: string | undefined): boolean {
  const minor = (v: string) => /^v?(\d+)\.(\d+)/.exec(v)?.slice(1, 3).map(Number);
  const a = minor(version);
  const b = source ? minor(source) : undefined;
  if (!a || !b) return false;
  return a[0] !== b[0] ? a[0] < b[0] : a[1] < b[1];
}

/** Azure resource names (groups, clusters) are case-insensitive: "RG-Dash" is "rg-dash". */
export function sameAzureName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a !== "" && a.toLowerCase() === b.toLowerCase();
}

/** A configuration problem: the key (path under `velero-dr:`) and what to set. */
export interface TargetIssue {
  path: (string | number)[];
  message: string;
}

export interface ClusterTarget<N extends string = string> {
  /** The target's name in the registry (and in the stack's backend's list of targets). */
  name: N;
  /** The cloud whose API finds the cluster; none: any cluster (a kubeconfig). */
  cloud?: string;
  /**
   * `cluster.*` keys that only mean something with this target's cloud: on another cloud's stack
   * each is refused with that stack's backend's hint.
   */
  cloudKeys: string[];
  /** Where a "choose one" problem points (e.g. `["kubeconfig"]`). */
  path: (string | number)[];
  /** Whether the configuration asks for this target. */
  chosen(c: TargetKeys, role: TargetRole): boolean;
  /** How the selection messages name it: "no cluster access: set <hint>". */
  hint: string;
  /** "set either <short> or <short>, not both". */
  short: string;
  /** "choose exactly one target: <choice>, <choice> or <choice>". */
  choice: string;
  /** The target's own rules (keys that go together, ...). */
  check?(c: TargetKeys): TargetIssue[];
  /**
   * Problems found once the config parsed (full messages): a kubeconfig that is no kubeconfig; on a
   * destination, a target that is the source's cluster (from the source's outputs, when typed in).
   */
  checkResolved?(
    c: TargetKeys,
    source: SourceCluster | undefined,
    redacted: string[],
    stack: string,
  ): string[];
  /**
   * Checks on the machine of `pulumi up` before a destination registers anything (a new cluster:
   * the quota its nodes draw on); see components/model/preflight.ts.
   */
  preflight?(ctx: Pick<TargetContext, "cluster" | "azure">, pctx: PreflightContext): PreflightFinding[];
  /** Registers (or reads) the cluster. Loads the target's Pulumi code. */
  open(ctx: TargetContext): TargetCluster;
  /** The target as a destination's runbook shows it (none: a source-only target). */
  describe?(ctx: TargetDescribeContext): TargetDescription;
}
