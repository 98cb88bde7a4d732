import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Command } from "@pulumi/command/local";
import { Provider } from "@pulumi/kubernetes/provider";
import { VeleroPrometheusRule } from "../../components/monitoring/prometheus-rule";
import { VeleroInstall } from "../../components/velero/velero-install";
import { VeleroSchedules } from "../../components/velero/velero-schedules";
import { PROJECT, Recorder, fakeKubeconfig, settle } from "../support/harness";

/**
 * The components that create Kubernetes objects take the cluster's provider through `opts` and
 * refuse to be built without one: their objects would otherwise go to the cluster the ambient
 * kubeconfig names (on a destination, possibly the source) while their Commands use the kubeconfig
 * they were given.
 */
describe("Kubernetes components without a Kubernetes provider", () => {
  let recorder: Recorder;
  before(async () => {
    recorder = new Recorder();
    await pulumi.runtime.setMocks(recorder.mocks(), PROJECT, "provider-required", false);
    recorder.hook();
  });

  const kubeconfig = fakeKubeconfig();
  const install = (name: string, opts?: pulumi.ComponentResourceOptions) =>
    new VeleroInstall(
      name,
      {
        kubeconfig,
        namespace: "velero",
        chart: { version: "3.1.6", repository: "https://vmware-tanzu.github.io/helm-charts" },
        values: {} as never,
        settings: { nodeAgent: false, priorityClassName: "velero-critical", bslName: "default" },
        credentialsFile: "[default]\n",
        createPriorityClass: true,
        helmTimeoutSeconds: 600,
        bslCheck: { enabled: false, timeoutSeconds: 60 },
      },
      opts,
    );
  const schedules = (name: string, opts?: pulumi.ComponentResourceOptions) =>
    new VeleroSchedules(
      name,
      {
        kubeconfig,
        namespace: "velero",
        storageLocation: "default",
        profile: "test",
        schedules: [{ name: "daily", spec: { schedule: "0 1 * * *", template: {} } as never }],
        firstBackup: { enabled: false, timeoutSeconds: 60 },
      },
      opts,
    );
  const named = (prefix: string) => recorder.resources.filter((r) => r.name.startsWith(prefix));

  it("VeleroInstall and VeleroSchedules refuse, naming opts.provider, and register no child", async () => {
    assert.throws(
      () => install("noprov"),
      /VeleroInstall noprov: no Kubernetes provider: pass the cluster's provider as opts\.provider/,
    );
    assert.throws(() => schedules("noprov-s"), /VeleroSchedules noprov-s: no Kubernetes provider/);
    assert.throws(
      () =>
        new VeleroPrometheusRule("noprov-r", {
          kubeconfig,
          namespace: "velero",
          labels: {},
          spec: { groups: [] } as never,
          mode: "on",
        } as never),
      /VeleroPrometheusRule noprov-r: no Kubernetes provider/,
    );
    await settle();
    assert.deepEqual(
      named("noprov").filter((r) => !r.type.startsWith("velero-dr:")),
      [],
      "no Kubernetes object or Command of a refused component",
    );
  });

  it("takes the provider from opts.provider, opts.providers or a parent, and passes dependsOn to its objects", async () => {
    const cluster = new Provider("cluster", { kubeconfig });
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent", {}, { provider: cluster });
    const gate = new Command("gate", { create: "true" });
    install("withprov", { provider: cluster, dependsOn: [gate] });
    install("withprovs", { providers: [cluster] });
    install("viaparent", { parent });
    schedules("withprov-s", { provider: cluster, dependsOn: gate });
    await settle();
    const ns = recorder.resources.find((r) => r.name === "withprov-ns");
    const priority = recorder.resources.find((r) => r.name === "withprov-priority");
    assert.ok(ns && priority, "the objects are registered");
    // (The Release waits for them and for opts.dependsOn too: the stacks' recorded registrations show it.)
    for (const r of [ns, priority]) {
      assert.ok(recorder.dependencyNames(r).includes("gate"), `${r.name} waits for opts.dependsOn`);
      assert.match(r.provider ?? "", /::cluster::/, `${r.name} is created through the given provider`);
    }
    const schedule = recorder.resources.find((r) => r.name === "withprov-s-daily");
    assert.ok(schedule && recorder.dependencyNames(schedule).includes("gate"));
    for (const n of ["withprovs-ns", "viaparent-ns", "viaparent-credentials"]) {
      assert.match(recorder.resources.find((r) => r.name === n)?.provider ?? "", /::cluster::/, n);
    }
  });
});
