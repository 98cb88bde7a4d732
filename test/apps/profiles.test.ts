import { strict as assert } from "assert";
import { apps } from "../../apps";
import { configureApp } from "../../components/apps/definition";
import { AppProfile } from "../../components/model/profile";
import { buildPreparation } from "../../components/apps/preparation";
import { buildRestoreChain, ChainInput, envForStep } from "../../components/restore/chain";
import { stepScript } from "../../components/restore/step";
import { buildProfileSchedules } from "../../components/velero/specs";
import { buildScript } from "../../components/shell/script";
import { allPolicies } from "../../policies/rules/all";
import { shellcheck } from "../support/bash";
import { crdErrors } from "../support/crd";
import { runProgram, stackFileConfig } from "../support/harness";
import { recordDestination, recordSource, SourceRecording } from "../policies/recordings";
import { fromRecording, runAll, unresolvedDependencies } from "../policies/support";
import { APP_SEED_ORDER } from "../restore/seed-order";

/**
 * The Code Dx, Nebari and Nokia EDA profiles (seeds 003, 002, 004): what their backups carry,
 * the order their restores follow, and their example stacks under mocks and the policy pack.
 */

function configured(name: string, options: Record<string, unknown> = {}) {
  const def = apps[name];
  const parsed = def.options.parse(options) as Record<string, unknown>;
  return { profile: def.configure(parsed) as AppProfile, options: parsed, app: configureApp(def, parsed) };
}

function chainFor(name: string, options: Record<string, unknown> = {}) {
  const { profile, app } = configured(name, options);
  const input: ChainInput = {
    app,
    veleroNamespace: "velero",
    bslName: "default",
    backup: { schedule: profile.schedules[0].name },
    sourceApiServer: "https://source.example:443",
    dns: {
      provider: "manual",
      baseDomain: "app.example.com",
      zone: "example.com",
      ttlSeconds: 60,
      recordPrefixes: [],
      unpublishConfirmed: true,
    },
    promoteToPrimary: true,
    allowPartiallyFailed: false,
    timeouts: {
      bslSeconds: 600,
      backupSyncSeconds: 900,
      restoreSeconds: 3600,
      loadBalancerSeconds: 900,
      healthSeconds: 900,
    },
  };
  return buildRestoreChain(input);
}

function scheduleOf(profile: AppProfile) {
  const s = profile.schedules[0];
  const [built] = buildProfileSchedules(
    [
      {
        name: s.name,
        cron: s.cron,
        ttl: profile.defaultTtl,
        paused: false,
        namespaces: profile.namespaces,
        excludedResources: profile.excludedResources,
      },
    ],
    profile,
    { storageLocation: "default", volumeSnapshotLocation: "default", defaultVolumesToFsBackup: false },
  );
  return {
    apiVersion: "velero.io/v1",
    kind: "Schedule",
    metadata: { name: built.name, namespace: "velero" },
    spec: built.spec,
  };
}

/** Every id of `order` is in `steps`, in that order (other steps may come between). */
function assertInOrder(steps: string[], order: string[]): void {
  const at = order.map((id) => steps.indexOf(id));
  assert.ok(
    at.every((i) => i >= 0),
    `missing from ${steps.join(", ")}`,
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
    `out of order: ${steps.join(", ")}`,
  );
}

const ids = (name: string, options: Record<string, unknown> = {}) =>
  chainFor(name, options).steps.map((s) => s.id);

