import { strict as assert } from "assert";
import { allPolicies } from "../../policies/rules/all";
import { fromRecording, runAll } from "../policies/support";
import { readStackFile } from "../../components/config/stack-file";
import { validateStackConfig } from "../../stacks/config";
import { ConfigError } from "../../components/config/errors";
import { FAKE, plainOccurrences, Registered, resolve, RunResult, secretPaths } from "../support/harness";
import { exampleSourceOutputs, runDestination } from "../support/examples";
import { runbook } from "../support/runbook";
import { ancestors, unmet } from "../../tools/bench/graph";
import { hardEdges } from "../../tools/bench/hard";
import { buildGraph } from "../../tools/bench/recorded";
import { SEED_ORDER_ONLINE } from "../../apps/dash-enterprise/test/seed-order";
import { olderEksRefusal } from "../../components/targets/existing-eks";

const STACK = "example-destination-aws";
const BUCKET = "dash-backups-example-01";
const NEW_OIDC = `arn:aws:iam::${FAKE.awsAccount}:oidc-provider/${FAKE.newEksIssuer.replace("https://", "")}`;

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

const statements = (r: Registered): Statement[] =>
  (JSON.parse(r.inputs.policy as string) as { Statement: Statement[] }).Statement;
const actions = (r: Registered): string[] => statements(r).flatMap((s) => [s.Action].flat());
const WRITES =
  /^(s3:(Put|Delete|Abort|ListMultipart|Replicate|Restore)|ec2:(CreateSnapshot|DeleteSnapshot))|kms:(Encrypt|GenerateDataKey)/;

/**
 * A destination restoring Dash Enterprise from S3 into a new EKS cluster (example-destination-aws
 * under mocks, its StackReference answered by example-source-aws).
 */
