import { strict as assert } from "assert";
import { buildPreparation } from "../../../components/apps/preparation";
import { envForStep } from "../../../components/restore/chain";
import { configured, chainFor, scheduleOf, assertInOrder, ids } from "../../../test/support/app-profiles";
import { crdErrors } from "../../../test/support/crd";
import { SEED_ORDER } from "./seed-order";

/**
 * The Code Dx profile (the Code Dx Kubernetes Backup & Restore Procedure): what its backups carry and
 * the order its restores follow.
 */
describe("app profiles: Code Dx (the Code Dx Kubernetes Backup & Restore Procedure)", () => {
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

  it("restores in the seed's order: PriorityClasses, then everything, then restart MariaDB and restore the database; then the backup configuration again", () => {
    const steps = ids("codedx");
    assertInOrder(steps, SEED_ORDER);
    // Before the health check, which the destination's Schedules wait for.
    assert.equal(steps[steps.length - 1], "codedx-health");
    const chain = chainFor("codedx");
    const step = chain.steps.find((s) => s.id === "reapply-backup-exclusions");
    assert.deepEqual(step?.needs, ["bsl-read-write"]);
    assert.deepEqual(chain.steps.find((s) => s.id === "codedx-health")?.needs, ["reapply-backup-exclusions"]);
    assert.equal(step?.vars?.EXCLUDE_TARGETS, "cdx-app app=mariadb,release=codedx data-");
    // Not promoted (this cluster takes no backups), or no database of its own: nothing to apply.
    const without = (o: Record<string, unknown>, promoteToPrimary: boolean) =>
      chainFor("codedx", o, { promoteToPrimary }).steps.some((s) => s.id === "reapply-backup-exclusions");
    assert.equal(without({}, false), false);
    assert.equal(without({ externalDatabase: true }, true), false);
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
