import { strict as assert } from "assert";
import { allPolicies } from "../../policies/rules/all";
import { fromRecording, runAll } from "../policies/support";
import { readStackFile } from "../../components/config/stack-file";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { destinationChainInput } from "../../components/restore/destination-chain";
import { buildRestoreChain } from "../../components/restore/chain";
import { dependsOn, stepScript } from "../../components/restore/step";
import {
  fakeKubeconfig,
  FAKE,
  plainOccurrences,
  Registered,
  resolve,
  RunResult,
  secretPaths,
  uidOf,
} from "../support/harness";
import { exampleSourceOutputs, runDestination } from "../support/examples";
import { ancestors, unmet } from "../../tools/bench/graph";
import { hardEdges } from "../../tools/bench/hard";
import { buildGraph } from "../../tools/bench/recorded";
import { SEED_ORDER_ONLINE } from "../../apps/dash-enterprise/test/seed-order";

describe("destination stack (example-destination-azure under mocks)", () => {
  let run: RunResult;
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);
  const deps = (r: Registered) => run.recorder.dependencyNames(r);
  // The chain's Commands (each carries its step id); other Commands of the stack are not steps.
  const steps = () =>
    run.recorder.byType("command:local:Command").filter((c) => c.inputs.environment?.VELERO_DR_STEP_ID);
  const step = (id: string) => one("command:local:Command", `restore-${id}`);

  before(async () => {
    run = await runDestination("example-destination-azure");
    if (run.error) throw run.error;
  });

  it("creates a new AKS cluster shaped for Dash Enterprise: 8-vCPU DDv5 nodes, RBAC, system identity, fixed node group", () => {
    const c = one("azure-native:containerservice:ManagedCluster").inputs;
    assert.equal(c.kubernetesVersion, "1.29");
    assert.equal(c.enableRBAC, true);
    assert.deepEqual(c.identity, { type: "SystemAssigned" });
    // The example sets no size: Plotly's AKS guide sizes the quota in the Standard DDv5 family.
    assert.equal(c.agentPoolProfiles[0].vmSize, "Standard_D8d_v5");
    assert.equal(c.agentPoolProfiles[0].count, 4);
    assert.equal(c.agentPoolProfiles[0].mode, "System");
    assert.deepEqual(c.agentPoolProfiles[0].availabilityZones, ["1"]);
    assert.equal(c.nodeResourceGroup, "velero-dr-example-destination-azure-nodes");
    assert.equal(c.location, "northeurope");
  });

  it("installs Velero with the source's versions, bucket and config, the BSL ReadOnly", () => {
    const r = one("kubernetes:helm.sh/v3:Release").inputs;
    assert.equal(r.version, "3.1.6");
    assert.equal(r.values.image.tag, "v1.10.3");
    assert.equal(r.values.initContainers[0].image, "velero/velero-plugin-for-microsoft-azure:v1.6.2");
    const bsl = r.values.configuration.backupStorageLocation;
    assert.equal(bsl.accessMode, "ReadOnly");
    assert.equal(bsl.bucket, "velero");
    // The example source has a replica in northeurope, but this example is promoted and so reads
    // the primary (backup.location: primary); reading the replica: destination-replica.test.ts.
    assert.deepEqual(bsl.config, {
      resourceGroup: "velero-dr-example-source-azure-backups",
      storageAccount: "dashbackupsexample01",
      subscriptionId: "00000000-0000-0000-0000-000000000000",
    });
    assert.equal(
      r.values.configuration.volumeSnapshotLocation.config.resourceGroup,
      "velero-dr-example-source-azure-snapshots",
    );
  });

  it("gives Velero its own identity: credentials name the destination's node group, roles reach the source storage", () => {
    const file = one("kubernetes:core/v1:Secret").inputs.stringData.cloud as string;
    assert.match(file, /^AZURE_RESOURCE_GROUP=velero-dr-example-destination-azure-nodes$/m);
    const scopes = run.recorder
      .byType("azure-native:authorization:RoleAssignment")
      .map((a) => a.inputs.scope as string);
    assert.ok(scopes.some((s) => s.endsWith("/storageAccounts/dashbackupsexample01")));
    assert.ok(
      !scopes.some((s) => s.includes("dashbackupsexample02")),
      "nothing on the replica it does not read",
    );
    assert.ok(scopes.some((s) => s.endsWith("/resourceGroups/velero-dr-example-source-azure-snapshots")));
    assert.ok(scopes.some((s) => s.endsWith("/resourceGroups/velero-dr-example-destination-azure-nodes")));
  });

  it("registers one Command per step, each with the step's script, in the seed's order by dependencies", () => {
    const commands = steps();
    assert.equal(commands.length, SEED_ORDER_ONLINE.length);
    const byId = new Map(commands.map((c) => [c.inputs.environment.VELERO_DR_STEP_ID as string, c]));
    assert.deepEqual([...byId.keys()].sort(), [...SEED_ORDER_ONLINE].sort());
    const chain = buildRestoreChain(chainInputFromExample());
    for (const s of chain.steps) {
      const cmd = byId.get(s.id) as Registered;
      assert.equal(cmd.inputs.environment.VELERO_DR_SCRIPT, stepScript(s), s.id);
      assert.deepEqual(cmd.inputs.interpreter, ["/bin/bash", "-c"]);
      for (const need of s.needs)
        assert.ok(deps(cmd).includes(`restore-${need}`), `${s.id} depends on ${need}`);
    }
    // The seed's order is a valid order of the recorded dependency graph.
    const graph = new Map(
      commands.map((c) => [
        c.inputs.environment.VELERO_DR_STEP_ID as string,
        deps(c)
          .filter((d) => d.startsWith("restore-"))
          .map((d) => d.slice("restore-".length)),
      ]),
    );
    SEED_ORDER_ONLINE.forEach((id, i) => {
      for (const d of graph.get(id) ?? [])
        assert.ok(SEED_ORDER_ONLINE.indexOf(d) < i, `${id} needs ${d}, which comes later`);
    });
    const asSteps = SEED_ORDER_ONLINE.map((id) => ({ id, needs: graph.get(id) ?? [] }));
    assert.ok(dependsOn(asSteps as never, "dash-health", "restore"));
    assert.ok(dependsOn(asSteps as never, "restore", "dns-unpublish"));
  });

  it("installs nothing in the target before the guard passed; Velero comes before the BSL wait", () => {
    const guard = "restore-guard-different-cluster";
    assert.ok(deps(one("velero-dr:velero:VeleroInstall")).includes(guard));
    // Every object created in the target cluster waits for the guard, through VeleroInstall or its own options.
    const g = buildGraph(run.recorder.resources);
    const inCluster = Object.values(g.nodes).filter((n) => n.type.startsWith("kubernetes:") && !n.read);
    assert.ok(inCluster.length >= 5);
    for (const n of inCluster) {
      assert.ok(
        ancestors(g.needs, n.key).has(`command:local:Command::${guard}`),
        `${n.key} waits for the guard`,
      );
    }
    assert.ok(deps(step("wait-bsl-available")).includes("velero-release"));
    assert.equal(step("guard-different-cluster").inputs.environment.SOURCE_API_SERVER, FAKE.apiServer);
    assert.equal(
      step("guard-different-cluster").inputs.environment.SOURCE_CLUSTER_UID,
      uidOf("cluster-kube-system"),
    );
  });

  it("builds Velero's Azure identity while AKS creates the new cluster; its node-group role waits for the cluster", () => {
    const g = buildGraph(run.recorder.resources);
    const needs = (r: Registered) => ancestors(g.needs, run.recorder.urnOf(r));
    const cluster = run.recorder.urnOf(one("azure-native:containerservice:ManagedCluster"));
    const guard = run.recorder.urnOf(step("guard-different-cluster"));
    // Azure AD only, nothing in the target cluster: no wait for the cluster or the guard, only for
    // the source's outputs read through the stack reference and checked (a refusal creates nothing).
    assert.deepEqual(deps(one("velero-dr:identity:AzureVeleroIdentity")), ["source"]);
    for (const t of [
      "azuread:index/application:Application",
      "azuread:index/servicePrincipal:ServicePrincipal",
      "azuread:index/applicationPassword:ApplicationPassword",
    ]) {
      assert.ok(!needs(one(t)).has(cluster), `${t} overlaps the cluster's creation`);
      assert.ok(!needs(one(t)).has(guard), `${t} does not wait for the guard`);
    }
    // AKS creates the node resource group: a role assignment on it can only come after the cluster.
    const onNodes = run.recorder
      .byType("azure-native:authorization:RoleAssignment")
      .filter((a) =>
        String(a.inputs.scope).endsWith("/resourceGroups/velero-dr-example-destination-azure-nodes"),
      );
    assert.equal(onNodes.length, 1);
    assert.ok(needs(onNodes[0]).has(cluster));
    // Velero itself, in the cluster, still comes after the guard.
    const release = one("kubernetes:helm.sh/v3:Release");
    assert.ok(needs(release).has(guard));
  });

  it("installs Velero while the role assignments propagate; the location's wait needs the storage grant, the restore every grant", () => {
    const g = buildGraph(run.recorder.resources);
    const needs = (r: Registered) => ancestors(g.needs, run.recorder.urnOf(r));
    const urn = (r: Registered) => run.recorder.urnOf(r);
    const assignments = run.recorder.byType("azure-native:authorization:RoleAssignment");
    const storage = assignments.filter((a) => String(a.inputs.scope).includes("/storageAccounts/"));
    const disks = assignments.filter((a) => !storage.includes(a));
    assert.equal(storage.length, 1);
    assert.equal(disks.length, 2);
    // The credentials Secret holds the application's client id and password: it waits for them,
    // and for no role assignment (the disk ones can only start once the cluster exists).
    const secret = one("kubernetes:core/v1:Secret");
    assert.ok(needs(secret).has(urn(one("azuread:index/application:Application"))));
    assert.ok(needs(secret).has(urn(one("azuread:index/applicationPassword:ApplicationPassword"))));
    const release = one("kubernetes:helm.sh/v3:Release");
    for (const a of assignments) {
      assert.ok(!needs(secret).has(urn(a)), `the Secret does not wait for ${a.name}`);
      assert.ok(!needs(release).has(urn(a)), `the Helm release does not wait for ${a.name}`);
    }
    assert.ok(needs(release).has(urn(secret)));
    // The location is Available only once Velero runs with the storage grant: its wait names both.
    const waitBsl = step("wait-bsl-available");
    assert.ok(deps(waitBsl).includes("velero-release"));
    assert.ok(deps(waitBsl).includes(storage[0].name));
    assert.ok(needs(step("wait-backup")).has(urn(storage[0])));
    // The restore creates disks from snapshots in the node group: it waits for every grant.
    for (const a of assignments) {
      assert.ok(needs(step("restore")).has(urn(a)), `the restore waits for ${a.name}`);
    }
  });

  it("creates every DNS record only after the unpublish step removed the old ones, with the new address known", () => {
    const g = buildGraph(run.recorder.resources);
    const records = run.recorder.byType("azure-native:dns:RecordSet");
    assert.equal(records.length, 7);
    for (const r of records) {
      const needs = ancestors(g.needs, run.recorder.urnOf(r));
      assert.ok(needs.has(run.recorder.urnOf(step("dns-unpublish"))), `${r.name} after the unpublish`);
      assert.ok(needs.has(run.recorder.urnOf(step("wait-load-balancer"))), `${r.name} after the address`);
    }
  });

  it("honors every hard need of the RTO model (tools/bench/hard.ts): no ordering bug", () => {
    const g = buildGraph(run.recorder.resources);
    const missing = unmet(g.needs, hardEdges(g)).map((e) => `${e.from} needs ${e.to}`);
    assert.deepEqual(missing, []);
  });

  it("passes the resolved backup and the load balancer address from step to step", () => {
    assert.equal(step("restore").inputs.environment.RESTORE_BACKUP_NAME, "dash-daily-20261120000000");
    assert.equal(step("restore").inputs.environment.BACKUP_SCHEDULE, undefined);
    assert.equal(step("wait-backup").inputs.environment.BACKUP_SCHEDULE, "dash-daily");
    assert.equal(step("dns-publish").inputs.environment.LB_ADDRESS, "20.50.60.70");
  });

  it("publishes Azure DNS records (Plotly's Dash Enterprise AKS installation guide) from the new address before checking them", () => {
    const records = run.recorder.byType("azure-native:dns:RecordSet");
    assert.equal(records.length, 7);
    const a = records.find((r) => r.inputs.recordType === "A") as Registered;
    assert.equal(a.inputs.relativeRecordSetName, "dash");
    assert.deepEqual(a.inputs.aRecords, [{ ipv4Address: "20.50.60.70" }]);
    assert.equal(a.inputs.zoneName, "example.com");
    assert.equal(a.inputs.resourceGroupName, "dns-rg");
    const cnames = records
      .filter((r) => r.inputs.recordType === "CNAME")
      .map((r) => r.inputs.relativeRecordSetName);
    assert.deepEqual(cnames.sort(), [
      "admin-dash",
      "api-dash",
      "auth-dash",
      "git-dash",
      "registry-dash",
      "ws-dash",
    ]);
    for (const r of records) assert.ok(deps(step("dns-publish")).includes(r.name), r.name);
  });

  it("makes a step that succeeded a no-op on later updates (only its create runs the work)", () => {
    for (const c of steps()) {
      assert.equal(
        c.inputs.update,
        'exec /bin/bash -c "$VELERO_DR_UPDATE_SCRIPT" ' + c.name.replace(/^restore-/, ""),
      );
      assert.match(c.inputs.environment.VELERO_DR_UPDATE_SCRIPT, /already succeeded; it is not run again/);
    }
  });

  it("creates the destination's schedules only after the health check", () => {
    const s = one("kubernetes:velero.io/v1:Schedule");
    assert.equal(s.inputs.metadata.name, "dash-daily");
    assert.ok(deps(s).includes("restore-entry-point-served"));
  });

  it("owns the promoted location's access mode: ReadWrite after the chain and after every new release revision", () => {
    // Chart 3.1.6 re-creates the location (a Helm hook) from the values, ReadOnly, on every upgrade.
    const keeper = one("command:local:Command", "primary-location-read-write");
    assert.equal(keeper.parent?.endsWith("velero-dr:velero:PrimaryLocation::primary-location"), true);
    assert.match(keeper.inputs.environment.VELERO_DR_SCRIPT, /"accessMode":"ReadWrite"/);
    assert.equal(keeper.inputs.environment.BSL_NAME, "default");
    assert.equal(keeper.inputs.environment.VELERO_NAMESPACE, "velero");
    assert.ok(
      secretPaths(keeper.raw).some((p) => p.startsWith("environment")),
      "kubeconfig secret",
    );
    // Its trigger is the release's revision: a new revision replaces it, and its create runs again.
    assert.equal(keeper.inputs.triggers.length, 1);
    const release = one("kubernetes:helm.sh/v3:Release");
    assert.ok(deps(keeper).includes(release.name), deps(keeper).join(", "));
    assert.ok(deps(keeper).includes("restore-entry-point-served"), deps(keeper).join(", "));
    // The destination's Schedules start once the location is ReadWrite.
    assert.ok(deps(one("kubernetes:velero.io/v1:Schedule")).includes("primary-location-read-write"));
  });

  it("watches the new primary's backups as the source's were: the alert rules of its own schedules", () => {
    const apply = one("command:local:Command", "alerting-apply");
    assert.equal(apply.parent?.endsWith("velero-dr:monitoring:VeleroPrometheusRule::alerting"), true);
    const rule = JSON.parse(apply.inputs.environment.PROMETHEUS_RULE_MANIFEST);
    const alerts = rule.spec.groups[0].rules.map((r: { alert: string; labels: { schedule?: string } }) =>
      [r.alert, r.labels.schedule ?? ""].join(" "),
    );
    // A location left ReadOnly makes every backup fail validation: that alert fires.
    assert.ok(alerts.includes("VeleroBackupValidationFailed dash-daily"), alerts.join(", "));
    assert.ok(alerts.includes("VeleroBackupOverdue dash-daily"), alerts.join(", "));
    assert.ok(deps(apply).includes("restore-entry-point-served"), deps(apply).join(", "));
  });

  it("a destination that is not promoted keeps the location ReadOnly: no keeper, no Schedules", async () => {
    const secondary = await runDestination("example-destination-azure", (c) => {
      const restore = JSON.parse(c["velero-dr:restore"] ?? "{}");
      c["velero-dr:restore"] = JSON.stringify({ ...restore, promoteToPrimary: false });
    });
    assert.equal(secondary.error, undefined, secondary.error?.message);
    const names = secondary.recorder.resources.map((r) => r.name);
    assert.ok(!names.includes("primary-location-read-write"));
    assert.equal(secondary.recorder.byType("kubernetes:velero.io/v1:Schedule").length, 0);
    assert.ok(!names.includes("alerting-apply"), "no backups, no alerts");
  });

  it("a rehearsal changes nothing outside its cluster: no DNS, no promotion, no Schedules, and the pack agrees", async () => {
    const rehearsal = await runDestination("example-destination-azure", (c) => {
      const restore = JSON.parse(c["velero-dr:restore"] ?? "{}");
      delete restore.promoteToPrimary;
      c["velero-dr:restore"] = JSON.stringify(restore);
      delete c["velero-dr:dns"];
      c["velero-dr:mode"] = "rehearsal";
    });
    assert.equal(rehearsal.error, undefined, rehearsal.error?.message);
    const resources = rehearsal.recorder.resources;
    assert.deepEqual(
      resources.filter((r) => /:dns:|RecordSet/.test(r.type)).map((r) => r.name),
      [],
      "no DNS record",
    );
    assert.equal(rehearsal.recorder.byType("kubernetes:velero.io/v1:Schedule").length, 0);
    const commands = rehearsal.recorder
      .byType("command:local:Command")
      .filter((c) => c.inputs.environment?.VELERO_DR_STEP_ID);
    const kinds = commands.map((c) => c.inputs.environment.VELERO_DR_STEP_KIND);
    for (const k of ["dns-unpublish", "dns-publish", "promote"]) assert.ok(!kinds.includes(k), k);
    assert.ok(!resources.some((r) => r.name === "primary-location-read-write"));
    for (const c of commands) assert.equal(c.inputs.environment.VELERO_DR_MODE, "rehearsal", c.name);
    // The whole policy pack passes it (test/policies/destination.test.ts: what it refuses).
    assert.deepEqual(
      (
        await runAll(allPolicies, fromRecording(structuredClone(resources), "example-destination-azure"))
      ).filter((f) => f.level === "mandatory"),
      [],
    );
  });

  it("keeps the kubeconfig and credentials secret", () => {
    for (const c of steps().filter((x) => x.inputs.environment.VELERO_DR_KUBECONFIG)) {
      assert.ok(
        secretPaths(c.raw).some((p) => p.startsWith("environment")),
        c.name,
      );
    }
    for (const r of run.recorder.resources) {
      assert.deepEqual(plainOccurrences(r.raw, FAKE.password), [], `${r.type} ${r.name}`);
      assert.deepEqual(plainOccurrences(r.raw, FAKE.kubeconfigToken), [], `${r.type} ${r.name}`);
    }
  });

  it("exports the restore's facts and the runbook command", async () => {
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    const o = value as Record<string, any>;
    assert.deepEqual(o.restoreSteps, SEED_ORDER_ONLINE);
    assert.equal(o.backup, "dash-daily-20261120000000");
    assert.equal(o.runbook, "npm run runbook -- example-destination-azure");
    // The recovery report: every step of the chain in its order, from what the steps wrote.
    assert.deepEqual(
      o.recovery.steps.map((s: { id: string }) => s.id),
      SEED_ORDER_ONLINE,
    );
    assert.equal(o.recovery.mode, "recovery");
    assert.ok(!JSON.stringify(o).includes(FAKE.kubeconfigToken));
  });
});

