import { strict as assert } from "assert";
import { apps } from "../../apps";
import { configureApp } from "../../components/apps/definition";
import {
  crossRegionProblem,
  resolveVolumeBackup,
  snapshotOnlyVolumes,
  sourceVolumeFacts,
  VolumeKeysSet,
} from "../../components/config/volume-backup";
import { AppProfile } from "../../components/model/profile";

/**
 * Each app profile declares how its volumes are backed up by default, from its vendor's document
 * (#17 item 1), and the stack's keys win; pure functions, no Pulumi.
 */

const profileOf = (name: keyof typeof apps, options: Record<string, unknown> = {}): AppProfile => {
  const def = apps[name];
  return configureApp(def, def.options.parse(options) as object).profile;
};
const key = (k: string) => `velero-dr:${k}`;
const AZURE = { fileSystemBackup: true };
const NO_FS_BACKEND = { fileSystemBackup: false };
const resolve = (p: AppProfile, set: VolumeKeysSet = {}, backend = AZURE) =>
  resolveVolumeBackup(p, backend, set, key);

describe("volume backup: each profile's default, from its vendor's document", () => {
  it("Dash Enterprise: every pod volume file by file, node agent, restic (the guide's 'restic Backups')", () => {
    const r = resolve(profileOf("dash-enterprise"));
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.settings, {
      fsBackup: "off",
      defaultVolumesToFsBackup: true,
      nodeAgent: true,
      uploaderType: "restic",
      snapshotVolumes: true,
    });
  });

  it("Code Dx: its three volumes file by file with restic and no snapshots (the Restic-integration mode)", () => {
    const r = resolve(profileOf("codedx"));
    assert.deepEqual(r.settings, {
      fsBackup: "profile",
      defaultVolumesToFsBackup: false,
      nodeAgent: true,
      uploaderType: "restic",
      snapshotVolumes: false,
    });
  });

  it("Nebari: its listed volumes file by file (kopia, the program's default), the others still snapshotted", () => {
    const r = resolve(profileOf("nebari"));
    assert.deepEqual(r.settings, {
      fsBackup: "profile",
      defaultVolumesToFsBackup: false,
      nodeAgent: true,
      uploaderType: "kopia",
      snapshotVolumes: true,
    });
  });

  it("EDA: disk snapshots, no node agent", () => {
    const r = resolve(profileOf("eda", { version: "25.4.1" }));
    assert.deepEqual(r.settings, {
      fsBackup: "off",
      defaultVolumesToFsBackup: false,
      nodeAgent: false,
      uploaderType: "kopia",
      snapshotVolumes: true,
    });
  });

  it("every profile says why (README's table)", () => {
    for (const name of Object.keys(apps) as (keyof typeof apps)[]) {
      const p = profileOf(name, name === "eda" ? { version: "25.4.1" } : {});
      assert.ok(p.volumeBackup.why.length > 40, name);
      if (p.volumeBackup.mode === "fs-backup") assert.ok(p.volumeBackup.volumes, name);
      if (p.volumeBackup.volumes === "listed") assert.ok(p.fsBackup.length > 0, name);
    }
  });

  it("on a backend without file-system backup the default stays out", () => {
    for (const name of ["dash-enterprise", "codedx", "nebari"] as const) {
      const s = resolve(profileOf(name), {}, NO_FS_BACKEND).settings;
      assert.equal(s.fsBackup, "off", name);
      assert.equal(s.defaultVolumesToFsBackup, false, name);
      assert.equal(s.nodeAgent, false, name);
    }
  });
});

describe("volume backup: the stack's keys win", () => {
  it("fsBackup: off alone means snapshots (Dash's 'all' does not come back through it), no node agent", () => {
    const s = resolve(profileOf("dash-enterprise"), { fsBackup: "off" }).settings;
    assert.equal(s.defaultVolumesToFsBackup, false);
    assert.equal(s.nodeAgent, false);
    const c = resolve(profileOf("codedx"), { fsBackup: "off" }).settings;
    assert.equal(c.fsBackup, "off");
    assert.equal(c.snapshotVolumes, true, "Code Dx's storage-provider mode snapshots");
  });

  it("an uploader set by the stack wins over the profile's", () => {
    assert.equal(resolve(profileOf("codedx"), { uploaderType: "kopia" }).settings.uploaderType, "kopia");
  });

  it("refuses velero.nodeAgent: false with file-system backup, naming the key and the way out", () => {
    const r = resolve(profileOf("dash-enterprise"), { nodeAgent: false });
    assert.equal(r.problems.length, 1);
    assert.match(
      r.problems[0],
      /^velero-dr:velero\.nodeAgent: got false, but Plotly Dash Enterprise 5's profile copies volumes file by file by default .*: file-system backup needs the node agent; remove the key .*, or set velero-dr:fsBackup: off and velero-dr:velero\.defaultVolumesToFsBackup: false/,
    );
    assert.deepEqual(
      resolve(profileOf("dash-enterprise"), { nodeAgent: false, fsBackup: "off" }).problems,
      [],
    );
  });

  it("refuses fsBackup: profile for a profile that lists no volume", () => {
    const r = resolve(profileOf("dash-enterprise"), { fsBackup: "profile" });
    assert.match(
      r.problems.join("\n"),
      /velero-dr:fsBackup: got "profile", but Plotly Dash Enterprise 5's profile lists no volumes to copy file by file; remove the key \(the profile copies every pod volume by default\)/,
    );
  });
});

describe("volume backup: the volumes a source backs up only as snapshots", () => {
  it("names every volume of the namespaces, the claim an app's own backups are on, the listed ones spared", () => {
    const eda = profileOf("eda", { version: "25.4.1" });
    assert.equal(
      snapshotOnlyVolumes(eda, { fsBackup: "off", snapshotVolumes: true }),
      "every persistent volume in eda-system (among them velero-dr-eda-backup, the claim holding Nokia EDA's own backups)",
    );
    const nebari = profileOf("nebari");
    assert.match(
      snapshotOnlyVolumes(nebari, { fsBackup: "profile", snapshotVolumes: true }) ?? "",
      /^every persistent volume in dev except the ones copied file by file \(data of StatefulSet dev\/keycloak-postgres-standalone; .*storage of Deployment dev\/nfs-server-nfs\)$/,
    );
    assert.equal(snapshotOnlyVolumes(nebari, { fsBackup: "all", snapshotVolumes: true }), undefined);
    assert.equal(snapshotOnlyVolumes(nebari, { fsBackup: "off", snapshotVolumes: false }), undefined);
  });

  it("reads older source outputs conservatively: no node agent means snapshots", () => {
    assert.deepEqual(sourceVolumeFacts({ uploaderType: "" }, { volumeSnapshots: true }), {
      fsBackup: "off",
      snapshotVolumes: true,
      uploaderType: "",
    });
    assert.equal(sourceVolumeFacts({ uploaderType: "kopia" }, { volumeSnapshots: true }).fsBackup, "profile");
  });

  it("the guard compares regions ignoring case and spaces", () => {
    const eda = profileOf("eda", { version: "25.4.1" });
    const at = (sourceRegion: string, destinationRegion: string) =>
      crossRegionProblem({
        profile: eda,
        source: { fsBackup: "off", snapshotVolumes: true },
        sourceRegion,
        destinationRegion,
        regionKey: key("azure.location"),
      });
    assert.equal(at("westeurope", "West Europe"), undefined);
    assert.match(at("westeurope", "northeurope") ?? "", /^velero-dr:azure\.location: got "northeurope"/);
  });
});
