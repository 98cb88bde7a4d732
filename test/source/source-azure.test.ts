import { strict as assert } from "assert";
import {
  FAKE,
  fakeKubeconfig,
  plainOccurrences,
  Registered,
  resolve,
  runProgram,
  RunResult,
  secretPaths,
  stackFileConfig,
  toRuntimeConfig,
  uidOf,
} from "../support/harness";
import { crdErrors } from "../support/crd";
import { AZURE_PLUGIN_V1_6_2_CUSTOM_ROLE_ACTIONS } from "../upstream/velero-plugins";
import { bslCheckScript, firstBackupScript } from "../../components/velero/checks";
import { AZURE_PLUGIN_1_6_KEYS } from "../../components/velero/locations";

describe("source stack on Azure (example-source-azure under mocks)", () => {
  let run: RunResult;
  const byType = (t: string) => run.recorder.byType(t);
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);
  const deps = (r: Registered) => run.recorder.dependencyNames(r);

  before(async () => {
    const { config, secretKeys } = stackFileConfig("example-source-azure");
    run = await runProgram("example-source-azure", config, secretKeys);
    if (run.error) throw run.error;
  });

  describe("backup storage", () => {
    it("creates a hardened StorageV2 account: GRS, https only, TLS 1.2, no public blob access", () => {
      const a = one("azure-native:storage:StorageAccount", "backups-account").inputs;
      assert.equal(a.accountName, "dashbackupsexample01");
      assert.equal(a.kind, "StorageV2");
      assert.deepEqual(a.sku, { name: "Standard_GRS" });
      assert.equal(a.enableHttpsTrafficOnly, true);
      assert.equal(a.minimumTlsVersion, "TLS1_2");
      assert.equal(a.allowBlobPublicAccess, false);
      assert.equal(a.allowSharedKeyAccess, true, "plugin 1.6.x needs the account key");
      assert.equal(a.resourceGroupName, "velero-dr-example-source-azure-backups");
    });

    it("turns on blob versioning and soft delete for blobs and containers", () => {
      const b = one("azure-native:storage:BlobServiceProperties", "backups-blob-service").inputs;
      assert.equal(b.isVersioningEnabled, true);
      assert.deepEqual(b.deleteRetentionPolicy, { enabled: true, days: 30 });
      assert.deepEqual(b.containerDeleteRetentionPolicy, { enabled: true, days: 30 });
    });

    it("keeps the container private and expires old versions with a lifecycle rule", () => {
      const c = one("azure-native:storage:BlobContainer", "backups-container").inputs;
      assert.equal(c.containerName, "velero");
      assert.equal(c.publicAccess, "None");
      const rule = one("azure-native:storage:ManagementPolicy", "backups-lifecycle").inputs.policy.rules[0];
      assert.deepEqual(rule.definition.actions, {
        version: { delete: { daysAfterCreationGreaterThan: 90 } },
      });
      assert.deepEqual(rule.definition.filters.prefixMatch, ["velero/"]);
    });

    it("adds the time-based immutability policy the example asks for", () => {
      const p = one("azure-native:storage:BlobContainerImmutabilityPolicy", "backups-immutability").inputs;
      assert.equal(p.immutabilityPeriodSinceCreationInDays, 30);
      assert.equal(p.containerName, "velero");
    });

    it("never deletes backups on destroy: data-holding resources are retained and protected", () => {
      for (const t of [
        "azure-native:resources:ResourceGroup",
        "azure-native:storage:StorageAccount",
        "azure-native:storage:BlobContainer",
        "azure-native:storage:BlobContainerImmutabilityPolicy",
      ]) {
        for (const r of byType(t)) assert.ok(r.retainOnDelete, `${r.name} retainOnDelete`);
      }
      assert.ok(one("azure-native:storage:StorageAccount", "backups-account").protect);
      assert.ok(one("azure-native:storage:BlobContainer", "backups-container").protect);
      const lock = one("azure-native:authorization:ManagementLockByScope", "backups-lock").inputs;
      assert.equal(lock.level, "CanNotDelete");
      assert.match(lock.scope, /storageAccounts\/dashbackupsexample01$/);
    });

    it("creates a separate resource group for disk snapshots (and the replica's own group)", () => {
      const names = byType("azure-native:resources:ResourceGroup").map((r) => r.inputs.resourceGroupName);
      assert.deepEqual(names.sort(), [
        "velero-dr-example-source-azure-backups",
        "velero-dr-example-source-azure-replica",
        "velero-dr-example-source-azure-snapshots",
      ]);
    });
  });

  describe("Velero identity", () => {
    it("creates an Azure AD application, service principal and rotating password", () => {
      const app = one("azuread:index/application:Application");
      const sp = one("azuread:index/servicePrincipal:ServicePrincipal");
      const pw = one("azuread:index/applicationPassword:ApplicationPassword");
      assert.equal(app.inputs.displayName, "velero-dr-example-source-azure");
      assert.equal(sp.inputs.clientId, `${app.name}-client-id`);
      assert.equal(pw.inputs.applicationId, `${app.name}-id`);
      assert.match(pw.inputs.rotateWhenChanged.rotation, /^p90d-\d+$/);
      assert.ok(Date.parse(pw.inputs.endDate) > Date.now(), "the password has an end date in the future");
    });

    it("grants exactly the plugin's documented actions, split by where each is needed", () => {
      const roles = byType("azure-native:authorization:RoleDefinition");
      assert.equal(roles.length, 2);
      const granted = roles.flatMap((r) => r.inputs.permissions[0].actions as string[]);
      assert.deepEqual([...granted].sort(), [...AZURE_PLUGIN_V1_6_2_CUSTOM_ROLE_ACTIONS].sort());
      const storageRole = roles.find((r) => r.name.endsWith("storage-role")) as Registered;
      assert.deepEqual(storageRole.inputs.permissions[0].actions.sort(), [
        "Microsoft.Storage/storageAccounts/listkeys/action",
        "Microsoft.Storage/storageAccounts/regeneratekey/action",
      ]);
    });

    it("assigns at the storage account, the snapshot group and the node group, never the subscription", () => {
      const scopes = byType("azure-native:authorization:RoleAssignment").map((a) => a.inputs.scope as string);
      assert.equal(scopes.length, 3);
      assert.ok(scopes.some((s) => /\/storageAccounts\/dashbackupsexample01$/.test(s)));
      assert.ok(scopes.some((s) => s.endsWith("/resourceGroups/velero-dr-example-source-azure-snapshots")));
      assert.ok(scopes.some((s) => s.endsWith(`/resourceGroups/${FAKE.nodeResourceGroup}`)));
      for (const s of scopes) assert.ok(/\/resourceGroups\//.test(s), `${s} is narrower than a subscription`);
      for (const a of byType("azure-native:authorization:RoleAssignment")) {
        assert.equal(a.inputs.principalType, "ServicePrincipal");
        assert.equal(a.inputs.principalId, "velero-identity-sp-object-id");
      }
      const storageAssignment = byType("azure-native:authorization:RoleAssignment").find((a) =>
        (a.inputs.scope as string).includes("storageAccounts"),
      ) as Registered;
      assert.match(storageAssignment.inputs.roleDefinitionId, /velero-identity-storage-role-guid$/);
    });

    it("delivers the credentials file as a Kubernetes Secret, AZURE_RESOURCE_GROUP = node resource group", () => {
      const s = one("kubernetes:core/v1:Secret");
      assert.equal(s.inputs.metadata.name, "cloud-credentials");
      assert.equal(s.inputs.metadata.namespace, "velero");
      const file: string = s.inputs.stringData.cloud;
      const env = Object.fromEntries(
        file
          .trim()
          .split("\n")
          .map((l) => l.split("=", 2)),
      );
      assert.deepEqual(Object.keys(env).sort(), [
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_CLOUD_NAME",
        "AZURE_RESOURCE_GROUP",
        "AZURE_SUBSCRIPTION_ID",
        "AZURE_TENANT_ID",
      ]);
      assert.equal(env.AZURE_RESOURCE_GROUP, FAKE.nodeResourceGroup);
      assert.equal(env.AZURE_CLIENT_SECRET, FAKE.password);
      assert.equal(env.AZURE_CLOUD_NAME, "AzurePublicCloud");
      // The Secret waits for the role assignments: Velero never starts without its permissions.
      const assignments = byType("azure-native:authorization:RoleAssignment").map((a) => a.name);
      for (const a of assignments) assert.ok(deps(s).includes(a), `Secret depends on ${a}`);
    });
  });

  describe("secrets", () => {
    it("the client secret and kubeconfig are secrets wherever they are registered", () => {
      const secret = one("kubernetes:core/v1:Secret");
      assert.ok(secretPaths(secret.raw).some((p) => p === "stringData" || p.startsWith("stringData")));
      for (const cmd of byType("command:local:Command")) {
        assert.ok(
          secretPaths(cmd.raw).some((p) => p.startsWith("environment")),
          `${cmd.name} env is secret`,
        );
      }
      const provider = one("pulumi:providers:kubernetes");
      assert.ok(secretPaths(provider.raw).some((p) => p.startsWith("kubeconfig")));
    });

    it("no resource input carries the password or the kube token in plain text", () => {
      for (const r of run.recorder.resources) {
        assert.deepEqual(plainOccurrences(r.raw, FAKE.password), [], `${r.type} ${r.name}`);
        assert.deepEqual(plainOccurrences(r.raw, FAKE.kubeconfigToken), [], `${r.type} ${r.name}`);
      }
    });

    it("the Helm values hold no credential, only the Secret's name", () => {
      const values = JSON.stringify(one("kubernetes:helm.sh/v3:Release").inputs.values);
      assert.ok(!values.includes(FAKE.password));
      assert.deepEqual(one("kubernetes:helm.sh/v3:Release").inputs.values.credentials, {
        useSecret: true,
        existingSecret: "cloud-credentials",
      });
    });

    it("stack outputs carry no secret value", async () => {
      const { value } = await resolve(run.outputs as Record<string, unknown>);
      const text = JSON.stringify(value);
      assert.ok(!text.includes(FAKE.password) && !text.includes(FAKE.kubeconfigToken));
    });
  });

  describe("Velero release", () => {
    const values = () => one("kubernetes:helm.sh/v3:Release").inputs.values;

    it("installs chart vmware-tanzu/velero 3.1.6 with image v1.10.3 and the azure plugin v1.6.2", () => {
      const r = one("kubernetes:helm.sh/v3:Release").inputs;
      assert.equal(r.chart, "velero");
      assert.equal(r.version, "3.1.6");
      assert.deepEqual(r.repositoryOpts, { repo: "https://vmware-tanzu.github.io/helm-charts" });
      assert.equal(r.name, "velero");
      assert.equal(r.namespace, "velero");
      assert.deepEqual(values().image.repository, "velero/velero");
      assert.equal(values().image.tag, "v1.10.3");
      assert.equal(values().initContainers[0].image, "velero/velero-plugin-for-microsoft-azure:v1.6.2");
      assert.deepEqual(values().initContainers[0].volumeMounts, [{ mountPath: "/target", name: "plugins" }]);
      assert.equal(values().upgradeCRDs, false);
    });

    it("configures BSL and VSL with only keys plugin 1.6.2 accepts, VSL in the snapshot group", () => {
      const c = values().configuration;
      assert.equal(c.provider, "azure");
      assert.deepEqual(c.backupStorageLocation.config, {
        resourceGroup: "velero-dr-example-source-azure-backups",
        storageAccount: "dashbackupsexample01",
        subscriptionId: "00000000-0000-0000-0000-000000000000",
      });
      assert.equal(c.backupStorageLocation.bucket, "velero");
      assert.equal(c.backupStorageLocation.accessMode, "ReadWrite");
      assert.equal(c.volumeSnapshotLocation.config.resourceGroup, "velero-dr-example-source-azure-snapshots");
      for (const k of Object.keys(c.backupStorageLocation.config)) {
        assert.ok((AZURE_PLUGIN_1_6_KEYS.bsl as readonly string[]).includes(k), k);
      }
      for (const k of Object.keys(c.volumeSnapshotLocation.config)) {
        assert.ok((AZURE_PLUGIN_1_6_KEYS.vsl as readonly string[]).includes(k), k);
      }
    });

    it("turns metrics on and runs Velero with a priority class and resources", () => {
      assert.equal(values().metrics.enabled, true);
      assert.equal(values().priorityClassName, "velero-dr-critical");
      assert.equal(
        one("kubernetes:scheduling.k8s.io/v1:PriorityClass").inputs.metadata.name,
        "velero-dr-critical",
      );
      assert.deepEqual(values().resources.limits, { cpu: "1", memory: "1Gi" });
      // Dash Enterprise's default (its vendor's backups hold file-system backups): every pod
      // volume file by file, with the node agent, uploader restic.
      assert.equal(values().deployNodeAgent, true);
      assert.equal(values().configuration.uploaderType, "restic");
      assert.equal(values().configuration.defaultVolumesToFsBackup, true);
    });

    it("is installed after its namespace, credentials Secret and priority class", () => {
      const d = deps(one("kubernetes:helm.sh/v3:Release"));
      for (const n of ["velero-ns", "velero-credentials", "velero-priority"]) assert.ok(d.includes(n), n);
    });

    it("is followed by the BSL-Available check, re-run when the release or credentials change", () => {
      const check = one("command:local:Command", "bsl-available");
      assert.equal(check.inputs.environment.VELERO_DR_SCRIPT, bslCheckScript());
      assert.deepEqual(check.inputs.interpreter, ["/bin/bash", "-c"]);
      assert.equal(check.inputs.environment.BSL_NAME, "default");
      assert.equal(check.inputs.environment.VELERO_NAMESPACE, "velero");
      assert.match(check.inputs.environment.VELERO_DR_KUBECONFIG, new RegExp(FAKE.kubeconfigToken));
      assert.ok(deps(check).includes("velero-release"));
      assert.equal(check.inputs.triggers.length, 2);
    });
  });

  describe("schedules", () => {
    it("creates one Schedule per configured schedule, valid against the 1.10.3 CRD", () => {
      const schedules = byType("kubernetes:velero.io/v1:Schedule");
      assert.equal(schedules.length, 1);
      const s = schedules[0].inputs;
      assert.equal(s.metadata.name, "dash-daily");
      assert.equal(s.metadata.namespace, "velero");
      assert.equal(s.spec.schedule, "0 0 * * *");
      assert.equal(s.spec.useOwnerReferencesInBackup, false);
      assert.deepEqual(s.spec.template.includedNamespaces, ["dash-apps", "dash-services", "plotly-system"]);
      assert.deepEqual(crdErrors("v1.10.3", "Schedule", s), []);
    });

    it("waits for the BSL check before creating schedules and the first backup", () => {
      const schedule = one("kubernetes:velero.io/v1:Schedule");
      assert.ok(deps(schedule).includes("velero-bsl-available"));
      const first = one("command:local:Command", "first-backup");
      assert.equal(first.inputs.environment.VELERO_DR_SCRIPT, firstBackupScript());
      assert.ok(deps(first).includes("velero-bsl-available"));
      assert.ok(deps(first).includes("schedules-dash-daily"));
      const manifest = JSON.parse(first.inputs.environment.BACKUP_MANIFEST);
      assert.deepEqual(crdErrors("v1.10.3", "Backup", manifest), []);
      assert.deepEqual(manifest.spec, schedule.inputs.spec.template);
    });
  });

  describe("components and outputs", () => {
    it("parents every cloud and cluster resource to a velero-dr component", () => {
      assert.deepEqual(run.recorder.unparented(), []);
      assert.deepEqual(run.recorder.componentTypes(), [
        "velero-dr:cluster:ClusterAccess",
        "velero-dr:identity:AzureVeleroIdentity",
        "velero-dr:monitoring:AzureBackupAlert",
        "velero-dr:monitoring:VeleroPrometheusRule",
        "velero-dr:storage:AzureBackupReplica",
        "velero-dr:storage:AzureBackupStorage",
        "velero-dr:storage:AzureBackupStorage",
        "velero-dr:velero:VeleroInstall",
        "velero-dr:velero:VeleroSchedules",
      ]);
    });

    it("builds the Kubernetes provider from the AKS cluster's user credentials", () => {
      const tokens = run.recorder.invokes.map((i) => i.token).sort();
      assert.deepEqual(tokens, [
        "azure-native:containerservice:getManagedCluster",
        "azure-native:containerservice:listManagedClusterUserCredentials",
      ]);
      for (const i of run.recorder.invokes) {
        assert.deepEqual(i.inputs, {
          resourceGroupName: "dash-enterprise-rg",
          resourceName: "dash-enterprise",
        });
      }
    });

    it("exports what a destination stack needs", async () => {
      const { value } = await resolve(run.outputs as Record<string, unknown>);
      const o = value as Record<string, any>;
      assert.equal(o.profile, "dash-enterprise");
      assert.deepEqual(o.storage, {
        resourceGroupName: "velero-dr-example-source-azure-backups",
        accountName: "dashbackupsexample01",
        containerName: "velero",
        prefix: "",
        snapshotResourceGroupName: "velero-dr-example-source-azure-snapshots",
        // The example's replica in the recovery region (test/source/source-azure-replica.test.ts).
        replica: {
          resourceGroupName: "velero-dr-example-source-azure-replica",
          accountName: "dashbackupsexample02",
          containerName: "velero",
          location: "northeurope",
        },
      });
      assert.equal(o.azure.subscriptionId, "00000000-0000-0000-0000-000000000000");
      assert.equal(o.azure.tenantId, "00000000-0000-0000-0000-000000000000");
      assert.deepEqual(o.velero, {
        namespace: "velero",
        version: "v1.10.3",
        chartVersion: "3.1.6",
        pluginVersion: "v1.6.2",
        bslName: "default",
        vslName: "default",
        uploaderType: "restic",
        fsBackup: "all",
        snapshotVolumes: true,
      });
      assert.equal(o.azure.location, "westeurope", "the cross-region guard compares it");
      assert.deepEqual(o.schedules, ["dash-daily"]);
      assert.equal(o.cluster.apiServer, FAKE.apiServer);
      assert.equal(o.cluster.nodeResourceGroup, FAKE.nodeResourceGroup);
      assert.equal(o.cluster.kubernetesVersion, FAKE.kubernetesVersion);
      assert.equal(o.cluster.uid, uidOf("cluster-kube-system"), "the kube-system uid identifies the cluster");
      assert.equal(o.cluster.aksName, "dash-enterprise");
    });
  });
});

