import { strict as assert } from "assert";
import { bslCheckScript, firstBackupScript, buildFirstBackupManifest } from "../../components/velero/checks";
import { buildScript, KUBECONFIG_ENV } from "../../components/shell/script";
import { runScript, shellcheck, verbOf } from "../support/bash";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: secret-token-123\n";
const bslKey = "backupstoragelocations.velero.io/velero/default";
const bslEnv = {
  [KUBECONFIG_ENV]: KUBECONFIG,
  VELERO_NAMESPACE: "velero",
  BSL_NAME: "default",
  BSL_TIMEOUT_SECONDS: "2",
};

describe("post-install check scripts (bash + shellcheck + fake kubectl)", () => {
  it("pass shellcheck", () => {
    assert.equal(shellcheck(bslCheckScript()), "");
    assert.equal(shellcheck(firstBackupScript()), "");
  });

  it("shellcheck is really checking (a broken script is reported)", () => {
    assert.notEqual(shellcheck(buildScript({ kubeconfig: false, env: [], body: "echo $UNQUOTED_VAR" })), "");
  });

  describe("BSL Available check", () => {
    it("succeeds once Velero reports Available, after an early Unavailable", () => {
      const r = runScript(bslCheckScript(), bslEnv, {
        objects: { [bslKey]: { sequences: { ".status.phase": ["", "Unavailable", "Available"] } } },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /default is Available/);
      assert.equal(r.calls.filter((c) => c.argv.includes("jsonpath={.status.phase}")).length, 3);
    });

    it("fails with Velero's message and the seed's firewall advice when it stays Unavailable", () => {
      const r = runScript(
        bslCheckScript(),
        { ...bslEnv, BSL_TIMEOUT_SECONDS: "1", VELERO_DR_POLL_SECONDS: "1" },
        {
          objects: {
            [bslKey]: {
              sequences: { ".status.phase": ["Unavailable"] },
              status: { message: "rpc error: dial tcp: i/o timeout" },
            },
          },
        },
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /is Unavailable after 1s/);
      assert.match(r.stderr, /Velero reports: rpc error: dial tcp: i\/o timeout/);
      assert.match(r.stderr, /firewall/);
    });

    it("fails when the BSL does not exist at all", () => {
      const r = runScript(
        bslCheckScript(),
        { ...bslEnv, BSL_TIMEOUT_SECONDS: "1", VELERO_DR_POLL_SECONDS: "1" },
        {},
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not reporting a phase/);
    });

    it("hands the kubeconfig over as a mode-600 file, removes it on exit, and never on a command line", () => {
      const r = runScript(bslCheckScript(), bslEnv, {
        objects: { [bslKey]: { status: { phase: "Available" } } },
      });
      assert.equal(r.code, 0);
      const seen = r.calls[0].kubeconfig;
      assert.ok(seen && !seen.missing);
      assert.equal(seen.mode, "600");
      assert.equal(seen.content?.trim(), KUBECONFIG.trim());
      assert.equal(seen.existsAfterExit, false, "the kubeconfig file is removed when the script exits");
      for (const c of r.calls) assert.ok(!c.argv.join(" ").includes("secret-token-123"));
      assert.ok(!r.stdout.includes("secret-token-123") && !r.stderr.includes("secret-token-123"));
    });

    it("refuses to run without its inputs", () => {
      const r = runScript(bslCheckScript(), { ...bslEnv, BSL_NAME: "" });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /BSL_NAME is not set/);
    });
  });

  describe("first backup", () => {
    it("carries the template's labels on the Backup, as a backup from the Schedule does (the app version the guard reads)", () => {
      const m = JSON.parse(
        buildFirstBackupManifest({
          name: "eda-daily-first",
          namespace: "velero",
          schedule: "eda-daily",
          storageLocation: "default",
          spec: { metadata: { labels: { "velero-dr/app-version": "25.4.1", "velero-dr/profile": "eda" } } },
        }),
      );
      assert.deepEqual(m.metadata.labels, {
        "velero-dr/app-version": "25.4.1",
        "velero-dr/profile": "eda",
        "app.kubernetes.io/managed-by": "velero-dr",
        "velero.io/schedule-name": "eda-daily",
        "velero.io/storage-location": "default",
      });
    });

    const manifest = buildFirstBackupManifest({
      name: "dash-daily-first",
      namespace: "velero",
      schedule: "dash-daily",
      storageLocation: "default",
      spec: { includedNamespaces: ["dash-apps"] },
    });
    const env = {
      [KUBECONFIG_ENV]: KUBECONFIG,
      VELERO_NAMESPACE: "velero",
      BACKUP_NAME: "dash-daily-first",
      BACKUP_MANIFEST: manifest,
      BACKUP_TIMEOUT_SECONDS: "5",
    };

    it("creates the Backup and waits for Completed", () => {
      const r = runScript(firstBackupScript(), env, {
        onCreate: {
          "backups.velero.io": { sequences: { ".status.phase": ["", "InProgress", "Completed"] } },
        },
      });
      assert.equal(r.code, 0, r.stderr);
      const created = r.calls.find((c) => verbOf(c) === "create");
      assert.ok(created, "kubectl create was called");
      assert.deepEqual(JSON.parse(created.stdin as string), JSON.parse(manifest));
      assert.ok(r.state.objects["backups.velero.io/velero/dash-daily-first"]);
    });

    it("does not create a second backup when run again", () => {
      const r = runScript(firstBackupScript(), env, {
        objects: { "backups.velero.io/velero/dash-daily-first": { status: { phase: "Completed" } } },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.calls.filter((c) => verbOf(c) === "create").length, 0);
    });

    it("fails when Velero reports the backup PartiallyFailed", () => {
      const r = runScript(firstBackupScript(), env, {
        onCreate: {
          "backups.velero.io": { sequences: { ".status.phase": ["InProgress", "PartiallyFailed"] } },
        },
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ended PartiallyFailed/);
      assert.match(r.stderr, /backup describe dash-daily-first/);
    });
  });
});
