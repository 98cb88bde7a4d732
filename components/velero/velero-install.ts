import * as pulumi from "@pulumi/pulumi";
import { Namespace, Secret } from "@pulumi/kubernetes/core/v1";
import { Release } from "@pulumi/kubernetes/helm/v3";
import { PriorityClass } from "@pulumi/kubernetes/scheduling/v1";
import { Command } from "@pulumi/command/local";
import { dependsOnWith } from "../options/depends-on";
import { requireKubernetesProvider } from "../options/kubernetes-provider";
import { scriptCommand } from "../shell/command-script";
import { KUBECONFIG_ENV } from "../shell/script";
import { bslCheckScript } from "./checks";
import { buildVeleroValues, CREDENTIALS_SECRET, RELEASE_NAME, VeleroValuesInput } from "./values";

export { CREDENTIALS_SECRET, RELEASE_NAME };

/** Values input of VeleroInstall: everything but the credentials Secret, which the component owns. */
export type VeleroValuesArgs = Omit<VeleroValuesInput, "credentialsSecretName">;

export interface VeleroChartSource {
  version: pulumi.Input<string>;
  /** Helm repository URL (https:// or oci://). Ignored when `path` is set. */
  repository: string;
  /** Local chart directory or archive, for sites without access to the repository. */
  path?: string;
}

/**
 * Resource options (`opts`): the cluster's Kubernetes provider as `provider` (or among `providers`,
 * or a parent's; required: a component without one is refused), and what Velero must wait for as
 * `dependsOn` (passed on to its Kubernetes objects). The Kubernetes objects take the provider from
 * the component (their parent).
 */
export interface VeleroInstallArgs {
  /** Kubeconfig content for the readiness check (secret; reaches the script via env only). */
  kubeconfig: pulumi.Input<string>;
  namespace: string;
  chart: VeleroChartSource;
  /**
   * Helm values input. Plain on a source stack; on a destination the storage coordinates and
   * versions come from the source stack's outputs, so they may be Outputs.
   */
  values: pulumi.Input<VeleroValuesArgs>;
  /** Known up front (they name Kubernetes objects). */
  /** nodeAgent may be known only from the source's outputs (a destination follows the source). */
  settings: { nodeAgent: pulumi.Input<boolean>; priorityClassName: string; bslName: string };
  /** Velero's credentials file content (secret); absent with IRSA (no Secret is created). */
  credentialsFile?: pulumi.Input<string>;
  /** Create the PriorityClass named in values.priorityClassName. */
  createPriorityClass: boolean;
  helmTimeoutSeconds: number;
  /** Wait for the BSL to become Available, failing the update when it does not. */
  bslCheck: { enabled: boolean; timeoutSeconds: number };
}

/**
 * Velero on a cluster: namespace, credentials Secret, priority class, the Helm release, and a
 * check that the backup storage location is usable.
 */
export class VeleroInstall extends pulumi.ComponentResource {
  public readonly release: Release;
  public readonly namespace: string;
  public readonly bslName: string;
  /** The BSL check, when enabled: anything that needs a working Velero depends on `ready`. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: VeleroInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:velero:VeleroInstall", name, {}, opts);
    requireKubernetesProvider(this, `VeleroInstall ${name}`);
    // The Kubernetes provider is the component's (opts.provider/providers), inherited as their parent;
    // its dependsOn is passed on (children do not inherit it).
    const k8sOpts = { parent: this, dependsOn: opts?.dependsOn };

    const ns = new Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: args.namespace,
          // As `velero install` labels it: the node agent mounts host paths.
          labels: pulumi.output(args.settings.nodeAgent).apply((nodeAgent) => ({
            "app.kubernetes.io/managed-by": "velero-dr",
            ...(nodeAgent ? { "pod-security.kubernetes.io/enforce": "privileged" } : {}),
          })),
        },
      },
      k8sOpts,
    );

    const secret =
      args.credentialsFile === undefined
        ? undefined
        : new Secret(
            `${name}-credentials`,
            {
              metadata: {
                name: CREDENTIALS_SECRET,
                namespace: ns.metadata.name,
                labels: { component: "velero" },
              },
              type: "Opaque",
              stringData: { cloud: pulumi.secret(args.credentialsFile) },
            },
            { ...k8sOpts, additionalSecretOutputs: ["data", "stringData"] },
          );

    const deps: pulumi.Resource[] = secret ? [ns, secret] : [ns];
    if (args.createPriorityClass) {
      deps.push(
        new PriorityClass(
          `${name}-priority`,
          {
            metadata: { name: args.settings.priorityClassName },
            value: 1000000,
            globalDefault: false,
            description:
              "Velero must keep running under node pressure: a backup system evicted first protects nothing.",
          },
          k8sOpts,
        ),
      );
    }

    const values = pulumi.output(args.values).apply((v) =>
      buildVeleroValues({
        ...(v as VeleroValuesArgs),
        credentialsSecretName: secret ? CREDENTIALS_SECRET : undefined,
      }),
    );
    this.release = new Release(
      `${name}-release`,
      {
        name: RELEASE_NAME,
        namespace: ns.metadata.name,
        chart: args.chart.path ?? "velero",
        version: args.chart.path ? undefined : args.chart.version,
        repositoryOpts: args.chart.path ? undefined : { repo: args.chart.repository },
        values,
        // Helm waits for the Deployment; the release fails instead of reporting success early.
        skipAwait: false,
        atomic: false,
        cleanupOnFail: true,
        timeout: args.helmTimeoutSeconds,
        maxHistory: 10,
      },
      { ...k8sOpts, dependsOn: dependsOnWith(opts?.dependsOn, ...deps) },
    );

    this.namespace = args.namespace;
    this.bslName = args.settings.bslName;
    this.ready = [this.release];
    if (args.bslCheck.enabled) {
      const run = scriptCommand("bsl-available", { create: bslCheckScript() });
      const check = new Command(
        `${name}-bsl-available`,
        {
          ...run,
          environment: {
            ...run.environment,
            [KUBECONFIG_ENV]: pulumi.secret(args.kubeconfig),
            VELERO_NAMESPACE: args.namespace,
            BSL_NAME: args.settings.bslName,
            BSL_TIMEOUT_SECONDS: String(args.bslCheck.timeoutSeconds),
          },
          // Check again whenever the release or the credentials change.
          triggers: secret
            ? [this.release.status.revision, secret.metadata.resourceVersion]
            : [this.release.status.revision],
          logging: "stdoutAndStderr",
        },
        {
          parent: this,
          dependsOn: secret ? [this.release, secret] : [this.release],
          customTimeouts: { create: `${args.bslCheck.timeoutSeconds + 120}s` },
        },
      );
      this.ready = [check];
    }
    this.registerOutputs({ namespace: this.namespace, releaseStatus: this.release.status });
  }
}