describe("source stack variants", () => {
  const base = () => stackFileConfig("example-source-azure").config;

  it("uses a kubeconfig secret instead of AKS, with the configured node resource group", async () => {
    const cfg = base();
    cfg["velero-dr:cluster"] = JSON.stringify({ nodeResourceGroup: "MC_other" });
    cfg["velero-dr:kubeconfig"] = fakeKubeconfig("https://10.1.2.3:6443");
    const run = await runProgram("kcfg", cfg, ["velero-dr:kubeconfig"]);
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(run.recorder.invokes, [], "no AKS lookups");
    const secret = run.recorder.one("kubernetes:core/v1:Secret").inputs.stringData.cloud as string;
    assert.match(secret, /^AZURE_RESOURCE_GROUP=MC_other$/m);
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    assert.equal((value as any).cluster.apiServer, "https://10.1.2.3:6443");
  });

  it("registers one Schedule per configured schedule and can pause one", async () => {
    const cfg = base();
    cfg["velero-dr:schedules"] = JSON.stringify([
      { name: "dash-daily", cron: "0 0 * * *" },
      { name: "dash-hourly", cron: "0 * * * *", ttl: "48h", paused: true },
      { name: "dash-weekly", cron: "@weekly", ttl: "2160h", namespaces: ["plotly-system"] },
    ]);
    cfg["velero-dr:storage"] = JSON.stringify({ accountName: "dashbackupsexample01", immutabilityDays: 90 });
    const run = await runProgram("multi", cfg);
    assert.equal(run.error, undefined, run.error?.message);
    const s = run.recorder
      .byType("kubernetes:velero.io/v1:Schedule")
      .map((r) => r.inputs)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    assert.deepEqual(
      s.map((x) => x.metadata.name),
      ["dash-daily", "dash-hourly", "dash-weekly"],
    );
    assert.equal(s[1].spec.paused, true);
    assert.equal(s[1].spec.template.ttl, "48h0m0s");
    assert.equal(s[0].spec.template.ttl, "720h0m0s", "the profile's default TTL");
    assert.deepEqual(s[2].spec.template.includedNamespaces, ["plotly-system"]);
    for (const x of s) assert.deepEqual(crdErrors("v1.10.3", "Schedule", x), []);
  });

  it("air-gapped: mirrored images, pull secrets and the fs-restore-action-config ConfigMap", async () => {
    const cfg = base();
    cfg["velero-dr:velero"] = JSON.stringify({
      imageRegistry: "registry.corp.example:5000/mirror",
      imagePullSecrets: ["mirror-pull"],
      airGapped: true,
      chartRepository: "https://charts.corp.example/velero",
      nodeAgent: true,
    });
    const run = await runProgram("airgap", cfg);
    assert.equal(run.error, undefined, run.error?.message);
    const release = run.recorder.one("kubernetes:helm.sh/v3:Release").inputs;
    assert.deepEqual(
      release.repositoryOpts,
      { repo: "https://charts.corp.example/velero" },
      "the mirror's chart",
    );
    const v = release.values;
    assert.equal(v.image.repository, "registry.corp.example:5000/mirror/velero");
    assert.deepEqual(v.image.imagePullSecrets, ["mirror-pull"]);
    assert.equal(
      v.initContainers[0].image,
      "registry.corp.example:5000/mirror/velero-plugin-for-microsoft-azure:v1.6.2",
    );
    assert.deepEqual(v.configMaps["fs-restore-action-config"], {
      labels: { "velero.io/plugin-config": "", "velero.io/pod-volume-restore": "RestoreItemAction" },
      data: { image: "registry.corp.example:5000/mirror/velero-restore-helper:v1.10.3" },
    });
    assert.equal(v.deployNodeAgent, true);
    // The profile's uploader (Dash Enterprise's backups use restic).
    assert.equal(v.configuration.uploaderType, "restic");
  });

  it("honours a Velero patch the vendor approved, named in both keys (the pinned plugin stays)", async () => {
    const cfg = base();
    cfg["velero-dr:velero"] = JSON.stringify({ version: "v1.10.5", vendorApprovedVersion: "v1.10.5" });
    const run = await runProgram("versions", cfg);
    assert.equal(run.error, undefined, run.error?.message);
    const v = run.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values;
    assert.equal(v.image.tag, "v1.10.5");
    assert.equal(v.initContainers[0].image, "velero/velero-plugin-for-microsoft-azure:v1.6.2");
  });

  it("uses an existing resource group without managing it, and skips the BSL check and lock when disabled", async () => {
    const { config } = toRuntimeConfig({
      role: "source",
      cloud: "azure",
      profile: "dash-enterprise",
      azure: {
        subscriptionId: "11111111-1111-1111-1111-111111111111",
        tenantId: "22222222-2222-2222-2222-222222222222",
        location: "northeurope",
      },
      cluster: { aksName: "dash", aksResourceGroup: "dash-rg" },
      storage: {
        resourceGroupName: "shared-backups",
        existingResourceGroup: true,
        deleteLock: false,
        replication: "ZRS",
      },
      bslCheck: { enabled: false },
    });
    const run = await runProgram("existing", config);
    assert.equal(run.error, undefined, run.error?.message);
    const rgs = run.recorder
      .byType("azure-native:resources:ResourceGroup")
      .map((r) => r.inputs.resourceGroupName);
    assert.deepEqual(rgs, ["velero-dr-existing-snapshots"]);
    assert.equal(
      run.recorder.one("azure-native:storage:StorageAccount", "backups-account").inputs.resourceGroupName,
      "shared-backups",
    );
    assert.deepEqual(run.recorder.one("azure-native:storage:StorageAccount", "backups-account").inputs.sku, {
      name: "Standard_ZRS",
    });
    assert.equal(run.recorder.byType("azure-native:authorization:ManagementLockByScope").length, 0);
    // (The only command left is the alerting one: alerting.prometheusRule auto.)
    assert.deepEqual(
      run.recorder.byType("command:local:Command").map((c) => c.name),
      ["alerting-apply"],
    );
    const schedule = run.recorder.one("kubernetes:velero.io/v1:Schedule");
    assert.ok(run.recorder.dependencyNames(schedule).includes("velero-release"));
    assert.match(
      run.recorder.one("azure-native:storage:StorageAccount", "backups-account").inputs.accountName,
      /^velerodr[0-9a-f]{14}$/,
    );
  });

  it("runs during preview as well (unknown outputs do not break the program)", async () => {
    const { config, secretKeys } = stackFileConfig("example-source-azure");
    const run = await runProgram("preview", config, secretKeys, { preview: true });
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.recorder.resources.length > 20);
  });
});