describe("app profiles: Code Dx (seed 003)", () => {
  it("backs up cdx-app and cdx-svc daily at 03:00 UTC for 720h, like set-backup.ps1", () => {
    const { profile } = configured("codedx");
    assert.deepEqual(profile.namespaces, ["cdx-app", "cdx-svc"]);
    assert.deepEqual(profile.schedules, [{ name: "codedx-schedule", cron: "0 3 * * *" }]);
    assert.equal(profile.defaultTtl, "720h");
    assert.equal(profile.includeClusterResources, true, "the PriorityClasses are cluster-scoped");
  });

  it("runs the vendor's MariaDB backup in the subordinate as a failing pre-backup hook, valid for the 1.10.3 CRD", () => {
    const schedule = scheduleOf(configured("codedx", { databaseBackupTimeout: "45m" }).profile);
    assert.deepEqual(crdErrors("v1.10.3", "Schedule", schedule), []);
    const hooks = (schedule.spec.template as any).hooks.resources;
    assert.deepEqual(hooks, [
      {
        name: "database-backup",
        includedNamespaces: ["cdx-app"],
        labelSelector: { matchLabels: { app: "mariadb", component: "slave", release: "codedx" } },
        pre: [
          {
            exec: {
              container: "mariadb",
              command: ["/bin/bash", "-c", "/bitnami/mariadb/scripts/backup.sh && sleep 1m"],
              onError: "Fail",
              timeout: "45m0s",
            },
          },
        ],
      },
    ]);
  });

  it("names are configurable; an external database drops the hook, the exclusions and the database steps", () => {
    const { profile } = configured("codedx", {
      namespace: "codedx",
      releaseName: "cdx",
      toolOrchestration: false,
      externalDatabase: true,
    });
    assert.deepEqual(profile.namespaces, ["codedx"]);
    assert.deepEqual(profile.hooks.pre, []);
    assert.deepEqual(profile.excludeVolumes, []);
    assert.deepEqual(profile.fsBackup, [
      { namespace: "codedx", kind: "Deployment", name: "cdx", volumes: ["codedx-appdata"] },
    ]);
    const steps = ids("codedx", { externalDatabase: true });
    assert.ok(!steps.includes("codedx-restore-db") && !steps.includes("codedx-restart-db"));
    assert.equal(
      scheduleOf(profile).spec.template && (scheduleOf(profile).spec.template as any).hooks,
      undefined,
    );
  });

  it("fs-backup opts the appdata, database backup and MinIO volumes in, as set-backup.ps1 -useVeleroResticIntegration", () => {
    const { profile } = configured("codedx");
    const prep = buildPreparation(profile, { fsBackup: "profile" });
    const fs = prep.find((p) => p.name === "fs-backup-annotations");
    assert.equal(
      fs?.env.FS_BACKUP_TARGETS,
      [
        "cdx-app Deployment codedx codedx-appdata",
        "cdx-app StatefulSet codedx-mariadb-slave backup",
        "cdx-svc Deployment codedx-tool-orchestration-minio data",
      ].join("\n"),
    );
    assert.equal(
      buildPreparation(profile, { fsBackup: "off" }).find((p) => p.name === "fs-backup-annotations"),
      undefined,
    );
    const excl = prep.find((p) => p.name === "exclude-volumes");
    assert.equal(excl?.env.EXCLUDE_TARGETS, "cdx-app app=mariadb,release=codedx data-");
  });

  it("restores in the seed's order: PriorityClasses, then everything, then restart MariaDB and restore the database", () => {
    const steps = ids("codedx");
    assertInOrder(steps, APP_SEED_ORDER.codedx);
    assert.equal(steps[steps.length - 1], "codedx-health");
  });

  it("each restore phase is a valid 1.10.3 Restore; the first restores only PriorityClasses and is named apart", () => {
    const chain = chainFor("codedx");
    const manifests = ["restore-priority-classes", "restore"].map((id) => {
      const env = envForStep(chain.steps.find((s) => s.id === id)!, chain.env);
      return {
        env,
        m: JSON.parse(env.RESTORE_MANIFEST.replace("__RESTORE_NAME__", "r").replace("__BACKUP_NAME__", "b")),
      };
    });
    for (const { m } of manifests) assert.deepEqual(crdErrors("v1.10.3", "Restore", m), []);
    assert.deepEqual(manifests[0].m.spec.includedResources, ["priorityclasses.scheduling.k8s.io"]);
    assert.equal(manifests[0].env.RESTORE_NAME_SUFFIX, "-priority-classes");
    assert.equal(manifests[1].m.spec.includedResources, undefined);
    assert.equal(manifests[1].env.RESTORE_NAME_SUFFIX, "");
    const second = chain.steps.find((s) => s.id === "restore")!;
    assert.ok(second.needs.includes("restore-priority-classes"));
  });
});

