import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "fs";
import * as path from "path";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Command } from "@pulumi/command/local";
import { scriptCommand } from "../shell/command-script";
import { buildScript, KUBECONFIG_ENV, ScriptSpec } from "../shell/script";
import { MANAGED_BY_LABELS } from "../velero/specs";
import { PrometheusRuleSpec, RULE_GROUP } from "./alert-rules";
import { requireKubernetesProvider } from "../options/kubernetes-provider";

/**
 * The script of `alerting.prometheusRule: auto`. Its body is a .sh file beside this module, so
 * it reads (and shellchecks) as shell; every value arrives through the environment.
 */
export const PROMETHEUS_RULE_SCRIPT: ScriptSpec = {
  kubeconfig: true,
  env: ["VELERO_NAMESPACE", "PROMETHEUS_RULE_NAME", "PROMETHEUS_RULE_MANIFEST"],
  optionalEnv: ["VELERO_DR_DELETE"],
  body: readFileSync(path.join(__dirname, "prometheus-rule.sh"), "utf8"),
};

export const prometheusRuleScript = (): string => buildScript(PROMETHEUS_RULE_SCRIPT);

/** The delete step runs the same script with VELERO_DR_DELETE=true (Command env is fixed per resource). */
export const prometheusRuleDeleteScript = (): string =>
  `export VELERO_DR_DELETE=true\n${prometheusRuleScript()}`;

export interface PrometheusRuleManifestInput {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  spec: PrometheusRuleSpec;
}

export function buildPrometheusRuleManifest(i: PrometheusRuleManifestInput) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: i.name, namespace: i.namespace, labels: { ...MANAGED_BY_LABELS, ...i.labels } },
    spec: i.spec,
  };
}

/**
 * Resource options (`opts`): the cluster's Kubernetes provider as `provider` (or among `providers`,
 * or a parent's; required in mode `on`), and what the rule waits for as `dependsOn` (Velero's namespace must exist).
 */
export interface VeleroPrometheusRuleArgs {
  kubeconfig: pulumi.Input<string>;
  namespace: string;
  /** "on": a declared PrometheusRule (fails without the CRD); "auto": applied only where the CRD is served. */
  mode: "auto" | "on";
  labels: Record<string, string>;
  spec: PrometheusRuleSpec;
}

/**
 * Velero's alert rules in the cluster, for the Prometheus operator.
 *
 * "Is the operator there?" is answered by the cluster at apply time, not by a lookup while the
 * program runs: a Pulumi `CustomResourceDefinition.get` fails the whole program when the CRD is
 * absent, and an invoke would have to run (and answer) on every preview. So `auto` is a command
 * that asks the API server whether it serves PrometheusRule and applies the rule if it does;
 * its output (`applied` or `skipped`) is recorded in the stack and exported.
 */
export class VeleroPrometheusRule extends pulumi.ComponentResource {
  /** "declared" (mode on), or what the auto command did: "applied" / "skipped". */
  public readonly status: pulumi.Output<string>;

  constructor(name: string, args: VeleroPrometheusRuleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("velero-dr:monitoring:VeleroPrometheusRule", name, {}, opts);
    const manifest = buildPrometheusRuleManifest({
      name: RULE_GROUP,
      namespace: args.namespace,
      labels: args.labels,
      spec: args.spec,
    });
    if (args.mode === "on") {
      requireKubernetesProvider(this, `VeleroPrometheusRule ${name}`);
      new CustomResource(
        `${name}-rule`,
        {
          apiVersion: manifest.apiVersion,
          kind: manifest.kind,
          metadata: manifest.metadata,
          spec: manifest.spec,
        },
        // The provider is the component's; children do not inherit its dependsOn, so it is passed on.
        { parent: this, dependsOn: opts?.dependsOn },
      );
      this.status = pulumi.output("declared");
    } else {
      const environment = {
        [KUBECONFIG_ENV]: pulumi.secret(args.kubeconfig),
        VELERO_NAMESPACE: args.namespace,
        PROMETHEUS_RULE_NAME: RULE_GROUP,
        PROMETHEUS_RULE_MANIFEST: JSON.stringify(manifest),
      };
      const run = scriptCommand("prometheus-rule", {
        create: prometheusRuleScript(),
        update: prometheusRuleScript(),
        delete: prometheusRuleDeleteScript(),
      });
      const apply = new Command(
        `${name}-apply`,
        {
          ...run,
          environment: { ...environment, ...run.environment },
          logging: "stdoutAndStderr",
        },
        { parent: this, dependsOn: opts?.dependsOn },
      );
      this.status = apply.stdout.apply((out) => out.trim().split("\n").pop() ?? "");
    }
    this.registerOutputs({ status: this.status });
  }
}