function chainInputFromExample() {
  const cfg = validateConfig(readStackFile("example-destination-azure"));
  if (cfg.role !== "destination") throw new Error("the example is a destination stack");
  return destinationChainInput(cfg);
}

describe("destination stack: refusing the source cluster", () => {
  it("refuses a kubeconfig for the source cluster when the source outputs are in config (config error, nothing registered)", async () => {
    const source = await exampleSourceOutputs();
    const run = await runDestination(
      "example-destination-azure",
      (c) => {
        c["velero-dr:source"] = JSON.stringify({ outputs: source });
        c["velero-dr:cluster"] = JSON.stringify({ nodeResourceGroup: "MC_x" });
        c["velero-dr:kubeconfig"] = fakeKubeconfig(FAKE.apiServer);
      },
      ["velero-dr:kubeconfig"],
    );
    assert.match(run.error?.message ?? "", /velero-dr:kubeconfig: points at the source cluster/);
    assert.equal(run.recorder.resources.length, 0);
  });

  it("refuses the source AKS cluster by name", async () => {
    const source = await exampleSourceOutputs();
    const run = await runDestination("example-destination-azure", (c) => {
      c["velero-dr:source"] = JSON.stringify({ outputs: source });
      c["velero-dr:cluster"] = JSON.stringify({
        aksName: "dash-enterprise",
        aksResourceGroup: "dash-enterprise-rg",
      });
    });
    assert.match(
      run.error?.message ?? "",
      /velero-dr:cluster.aksName: "dash-enterprise" in "dash-enterprise-rg" is the source cluster/,
    );
    assert.equal(run.recorder.resources.length, 0);
  });

  it("refuses, through the stack reference, a target whose API server is the source's (no restore step runs)", async () => {
    const run = await runDestination(
      "example-destination-azure",
      (c) => {
        c["velero-dr:cluster"] = JSON.stringify({ nodeResourceGroup: "MC_x" });
        c["velero-dr:kubeconfig"] = fakeKubeconfig(FAKE.apiServer);
      },
      ["velero-dr:kubeconfig"],
    );
    assert.match(
      run.asyncErrors.map((e) => e.message).join("\n"),
      /the destination cluster is the source cluster/,
    );
    const guard = run.recorder
      .byType("command:local:Command")
      .find((c) => c.name === "restore-guard-different-cluster");
    assert.equal(guard, undefined, "the guard Command is never registered with the source's address");
    assert.equal(run.recorder.byType("kubernetes:helm.sh/v3:Release").length, 0, "Velero is not installed");
  });

  it("with an existing cluster, builds Velero's identity only after the guard (that target may be the source)", async () => {
    const run = await runDestination(
      "example-destination-azure",
      (c) => {
        c["velero-dr:cluster"] = JSON.stringify({ nodeResourceGroup: "MC_standby" });
        c["velero-dr:kubeconfig"] = fakeKubeconfig("https://standby.hcp.northeurope.azmk8s.io:443");
      },
      ["velero-dr:kubeconfig"],
    );
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
    const identity = run.recorder.one("velero-dr:identity:AzureVeleroIdentity");
    assert.ok(run.recorder.dependencyNames(identity).includes("restore-guard-different-cluster"));
    const g = buildGraph(run.recorder.resources);
    const app = run.recorder.urnOf(run.recorder.one("azuread:index/application:Application"));
    assert.ok(ancestors(g.needs, app).has("command:local:Command::restore-guard-different-cluster"));
  });

  it("refuses a new cluster older than the source's Kubernetes", async () => {
    const run = await runDestination("example-destination-azure", (c) => {
      const cluster = JSON.parse(c["velero-dr:cluster"]);
      cluster.create.kubernetesVersion = "1.28";
      c["velero-dr:cluster"] = JSON.stringify(cluster);
    });
    assert.match(
      run.asyncErrors.map((e) => e.message).join("\n"),
      /kubernetesVersion 1\.28 is older than the source cluster's 1\.29\.7; Velero restores only into the same or a newer Kubernetes/,
    );
    assert.equal(run.recorder.byType("azure-native:containerservice:ManagedCluster").length, 0);
    assert.equal(run.recorder.byType("command:local:Command").length, 0);
  });
});