describe("app profiles: Nebari (seed 002)", () => {
  it("dumps Keycloak and conda-store and writes the NFS manifest before the backup; any failure fails it", () => {
    const schedule = scheduleOf(configured("nebari").profile);
    assert.deepEqual(crdErrors("v1.10.3", "Schedule", schedule), []);
    const hooks = (schedule.spec.template as any).hooks.resources;
    assert.deepEqual(
      hooks.map((h: any) => [h.name, h.labelSelector.matchLabels, h.pre[0].exec.onError]),
      [
        ["keycloak-dump", { "app.kubernetes.io/instance": "keycloak-postgres-standalone" }, "Fail"],
        ["conda-store-dump", { "app.kubernetes.io/instance": "nebari-conda-store-postgresql" }, "Fail"],
        ["nfs-manifest", { role: "nfs-server-nfs" }, "Fail"],
      ],
    );
    for (const h of hooks) {
      const script = h.pre[0].exec.command[2] as string;
      assert.equal(shellcheck(`#!/usr/bin/env bash\n${script.replace(/; /g, "\n")}\n`), "", h.name);
    }
    const dump = hooks[0].pre[0].exec.command[2] as string;
    assert.match(dump, /pg_dump --format=custom/);
    assert.match(dump, /\.tmp .*mv /, "a half-written dump is never under the final name");
  });

  it("restores Keycloak, then conda-store, then the NFS files, each verified before the next", () => {
    const steps = ids("nebari");
    assertInOrder(steps, APP_SEED_ORDER.nebari);
    const chain = chainFor("nebari");
    const condaRestore = chain.steps.find((s) => s.id === "restore-conda-store")!;
    assert.deepEqual(condaRestore.needs, ["wait-backup", "nebari-keycloak-verify"]);
  });

  it("phases select by labels (orLabelSelectors) and validate against the 1.10.3 Restore CRD", () => {
    const chain = chainFor("nebari", { realm: "science" });
    const keycloak = JSON.parse(
      envForStep(chain.steps.find((s) => s.id === "restore-keycloak")!, chain.env)
        .RESTORE_MANIFEST.replace("__RESTORE_NAME__", "r")
        .replace("__BACKUP_NAME__", "b"),
    );
    assert.deepEqual(crdErrors("v1.10.3", "Restore", keycloak), []);
    assert.deepEqual(keycloak.spec.orLabelSelectors, [
      { matchLabels: { "app.kubernetes.io/instance": "keycloak" } },
      { matchLabels: { "app.kubernetes.io/instance": "keycloak-postgres-standalone" } },
    ]);
    const verify = envForStep(chain.steps.find((s) => s.id === "nebari-keycloak-verify")!, chain.env);
    assert.match(verify.PG_COUNTS_SQL, /r\.name = 'science'/);
  });
});

describe("app profiles: Nokia EDA (seed 004)", () => {
  it("runs edactl platform backup in the eda-toolbox as a failing pre-backup hook and labels backups with the version", () => {
    const { profile } = configured("eda", { version: "25.4.1", keep: 5 });
    const schedule = scheduleOf(profile);
    assert.deepEqual(crdErrors("v1.10.3", "Schedule", schedule), []);
    const t = schedule.spec.template as any;
    assert.equal(t.metadata.labels["velero-dr/app-version"], "25.4.1");
    const hook = t.hooks.resources[0];
    assert.deepEqual(hook.labelSelector.matchLabels, { "eda.nokia.com/app": "eda-toolbox" });
    assert.equal(hook.pre[0].exec.container, "eda-toolbox");
    assert.equal(hook.pre[0].exec.onError, "Fail");
    assert.match(hook.pre[0].exec.command[2], /cd \/velero-dr-backup; edactl platform backup; .*tail -n \+6/);
  });

  it("the source prepares a labelled claim mounted into the toolbox and checks the running version", () => {
    const prep = buildPreparation(configured("eda", { version: "25.4.1" }).profile, { fsBackup: "off" });
    assert.deepEqual(
      prep.map((p) => p.name),
      ["app-version-check", "backup-volume"],
    );
    assert.equal(prep[0].env.APP_VERSION, "25.4.1");
    assert.equal(prep[1].env.BACKUP_VOLUME_ID, "eda-backup");
    for (const p of prep) assert.equal(shellcheck(buildScript(p.script)), "", p.name);
  });

  it("refuses another version before restoring, restores only the backup claim, then edactl platform restore", () => {
    const chain = chainFor("eda");
    const steps = chain.steps.map((s) => s.id);
    assertInOrder(steps, APP_SEED_ORDER.eda);
    assert.ok(chain.steps.find((s) => s.id === "restore")!.needs.includes("guard-app-version"));
    const m = JSON.parse(
      envForStep(chain.steps.find((s) => s.id === "restore")!, chain.env)
        .RESTORE_MANIFEST.replace("__RESTORE_NAME__", "r")
        .replace("__BACKUP_NAME__", "b"),
    );
    assert.deepEqual(crdErrors("v1.10.3", "Restore", m), []);
    assert.deepEqual(m.spec.includedResources, ["persistentvolumeclaims", "persistentvolumes"]);
    assert.deepEqual(m.spec.orLabelSelectors, [{ matchLabels: { "velero-dr/volume": "eda-backup" } }]);
  });
});