describe("AWS destination stack (example-destination-aws under mocks)", () => {
  let run: RunResult;
  const one = (t: string, suffix?: string) => run.recorder.one(t, suffix);
  const deps = (r: Registered) => run.recorder.dependencyNames(r);
  const steps = () =>
    run.recorder.byType("command:local:Command").filter((c) => c.inputs.environment?.VELERO_DR_STEP_ID);
  const step = (id: string) => one("command:local:Command", `restore-${id}`);
  const policy = (name: string) => one("aws:iam/policy:Policy", name);

  before(async () => {
    run = await runDestination(STACK);
    if (run.error) throw run.error;
    assert.deepEqual(run.asyncErrors, []);
  });

  it("validates: the node group sized from the profile (4 x m6i.2xlarge), the aws section", () => {
    const cfg = validateStackConfig(readStackFile(STACK));
    assert.equal(cfg.role, "destination");
    assert.equal(cfg.cloud, "aws");
    if (cfg.role !== "destination") return;
    assert.equal(cfg.cluster.createEks?.instanceType, "m6i.2xlarge");
    assert.equal(cfg.cluster.createEks?.nodeCount, 4);
  });

  it("creates the EKS cluster, its managed node group and its IAM OIDC provider with the stack's AWS provider", () => {
    const provider = one("pulumi:providers:aws");
    assert.equal(provider.inputs.region, "eu-west-1");
    assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds), [FAKE.awsAccount]);
    const cluster = one("aws:eks/cluster:Cluster");
    assert.equal(cluster.inputs.name, "dr-example-destination-aws");
    assert.equal(cluster.inputs.version, "1.29");
    assert.deepEqual(cluster.inputs.vpcConfig.subnetIds, [
      "subnet-0a1b2c3d4e5f60718",
      "subnet-0b2c3d4e5f6071829",
    ]);
    const nodes = one("aws:eks/nodeGroup:NodeGroup");
    assert.deepEqual(nodes.inputs.instanceTypes, ["m6i.2xlarge"]);
    assert.deepEqual(nodes.inputs.scalingConfig, { desiredSize: 4, minSize: 4, maxSize: 6 });
    assert.equal(nodes.inputs.clusterName, "dr-example-destination-aws");
    const oidc = one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.equal(oidc.inputs.url, FAKE.newEksIssuer);
    assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
    for (const r of run.recorder.resources.filter((x) => x.type.startsWith("aws:") && x.custom)) {
      assert.match(
        r.provider ?? "",
        /pulumi:providers:aws::aws::/,
        `${r.type} ${r.name} uses the stack's provider`,
      );
    }
    assert.equal(one("aws:eks/addon:Addon").inputs.addonName, "aws-ebs-csi-driver");
  });

  it("gives Velero an IRSA role of its own, trusted only by its service account through the new cluster's provider", () => {
    const role = one("aws:iam/role:Role", "velero-identity-role");
    assert.equal(role.inputs.name, "velero-dr-example-destination-aws");
    const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement;
    assert.equal(trust.length, 1);
    assert.deepEqual(trust[0].Principal, { Federated: NEW_OIDC });
    const issuer = FAKE.newEksIssuer.replace("https://", "");
    assert.deepEqual(trust[0].Condition, {
      StringEquals: {
        [`${issuer}:sub`]: "system:serviceaccount:velero:velero-server",
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    });
  });

  it("while restoring the role reads the bucket and nothing more: exactly GetObject on its objects, ListBucket on it", () => {
    assert.deepEqual(statements(policy("velero-identity-read")), [
      {
        Sid: "VeleroReadBackups",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [`arn:aws:s3:::${BUCKET}/*`],
      },
      {
        Sid: "VeleroListBackups",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`arn:aws:s3:::${BUCKET}`],
      },
    ]);
    // The EBS grant creates volumes, in the snapshots' region only; restic's grant its lock objects only.
    const volumes = statements(policy("velero-identity-volumes"));
    assert.deepEqual(
      volumes.map((s) => s.Condition),
      [{ StringEquals: { "aws:RequestedRegion": "eu-west-1" } }],
    );
    assert.ok(!actions(policy("velero-identity-volumes")).some((a) => WRITES.test(a)));
    assert.deepEqual(
      statements(policy("velero-identity-restic-locks")).map((s) => s.Resource),
      [[`arn:aws:s3:::${BUCKET}/restic/*/locks/*`]],
    );
    // Every grant that exists before the restore is done holds no other write.
    const g = buildGraph(run.recorder.resources);
    const restore = run.recorder.urnOf(step("restore"));
    for (const p of run.recorder.byType("aws:iam/policy:Policy").filter((x) => /velero/.test(x.name))) {
      if (ancestors(g.needs, run.recorder.urnOf(p)).has(restore)) continue;
      const writes = statements(p)
        .filter((s) => s.Sid !== "ResticRepositoryLocks")
        .flatMap((s) => [s.Action].flat())
        .filter((a) => WRITES.test(a));
      assert.deepEqual(writes, [], p.name);
    }
  });

  it("installs Velero with plugin v1.6.2, the role in its service account, the BSL ReadOnly on the source's bucket", () => {
    const r = one("kubernetes:helm.sh/v3:Release").inputs;
    assert.equal(r.version, "3.1.6");
    assert.equal(r.values.image.tag, "v1.10.3");
    assert.equal(r.values.initContainers[0].image, "velero/velero-plugin-for-aws:v1.6.2");
    assert.equal(r.values.configuration.provider, "aws");
    assert.deepEqual(r.values.serviceAccount.server.annotations, {
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${FAKE.awsAccount}:role/velero-dr/velero-dr-example-destination-aws`,
    });
    const bsl = r.values.configuration.backupStorageLocation;
    assert.equal(bsl.accessMode, "ReadOnly");
    assert.equal(bsl.bucket, BUCKET);
    assert.deepEqual(bsl.config, { region: "eu-west-1" });
    assert.deepEqual(r.values.configuration.volumeSnapshotLocation.config, { region: "eu-west-1" });
    assert.equal(r.values.credentials.useSecret, false, "no credentials Secret: IRSA");
    assert.equal(run.recorder.byType("kubernetes:core/v1:Secret").length, 0);
  });

  it("registers the chain's Commands in the seed's order, the guard first, the restore declaring its read-only storage", () => {
    const commands = steps();
    const ids = commands.map((c) => c.inputs.environment.VELERO_DR_STEP_ID as string);
    assert.deepEqual([...ids].sort(), [...SEED_ORDER_ONLINE].sort());
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
    const g = buildGraph(run.recorder.resources);
    const guard = run.recorder.urnOf(step("guard-different-cluster"));
    for (const c of commands.filter((x) => x !== step("guard-different-cluster"))) {
      assert.ok(ancestors(g.needs, run.recorder.urnOf(c)).has(guard), `${c.name} after the guard`);
    }
    assert.equal(step("guard-different-cluster").inputs.environment.SOURCE_API_SERVER, FAKE.eksEndpoint);
    assert.equal(step("restore").inputs.environment.VELERO_DR_STORAGE_READ_ONLY, "true");
    assert.equal(step("restore").inputs.environment.VELERO_DR_SOURCE_REGION, "eu-west-1");
    assert.equal(step("restore").inputs.environment.VELERO_DR_DESTINATION_REGION, "eu-west-1");
    assert.deepEqual(
      unmet(g.needs, hardEdges(g)).map((e) => `${e.from} needs ${e.to}`),
      [],
    );
  });

  it("moves Route 53: the unpublish after the guard, the publish with the new address after the restore", () => {
    const g = buildGraph(run.recorder.resources);
    const urn = (id: string) => run.recorder.urnOf(step(id));
    const publish = ancestors(g.needs, urn("dns-publish"));
    for (const id of ["wait-load-balancer", "restore", "dns-unpublish"]) assert.ok(publish.has(urn(id)), id);
    assert.ok(ancestors(g.needs, urn("dns-unpublish")).has(urn("guard-different-cluster")));
    const env = step("dns-publish").inputs.environment;
    assert.equal(env.LB_ADDRESS, "20.50.60.70");
    assert.equal(env.DNS_ROUTE53_ZONE_ID, "Z0123456789ABCDEFGHIJ");
    assert.equal(env.DNS_ROUTE53_ALIAS_ZONE_ID, "Z2IFOLAFXWLO4F");
    assert.equal(step("dns-unpublish").inputs.environment.VELERO_DR_STEP_KIND, "dns-unpublish");
  });

  it("grants writes only after the restore chain, on the bucket it then writes; the Schedules wait for them", () => {
    const write = policy("velero-write-policy");
    const objects = statements(write).find((s) => s.Sid === "VeleroWriteBackups") as Statement;
    assert.deepEqual(objects.Resource, [`arn:aws:s3:::${BUCKET}/*`]);
    const g = buildGraph(run.recorder.resources);
    const attachment = one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "velero-write-attachment");
    assert.equal(attachment.inputs.role, "velero-dr-example-destination-aws");
    const needs = ancestors(g.needs, run.recorder.urnOf(attachment));
    for (const c of steps()) assert.ok(needs.has(run.recorder.urnOf(c)), `after ${c.name}`);
    const schedule = one("kubernetes:velero.io/v1:Schedule");
    assert.ok(ancestors(g.needs, run.recorder.urnOf(schedule)).has(run.recorder.urnOf(attachment)));
  });

  it("keeps the kubeconfig secret and the stack's outputs free of it", async () => {
    const k8s = one("pulumi:providers:kubernetes", "cluster-k8s");
    assert.ok(secretPaths(k8s.raw).includes("kubeconfig"));
    const kubeconfigs = steps().filter((x) => x.inputs.environment.VELERO_DR_KUBECONFIG);
    assert.ok(kubeconfigs.length > 5);
    for (const c of kubeconfigs) {
      assert.ok(
        secretPaths(c.raw).some((p) => p.startsWith("environment")),
        c.name,
      );
      // The kubeconfig's exec user (aws eks get-token) is never in plain text.
      assert.deepEqual(plainOccurrences(c.raw, "get-token"), [], c.name);
    }
    const { value } = await resolve(run.outputs as Record<string, unknown>);
    const o = value as Record<string, unknown>;
    assert.deepEqual(o.restoreSteps, SEED_ORDER_ONLINE);
    assert.ok(!JSON.stringify(o).includes("get-token"), "no kubeconfig in the outputs");
  });

  it("passes the policy pack", async () => {
    const findings = await runAll(allPolicies, fromRecording(structuredClone(run.recorder.resources), STACK));
    assert.deepEqual(
      findings.filter((f) => f.level === "mandatory"),
      [],
    );
  });

  it("a rehearsal writes nothing: no write grant, no DNS step, no Schedules, and the pack agrees", async () => {
    const rehearsal = await runDestination(STACK, (c) => {
      const restore = JSON.parse(c["velero-dr:restore"] ?? "{}");
      delete restore.promoteToPrimary;
      c["velero-dr:restore"] = JSON.stringify(restore);
      delete c["velero-dr:dns"];
      c["velero-dr:mode"] = "rehearsal";
    });
    assert.equal(rehearsal.error, undefined, rehearsal.error?.message);
    const names = rehearsal.recorder.resources.map((r) => r.name);
    assert.ok(!names.some((n) => n.startsWith("velero-write")), "no write grant");
    assert.equal(rehearsal.recorder.byType("kubernetes:velero.io/v1:Schedule").length, 0);
    const kinds = rehearsal.recorder
      .byType("command:local:Command")
      .map((c) => c.inputs.environment?.VELERO_DR_STEP_KIND);
    for (const k of ["dns-unpublish", "dns-publish", "promote"]) assert.ok(!kinds.includes(k), k);
    assert.deepEqual(
      (await runAll(allPolicies, fromRecording(structuredClone(rehearsal.recorder.resources), STACK))).filter(
        (f) => f.level === "mandatory",
      ),
      [],
    );
  });

  it("region down: reads the source's replica by default (bucket, region, key), the role reads only the replica", async () => {
    const down = await runDestination(STACK, (c) => {
      const backup = JSON.parse(c["velero-dr:backup"]);
      delete backup.location;
      c["velero-dr:backup"] = JSON.stringify(backup);
      const restore = JSON.parse(c["velero-dr:restore"] ?? "{}");
      c["velero-dr:restore"] = JSON.stringify({ ...restore, promoteToPrimary: false });
    });
    assert.equal(down.error, undefined, down.error?.message);
    assert.deepEqual(down.asyncErrors, []);
    const replica = ((await exampleSourceOutputs("example-source-aws")) as { storage: { replica: any } })
      .storage.replica;
    assert.equal(replica.region, "eu-central-1");
    const bsl = down.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values.configuration
      .backupStorageLocation;
    assert.equal(bsl.accessMode, "ReadOnly");
    assert.equal(bsl.bucket, replica.bucketName);
    assert.equal(bsl.config.region, "eu-central-1");
    assert.equal(bsl.config.kmsKeyId, replica.kmsKeyArn);
    const read = statements(down.recorder.one("aws:iam/policy:Policy", "velero-identity-read"));
    const resources = read.flatMap((x) => [x.Resource].flat());
    assert.ok(resources.includes(`arn:aws:s3:::${replica.bucketName}/*`), resources.join(", "));
    assert.ok(resources.includes(replica.kmsKeyArn), "kms:Decrypt on the replica's key");
    assert.ok(
      !resources.some((r) => r.includes(BUCKET)),
      `nothing on the lost region's bucket: ${resources.join(", ")}`,
    );
    assert.ok(
      !down.recorder.resources.some((r) => r.name.startsWith("velero-write")),
      "not promoted: no write grant",
    );
  });

  it("region down: promotion onto the replica is refused before anything is created", async () => {
    const promoted = await runDestination(STACK, (c) => {
      const backup = JSON.parse(c["velero-dr:backup"]);
      delete backup.location;
      c["velero-dr:backup"] = JSON.stringify(backup);
    });
    const messages = [promoted.error?.message ?? "", ...promoted.asyncErrors.map((e) => e.message)].join(
      "\n",
    );
    assert.match(messages, /promoteToPrimary/);
    assert.equal(promoted.recorder.byType("aws:eks/cluster:Cluster").length, 0);
    assert.equal(promoted.recorder.byType("command:local:Command").length, 0);
  });

  it("refuses, before the cluster is created, a new EKS cluster older than the source's Kubernetes", async () => {
    const older = await runDestination(STACK, (c) => {
      const cluster = JSON.parse(c["velero-dr:cluster"]);
      cluster.createEks.kubernetesVersion = "1.28";
      c["velero-dr:cluster"] = JSON.stringify(cluster);
    });
    assert.match(
      older.asyncErrors.map((e) => e.message).join("\n"),
      /cluster\.createEks\.kubernetesVersion 1\.28 is older than the source cluster's 1\.29; Velero restores only into the same or a newer Kubernetes/,
    );
    assert.equal(older.recorder.byType("aws:eks/cluster:Cluster").length, 0);
    assert.equal(older.recorder.byType("command:local:Command").length, 0);
  });

  it("an existing EKS cluster: refused when it is the source cluster (its API server), nothing installed", async () => {
    const existing = await runDestination(STACK, (c) => {
      c["velero-dr:cluster"] = JSON.stringify({ eksName: "dash-enterprise" });
    });
    const messages = [existing.error?.message ?? "", ...existing.asyncErrors.map((e) => e.message)].join(
      "\n",
    );
    assert.match(messages, /the destination cluster is the source cluster/);
    assert.equal(existing.recorder.byType("kubernetes:helm.sh/v3:Release").length, 0);
  });

  it("an existing EKS cluster: Velero's role trusts that cluster's own OIDC provider", async () => {
    const existing = await runDestination(
      STACK,
      (c) => {
        c["velero-dr:cluster"] = JSON.stringify({ eksName: "dash-dr" });
      },
      [],
      {
        sourceOutputs: await (async () => {
          const { exampleSourceOutputs } = await import("../support/examples");
          const o = await exampleSourceOutputs("example-source-aws");
          const cluster = o.cluster as Record<string, unknown>;
          return {
            ...o,
            cluster: { ...cluster, apiServer: "https://OTHER.gr7.eu-west-1.eks.amazonaws.com" },
          };
        })(),
      },
    );
    if (existing.error) throw existing.error;
    assert.deepEqual(existing.asyncErrors, []);
    const trust = JSON.parse(
      existing.recorder.one("aws:iam/role:Role", "velero-identity-role").inputs.assumeRolePolicy,
    );
    assert.deepEqual(trust.Statement[0].Principal, {
      Federated: `arn:aws:iam::${FAKE.awsAccount}:oidc-provider/${FAKE.eksIssuer.replace("https://", "")}`,
    });
    assert.equal(existing.recorder.byType("aws:eks/cluster:Cluster").length, 0);
    // Velero's role waits for the guard: that cluster might yet be the source.
    const role = existing.recorder.one("velero-dr:identity:AwsVeleroRestoreIdentity");
    assert.ok(existing.recorder.dependencyNames(role).includes("restore-guard-different-cluster"));
  });

  it("an existing EKS cluster older than the source's Kubernetes: refused naming the key and the fix, nothing installed", async () => {
    const { exampleSourceOutputs } = await import("../support/examples");
    const o = await exampleSourceOutputs("example-source-aws");
    const cluster = o.cluster as Record<string, unknown>;
    const existing = await runDestination(
      STACK,
      (c) => {
        c["velero-dr:cluster"] = JSON.stringify({ eksName: "dash-dr" });
      },
      [],
      {
        // The mocked EKS API reports dash-dr on FAKE.eksVersion (1.29).
        sourceOutputs: {
          ...o,
          cluster: {
            ...cluster,
            apiServer: "https://OTHER.gr7.eu-west-1.eks.amazonaws.com",
            kubernetesVersion: "1.30.4",
          },
        },
      },
    );
    const messages = [existing.error?.message ?? "", ...existing.asyncErrors.map((e) => e.message)].join(
      "\n",
    );
    assert.match(
      messages,
      /velero-dr:cluster\.eksName: EKS cluster dash-dr runs Kubernetes 1\.29, older than the source cluster's 1\.30\.4; .*upgrade it to 1\.30 or newer \(aws eks update-cluster-version --name dash-dr --kubernetes-version 1\.30\)/,
    );
    assert.equal(existing.recorder.byType("kubernetes:helm.sh/v3:Release").length, 0);
    assert.equal(existing.recorder.byType("aws:iam/role:Role").length, 0);
  });

  it("the existing EKS cluster's version check: older refused; the same minor, newer or unknown pass", () => {
    assert.match(
      olderEksRefusal("c", "1.28", "1.29.7") ?? "",
      /runs Kubernetes 1\.28, older than the source cluster's 1\.29\.7/,
    );
    assert.match(olderEksRefusal("c", "1.29", "2.0") ?? "", /older/);
    assert.equal(olderEksRefusal("c", "1.29", "1.29.7"), undefined);
    assert.equal(olderEksRefusal("c", "1.30", "1.29.7"), undefined);
    assert.equal(olderEksRefusal("c", "1.29", undefined), undefined);
    assert.equal(olderEksRefusal("c", "1.29", ""), undefined);
  });

  it("refuses a kubeconfig target without aws.oidcProviderArn, naming the key", () => {
    const raw = readStackFile(STACK);
    raw.values.cluster = {};
    raw.values.kubeconfig = "placeholder";
    raw.secretKeys.push("kubeconfig");
    raw.redacted = ["kubeconfig"];
    assert.throws(
      () => validateStackConfig(raw),
      (e: unknown) =>
        e instanceof ConfigError &&
        /velero-dr:aws\.oidcProviderArn: is required with a kubeconfig on AWS/.test(e.message),
    );
  });

  describe("aws.s3Url / aws.s3ForcePathStyle: the S3 endpoint Velero reaches the bucket through", () => {
    const withAws = (extra: Record<string, unknown>, production = true) => {
      const raw = readStackFile(STACK);
      raw.values.aws = { ...(raw.values.aws as Record<string, unknown>), ...extra };
      raw.values.production = production;
      return raw;
    };
    const refused = (extra: Record<string, unknown>, pattern: RegExp, production = true) =>
      assert.throws(
        () => validateStackConfig(withAws(extra, production)),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      );

    it("set: the BSL gets s3Url (and s3ForcePathStyle when given) besides region, keys plugin v1.6.2 accepts", async () => {
      const vpce = "https://bucket.vpce-0a1b2c3d4e5f60718-abcdefgh.s3.eu-west-1.vpce.amazonaws.com";
      const withUrl = await runDestination(STACK, (c) => {
        c["velero-dr:aws"] = JSON.stringify({
          ...JSON.parse(c["velero-dr:aws"]),
          s3Url: vpce,
          s3ForcePathStyle: true,
        });
      });
      if (withUrl.error) throw withUrl.error;
      const values = withUrl.recorder.one("kubernetes:helm.sh/v3:Release").inputs.values;
      assert.deepEqual(values.configuration.backupStorageLocation.config, {
        region: "eu-west-1",
        s3Url: vpce,
        s3ForcePathStyle: "true",
      });
      // The endpoint changes where Velero reads, not what it may read: the same role and grant.
      assert.deepEqual(values.configuration.volumeSnapshotLocation.config, { region: "eu-west-1" });
      assert.equal(values.credentials.useSecret, false);
      // The pack's key rule knows both keys of plugin v1.6.2: no mandatory finding.
      const findings = await runAll(
        allPolicies,
        fromRecording(structuredClone(withUrl.recorder.resources), STACK),
      );
      assert.deepEqual(
        findings.filter((f) => f.level === "mandatory"),
        [],
      );
    });

    it("refused up front, naming the key: not a URL, another scheme, credentials (not echoed), a query or trailing '/', http on production", () => {
      refused(
        { s3Url: "s3.eu-west-1.amazonaws.com" },
        /velero-dr:aws\.s3Url: got "s3\.eu-west-1\.amazonaws\.com"; expected the S3 endpoint, an http:\/\/ or https:\/\/ URL/,
      );
      refused({ s3Url: "ftp://s3.example.com" }, /velero-dr:aws\.s3Url: got "ftp:\/\/s3\.example\.com"/);
      // Credentials are refused before the scheme or the port is looked at, whose messages repeat the value.
      for (const s3Url of [
        "https://AKIAX:hunter2secret@s3.example.com",
        "s3://AKIAX:hunter2secret@s3.example.com",
        "https://AKIAX:hunter2secret@s3.example.com:badport",
        "https://AKIAX:hunter2/secret@s3.example.com",
      ]) {
        assert.throws(
          () => validateStackConfig(withAws({ s3Url })),
          (e: unknown) =>
            e instanceof ConfigError &&
            /velero-dr:aws\.s3Url: contains credentials \(.*not shown\); remove them/.test(e.message) &&
            !e.message.includes("hunter2") &&
            !e.message.includes("AKIAX"),
        );
      }
      refused(
        { s3Url: "https://s3.example.com/" },
        /velero-dr:aws\.s3Url: .*without a query, fragment or trailing '\/' \(e\.g\. https:\/\/s3\.example\.com\)/,
      );
      refused(
        { s3Url: "http://10.0.0.5:9000" },
        /velero-dr:aws\.s3Url: .*a production stack's backups must not travel unencrypted/,
      );
      refused({ s3ForcePathStyle: true }, /velero-dr:aws\.s3ForcePathStyle: got true without aws\.s3Url/);
      refused({ s3ForcePathStyle: "yes" }, /velero-dr:aws\.s3ForcePathStyle/);
      // A lab (production: false) may reach an endpoint over http.
      const lab = validateStackConfig(
        withAws({ s3Url: "http://10.0.0.5:9000", s3ForcePathStyle: true }, false),
      );
      assert.equal((lab as unknown as { aws: { s3Url: string } }).aws.s3Url, "http://10.0.0.5:9000");
    });
  });

  it("prints a runbook with the new EKS cluster and Velero's read-only role (npm run runbook)", () => {
    const r = runbook(STACK);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /managed node group `system`: 4 × `m6i\.2xlarge`/);
    assert.match(r.stdout, /aws eks update-kubeconfig --region eu-west-1 --name dr-example-destination-aws/);
    assert.match(
      r.stdout,
      /\| Read \(while restoring\) \| `s3:GetObject` on `arn:aws:s3:::<source output storage\.bucketName>\/\*`/,
    );
    assert.match(r.stdout, /\| Writes \| only once every restore step succeeded \(promotion\)/);
    assert.doesNotMatch(r.stdout, /aws_secret_access_key/);
  });

  it("with the source's outputs typed in, refuses an older Kubernetes and the source's own name at validation", async () => {
    const outputs = await exampleSourceOutputs("example-source-aws");
    const raw = readStackFile(STACK);
    raw.values.source = { outputs };
    raw.values.cluster = {
      createEks: {
        name: "dash-enterprise",
        kubernetesVersion: "1.28",
        subnetIds: ["subnet-0a1b2c3d", "subnet-0b2c3d4e"],
      },
    };
    assert.throws(
      () => validateStackConfig(raw),
      (e: unknown) =>
        e instanceof ConfigError &&
        /velero-dr:cluster\.createEks\.kubernetesVersion: got "1\.28", older than the source cluster's 1\.29/.test(
          e.message,
        ) &&
        /velero-dr:cluster\.createEks\.name: a new cluster named "dash-enterprise" is the source cluster's name/.test(
          e.message,
        ),
    );
  });
});
