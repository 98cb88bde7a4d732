import { strict as assert } from "assert";
import { z } from "zod";
import {
  awsDestinationLocations,
  awsReadBucket,
  awsReplicaOf,
  awsSourceOutputKeys,
} from "../../components/backends/aws/read";
import { backupLocationProblems } from "../../components/backends/kit/read-location";
import type { SourceOutputs } from "../../components/config/destination-schema";
import { exampleSourceOutputs } from "../support/examples";

/**
 * Where a destination reads an AWS source's backups (#17 item 3): the replica bucket in the
 * recovery region by default when the source has one, the primary on request; the BSL names that
 * bucket, its region and key; promotion onto the replica is refused like on Azure. The outputs are
 * example-source-aws's own (run under mocks), read through the schema a destination uses.
 */

const schema = z.looseObject(awsSourceOutputKeys);

describe("AWS source outputs: where a destination reads (backup.location)", () => {
  let withReplica: Record<string, any>;
  let withoutReplica: Record<string, any>;

  before(async () => {
    withReplica = schema.parse(await exampleSourceOutputs("example-source-aws")) as Record<string, any>;
    const { replica: _r, ...storage } = withReplica.storage;
    void _r;
    withoutReplica = { ...withReplica, storage };
  });

  it("the example source exports its replica: bucket, recovery region and key", () => {
    assert.equal(withReplica.storage.replica.bucketName, "dash-backups-example-02");
    assert.equal(withReplica.storage.replica.region, "eu-central-1");
    assert.match(withReplica.storage.replica.kmsKeyArn, /^arn:aws:kms:/);
    assert.deepEqual(awsReplicaOf(withReplica as SourceOutputs), {
      where: "`dash-backups-example-02` (eu-central-1)",
    });
    assert.equal(awsReplicaOf(withoutReplica as SourceOutputs), undefined);
  });

  it("default: the BSL reads the replica bucket in the recovery region with the replica's key; snapshots stay in the source's region", () => {
    const loc = awsDestinationLocations(withReplica, { backup: {} });
    assert.equal(loc.provider, "aws");
    assert.equal(loc.pluginImage, "velero/velero-plugin-for-aws");
    assert.equal(loc.bsl.bucket, "dash-backups-example-02");
    assert.deepEqual(loc.bsl.config, {
      region: "eu-central-1",
      kmsKeyId: withReplica.storage.replica.kmsKeyArn,
    });
    assert.deepEqual(loc.vsl, { config: { region: "eu-west-1" } });
  });

  it("backup.location: primary reads the source's own bucket in its region", () => {
    const loc = awsDestinationLocations(withReplica, { backup: { location: "primary" } });
    assert.equal(loc.bsl.bucket, "dash-backups-example-01");
    assert.deepEqual(loc.bsl.config, { region: "eu-west-1" });
  });

  it("a source without a replica is read from its primary; the replica asked for is refused", () => {
    assert.equal(awsReadBucket(withoutReplica, undefined).bucketName, "dash-backups-example-01");
    assert.throws(
      () => awsReadBucket(withoutReplica, "replica"),
      /velero-dr:backup\.location: got "replica", but the source's outputs have no storage\.replica/,
    );
  });

  it("keeps the source's prefix on whichever bucket it reads", () => {
    const prefixed = { ...withReplica, storage: { ...withReplica.storage, prefix: "dash" } };
    assert.equal(awsDestinationLocations(prefixed, {}).bsl.prefix, "dash");
    assert.equal(awsDestinationLocations(withReplica, {}).bsl.prefix, undefined);
  });

  it("refuses promotion onto the replica, naming the keys and both ways out", () => {
    const problems = (
      choice: "primary" | "replica" | undefined,
      promoteToPrimary: boolean,
      o = withReplica,
    ) =>
      backupLocationProblems({
        support: { replica: awsReplicaOf },
        source: o as SourceOutputs,
        choice,
        promoteToPrimary,
        namespace: "velero-dr",
      });
    const [refused] = problems(undefined, true);
    assert.match(
      refused,
      /^velero-dr:restore\.promoteToPrimary: got true, but this destination reads the source's replica `dash-backups-example-02` \(eu-central-1\) \(velero-dr:backup\.location unset: the replica, since the source has one\); .*Set velero-dr:restore\.promoteToPrimary: false .*or velero-dr:backup\.location: primary/,
    );
    assert.equal(problems("replica", true).length, 1);
    // Not promoted, or promoted onto the primary, or no replica to read: nothing to refuse.
    assert.deepEqual(problems(undefined, false), []);
    assert.deepEqual(problems("replica", false), []);
    assert.deepEqual(problems("primary", true), []);
    assert.deepEqual(problems(undefined, true, withoutReplica), []);
    assert.match(problems("replica", false, withoutReplica)[0], /^velero-dr:backup\.location: got "replica"/);
  });
});