describe("app profiles: every step script of every profile passes shellcheck", () => {
  for (const name of ["dash-enterprise", "codedx", "nebari", "eda"]) {
    it(name, () => {
      for (const s of chainFor(name).steps) assert.equal(shellcheck(stepScript(s)), "", s.id);
    });
  }
});

describe("app profiles: example stacks under mocks and the policy pack", function () {
  this.timeout(120000);
  for (const app of ["codedx", "nebari", "eda"]) {
    describe(app, () => {
      let source: SourceRecording;
      before(async () => {
        source = await recordSource(`example-source-${app}`);
      });

      it("the source example registers its schedule with the profile's hooks and passes every policy", async () => {
        assert.deepEqual(unresolvedDependencies(source.resources, `example-source-${app}`), []);
        assert.deepEqual(
          await runAll(
            allPolicies,
            fromRecording(structuredClone(source.resources), `example-source-${app}`),
          ),
          [],
        );
        const schedule = source.resources.find((r) => r.type.endsWith("velero.io/v1:Schedule"));
        assert.ok(schedule, "a Schedule");
        assert.ok(schedule.inputs.spec.template.hooks.resources.length > 0);
        assert.deepEqual(
          crdErrors("v1.10.3", "Schedule", {
            ...schedule.inputs,
            metadata: { name: "x", namespace: "velero" },
          }),
          [],
        );
        const prep = source.resources.filter((r) => r.parent?.includes("velero-dr:apps:AppPreparation"));
        const commands = prep.filter((p) => p.custom).map((p) => p.name);
        // Code Dx leaves its MariaDB data out and opts volumes into fs-backup; EDA mounts its claim.
        const expected: Record<string, string[]> = {
          codedx: ["app-fs-backup-annotations", "app-exclude-volumes"],
          nebari: [],
          eda: ["app-app-version-check", "app-backup-volume"],
        };
        assert.deepEqual(commands, expected[app]);
        for (const c of commands) {
          assert.ok(
            schedule.dependencies.some((d) => d.endsWith(`::${c}`) || d === c),
            `the schedule waits for ${c}: ${schedule.dependencies.join(", ")}`,
          );
        }
      });

      it("the destination example restores with the profile's chain and passes every policy", async () => {
        const resources = await recordDestination(source, `example-destination-${app}`);
        assert.deepEqual(
          await runAll(allPolicies, fromRecording(structuredClone(resources), `example-destination-${app}`)),
          [],
        );
        const stepIds = resources
          .filter((r) => r.inputs.environment?.VELERO_DR_STEP_ID)
          .map((r) => r.inputs.environment.VELERO_DR_STEP_ID);
        assert.deepEqual(
          [...stepIds].sort(),
          [...ids(app, stackOptions(`example-destination-${app}`))].sort(),
        );
      });
    });
  }
});

describe("app profiles: bad app settings fail up front with the key, the value and the fix", () => {
  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    [
      "eda without a version on a source",
      "example-source-eda",
      { "velero-dr:app": '{"namespace":"eda-system"}' },
      /velero-dr:app\.version: is required for profile eda on a source stack/,
    ],
    [
      "a misspelt app key",
      "example-source-codedx",
      { "velero-dr:app": '{"relaseName":"codedx"}' },
      /velero-dr:app\.relaseName: unknown key; did you mean "releaseName"\?/,
    ],
    [
      "a release name that is no DNS label",
      "example-source-codedx",
      { "velero-dr:app": '{"releaseName":"Code_Dx"}' },
      /velero-dr:app\.releaseName: got "Code_Dx"; expected a DNS-1123 label/,
    ],
    [
      "fs-backup without the node agent",
      "example-source-codedx",
      { "velero-dr:velero": '{"nodeAgent":false}' },
      /velero-dr:fsBackup: got "profile": file-system backup of the profile's volumes needs the node agent; set velero.nodeAgent: true/,
    ],
  ];
  for (const [what, stack, edits, expected] of cases) {
    it(what, async () => {
      const { config, secretKeys } = stackFileConfig(stack);
      const run = await runProgram("bad", { ...config, ...(edits as Record<string, string>) }, secretKeys);
      assert.ok(run.error, "the program must fail");
      assert.match(run.error.message, expected);
      assert.equal(run.recorder.resources.length, 0, "nothing registered");
    });
  }
});

function stackOptions(stack: string): Record<string, unknown> {
  const raw = stackFileConfig(stack).config["velero-dr:app"];
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}
