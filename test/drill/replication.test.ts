import { strict as assert } from "assert";
import { backupsIn, replicaLag, versionIdentities } from "../../drill/lib/replication";

/** The region-loss drill's replication figures, from store listings (Minio.listVersions lines). */

const line = (key: string, version: string, at: string, etag = '"e"', kind = "Version") =>
  [kind, key, version, etag, "10", at, "true"].join(" ");

const PRIMARY = [
  line("backups/dash-daily-1/velero-backup.json", "v1", "2026-12-06T09:00:00.000Z"),
  line("backups/dash-daily-1/dash-daily-1.tar.gz", "v2", "2026-12-06T08:59:59.000Z"),
  line("backups/dash-daily-2/velero-backup.json", "v3", "2026-12-06T09:10:00.000Z"),
  line("backups/dash-daily-3/velero-backup.json", "v4", "2026-12-06T09:25:30.000Z"),
  line("restores/restore-x/restore-x-logs.gz", "v5", "2026-12-06T09:30:00.000Z"),
];

describe("drill replication figures (region-loss drill)", () => {
  it("finds Velero's backups by their metadata object, under the store's prefix", () => {
    assert.deepEqual([...backupsIn(PRIMARY).keys()].sort(), ["dash-daily-1", "dash-daily-2", "dash-daily-3"]);
    const prefixed = PRIMARY.map((l) => l.replace(" backups/", " dash/backups/"));
    assert.deepEqual([...backupsIn(prefixed, "dash").keys()].length, 3);
    assert.deepEqual([...backupsIn(prefixed).keys()], []);
  });

  it("a replica that has caught up adds no RPO", () => {
    const lag = replicaLag(PRIMARY, PRIMARY);
    assert.equal(lag.lagSeconds, 0);
    assert.deepEqual(lag.missingInReplica, []);
    assert.equal(lag.newestInReplica?.name, "dash-daily-3");
  });

  it("a replica behind by one backup: the lag is the time between the two newest backups, the missing one named", () => {
    const lag = replicaLag(PRIMARY, PRIMARY.slice(0, 3));
    assert.equal(lag.newestInPrimary?.name, "dash-daily-3");
    assert.equal(lag.newestInReplica?.name, "dash-daily-2");
    assert.equal(lag.lagSeconds, 930);
    assert.deepEqual(lag.missingInReplica, ["dash-daily-3"]);
  });

  it("a replica without any backup has no measurable lag (null), every backup missing", () => {
    const lag = replicaLag(PRIMARY, []);
    assert.equal(lag.lagSeconds, null);
    assert.equal(lag.missingInReplica.length, 3);
  });

  it("compares versions by key, version id, ETag and size, not by the replica's own write time", () => {
    const replica = PRIMARY.map((l) => l.replace("2026-12-06T09", "2026-12-06T10"));
    assert.deepEqual(versionIdentities(replica), versionIdentities(PRIMARY));
    const changed = PRIMARY.map((l, i) => (i === 0 ? l.replace('"e"', '"f"') : l));
    assert.notDeepEqual(versionIdentities(changed), versionIdentities(PRIMARY));
  });
});
