import { strict as assert } from "assert";
import { mkdirSync, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { buildVeleroReadPolicy } from "../../../components/identity/aws-iam";
import { buildRestoreChain, Chain } from "../../../components/restore/chain";
import {
  destinationChainInput,
  destinationVeleroValues,
} from "../../../components/restore/destination-chain";
import { GUARD, PROMOTE, RESTORE } from "../../../components/restore/velero-steps";
import { DNS_PUBLISH, DNS_UNPUBLISH } from "../../../components/dns/provider";
import type { DestinationStackConfig } from "../../../components/config/validate";
import type { SourceOutputs } from "../../../components/config/destination-schema";
import { AWS_PLUGIN_1_6_KEYS } from "../../../components/velero/locations";
import { buildVeleroValues, CREDENTIALS_SECRET } from "../../../components/velero/values";
import { LocalCluster } from "../../../drill/lib/kube";
import { toolchain } from "../../../drill/lib/toolchain";
import { BUCKET, NAMESPACE } from "../../../drill/lib/velero";
import { restoreName } from "../../../drill/scenario";
import { checkRestore, DashWorld } from "../drill/scenario";
import {
  AWS_DRILL_ACCOUNT,
  AWS_DRILL_REGION,
  awsDestinationEdits,
  chartLocations,
} from "../drill/aws-destination";

/**
 * The AWS destination path, drilled where it can run here (#19): Dash Enterprise's backup in the
 * drill's MinIO is restored by a destination stack of `cloud: aws` whose cluster is an existing one
 * reached by its kubeconfig, its S3 the drill's MinIO through `aws.s3Url` (path style). The chain
 * and Velero's location, snapshot location, credentials mode and service account are what the
 * stack builds for AWS (`destinationVeleroValues` -> `buildVeleroValues`: plugin v1.6.2's keys,
 * ReadOnly, `credentials.useSecret: false`, the IRSA annotation); the drill's Velero 1.10.3 with
 * plugin v1.14.3 runs on them.
 *
 * What cannot be created here: the EKS cluster, its OIDC provider and Velero's IAM role (no AWS
 * account), and the EKS pod identity webhook that turns the role annotation into credentials.
 * The stand-in for the role: MinIO's STS AssumeRole with the role's own read policy
 * (`buildVeleroReadPolicy`, exactly what the stack attaches while restoring) as session policy;
 * the temporary key is handed to Velero the way the stacks hand it a static key where there is no
 * IRSA (an s3compat kubeconfig target's key pair, an AWS source's `aws.identity: user`): the
 * `cloud-credentials` Secret (key `cloud`, an AWS shared-credentials file) mounted at
 * `AWS_SHARED_CREDENTIALS_FILE`, what chart 3.1.6 renders for `credentials.useSecret: true`. DNS
 * stays the drill's (BIND, RFC 2136): Route 53 needs its API.
 */

describe("AWS destination path on the drill: cloud aws, an existing cluster by kubeconfig, S3 through aws.s3Url", function () {
  this.timeout(20 * 60 * 1000);
  let w: DashWorld;
  let cfg: DestinationStackConfig;
  let source: SourceOutputs;
  let helm: Record<string, any>;
  let chain: Chain;
  let keysBefore: string[] = [];
  let afterRestore: { ok: boolean; mode: string; restore: any; output: string; keys: string[] };
  /** The BSL's access mode each time the sampler saw a Restore not yet finished. */
  const modesWhileRestoring: string[] = [];
  let done: { ok: boolean; failed?: string };
  let serverLog = "";
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  let sourceVersion = "";
  let guardOutput = "";
  const log: string[] = [];

  before(async () => {
    const workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `aws-destination-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    // MinIO signs as an AWS region: the aws backend reads the bucket's region as one.
    w = new DashWorld({ ...toolchain(), workDir, log: (l) => log.push(l), storeRegion: AWS_DRILL_REGION });
    await w.startServices();
    await w.startSource();
    w.installFixture();
    await w.startSourceVelero();
    w.backupName = await w.backup();
    // The source's Kubernetes, as an EKS source stack exports it (cluster.kubernetesVersion).
    sourceVersion = JSON.parse(
      (w.source as LocalCluster).kubectl(["get", "--raw", "/version"]).stdout,
    ).gitVersion.replace(/^v/, "");
    await w.loseSource();
    const d = await w.startDestinationCluster("destination-aws");

    // The source's outputs as an AWS source stack exports them (typed in: its state went with the
    // disaster), the bucket being the one the drill's source wrote; S3 through aws.s3Url.
    const awsEdits = awsDestinationEdits(w, w.target, sourceVersion);
    cfg = w.destinationStackConfig(w.target, awsEdits);
    source = cfg.source.outputs as SourceOutputs;
    // Velero's Helm values exactly as VeleroInstall builds them on an AWS destination: the backend
    // gives no credentials file (IRSA), so there is no credentials Secret name.
    helm = buildVeleroValues({ ...destinationVeleroValues(cfg, source), credentialsSecretName: undefined });
    chain = buildRestoreChain(destinationChainInput(cfg));

    // The chart's part: the locations from the values, the server's service account with the
    // values' annotations, the Deployment (its pod is played by the drill's server, below).
    w.velero.installCrds(d);
    d.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
    d.apply({ apiVersion: "v1", kind: "List", items: chartLocations(helm) });
    credentials = await w.minio.assumeRole(
      buildVeleroReadPolicy({ partition: "aws", bucket: BUCKET, kmsKeyArn: undefined }),
    );
    // The stand-in (see above): the role's read-only key in the Secret chart 3.1.6 mounts with
    // credentials.useSecret, in the shared-credentials format the AWS SDK reads.
    const file = [
      "[default]",
      `aws_access_key_id=${credentials.accessKeyId}`,
      `aws_secret_access_key=${credentials.secretAccessKey}`,
      `aws_session_token=${credentials.sessionToken}`,
      "",
    ].join("\n");
    d.apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: CREDENTIALS_SECRET, namespace: NAMESPACE },
      data: { cloud: Buffer.from(file).toString("base64") },
    });
    d.apply({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: {
            name: "velero-server",
            namespace: NAMESPACE,
            annotations: helm.serviceAccount?.server?.annotations ?? {},
          },
        },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "velero", namespace: NAMESPACE },
          spec: {
            replicas: 1,
            selector: { matchLabels: { name: "velero" } },
            template: {
              metadata: { labels: { name: "velero" } },
              spec: {
                serviceAccountName: "velero-server",
                containers: [
                  {
                    name: "velero",
                    image: `${helm.image.repository}:${helm.image.tag}`,
                    env: [{ name: "AWS_SHARED_CREDENTIALS_FILE", value: "/credentials/cloud" }],
                    volumeMounts: [{ name: "cloud-credentials", mountPath: "/credentials" }],
                  },
                ],
                volumes: [{ name: "cloud-credentials", secret: { secretName: CREDENTIALS_SECRET } }],
              },
            },
          },
        },
      ],
    });
    d.kubectl(["-n", NAMESPACE, "rollout", "status", "deployment/velero", "--timeout=120s"]);
    // The pod as deployed: the credentials file from the Secret it mounts, its log served to
    // `kubectl logs deployment/velero` (which the restore step reads).
    const secret = d.getJson(["-n", NAMESPACE, "get", "secret", CREDENTIALS_SECRET]);
    w.velero.startServer("velero-destination-aws", d, w.minio, {
      credentials: Buffer.from(String(secret.data.cloud), "base64").toString("utf8"),
      logs: true,
    });

    keysBefore = (await w.minio.listKeys(BUCKET)).sort();
    const sampler = setInterval(() => {
      const r = d.kubectl(
        ["-n", NAMESPACE, "get", "restores.velero.io", "-o", "jsonpath={.items[*].status.phase}"],
        undefined,
        true,
      );
      const phases = r.stdout.split(" ").filter((p) => p !== "");
      if (r.code === 0 && phases.some((p) => p === "New" || p === "InProgress")) {
        modesWhileRestoring.push(w.bslAccessMode());
      }
    }, 300);
    const state = path.join(workDir, "chain-aws.json");
    try {
      // To the restore only: the location and the bucket as the restore left them.
      const first = await w.runChain(chain, state, RESTORE);
      const restore = d.getJson(["-n", NAMESPACE, "get", "restores.velero.io", restoreName(w.backupName)]);
      const r = first.results.find((x) => x.id === RESTORE);
      guardOutput = first.results.find((x) => x.id === GUARD)?.stdout ?? "";
      afterRestore = {
        ok: first.ok,
        mode: w.bslAccessMode(),
        restore,
        output: `${r?.stdout ?? ""}\n${r?.stderr ?? ""}`,
        keys: (await w.minio.listKeys(BUCKET)).sort(),
      };
      // On through the KOTS gate, as the drill's other destinations.
      const gated = await w.runChain(chain, state);
      let result = gated;
      if (gated.results.find((x) => x.status === "failed")?.id === "dash-kots-redeploy") {
        w.operatorRedeploys();
        const input = destinationChainInput(
          w.destinationStackConfig(w.target, { ...awsEdits, app: { kotsRedeployed: true } }),
        );
        result = await w.runChain(buildRestoreChain(input), state);
      }
      const failed = result.results.find((x) => x.status === "failed");
      done = { ok: result.ok, ...(failed ? { failed: `${failed.id}: ${failed.stderr}` } : {}) };
    } finally {
      clearInterval(sampler);
    }
    serverLog = readFileSync(path.join(workDir, "logs", "velero-destination-aws.log"), "utf8");
  });

  after(async () => {
    await w?.stopAll();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(log.join("\n"));
  });

  it("the stack's AWS values: plugin v1.6.2's BSL/VSL keys (s3Url, path style, the bucket's region), ReadOnly, no credentials Secret, the IRSA annotation", () => {
    const c = helm.configuration;
    assert.equal(c.provider, "aws");
    assert.equal(helm.initContainers[0].image, `velero/velero-plugin-for-aws:${source.velero.pluginVersion}`);
    assert.equal(c.backupStorageLocation.bucket, BUCKET);
    assert.equal(c.backupStorageLocation.accessMode, "ReadOnly");
    assert.deepEqual(c.backupStorageLocation.config, {
      region: AWS_DRILL_REGION,
      s3Url: w.minio.endpoint,
      s3ForcePathStyle: "true",
    });
    assert.deepEqual(c.volumeSnapshotLocation.config, { region: AWS_DRILL_REGION });
    for (const k of Object.keys(c.backupStorageLocation.config)) {
      assert.ok((AWS_PLUGIN_1_6_KEYS.bsl as readonly string[]).includes(k), `plugin v1.6.2 accepts BSL ${k}`);
    }
    for (const k of Object.keys(c.volumeSnapshotLocation.config)) {
      assert.ok((AWS_PLUGIN_1_6_KEYS.vsl as readonly string[]).includes(k), `plugin v1.6.2 accepts VSL ${k}`);
    }
    assert.deepEqual(helm.credentials, { useSecret: false });
    assert.deepEqual(helm.serviceAccount.server.annotations, {
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${AWS_DRILL_ACCOUNT}:role/velero-dr/velero-dr-${cfg.stack}`,
    });
  });

  it("Velero 1.10.3 with the drill's plugin ran on those locations: the BSL Available, ReadOnly, on MinIO through s3Url", () => {
    const d = w.dest as LocalCluster;
    const bsl = d.getJson(["-n", NAMESPACE, "get", "bsl", "default"]);
    assert.equal(bsl.spec.provider, "aws");
    assert.deepEqual(bsl.spec.config, helm.configuration.backupStorageLocation.config);
    assert.equal(bsl.status?.phase, "Available");
    const vsl = d.getJson(["-n", NAMESPACE, "get", "volumesnapshotlocations.velero.io", "default"]);
    assert.deepEqual(vsl.spec, { provider: "aws", config: { region: AWS_DRILL_REGION } });
  });

  it("the guard compared the destination's Kubernetes (its API server's /version) with the source's before anything ran", () => {
    assert.match(sourceVersion, /^1\.\d+\.\d+/);
    assert.match(
      guardOutput,
      new RegExp(
        `destination Kubernetes v1\\.\\d+\\.\\d+\\S*, not older than the source's ${sourceVersion.replace(/\./g, "\\.")}`,
      ),
    );
  });

  it("the stand-in key is the role's read grant: MinIO refuses it a write (its reads are the restore's, below)", async () => {
    const put = await w.minio.putObjectAs(credentials, BUCKET, "velero-dr-drill-probe", "x");
    assert.deepEqual(put, { status: 403, code: "AccessDenied" });
    assert.ok(!(await w.minio.listKeys(BUCKET)).includes("velero-dr-drill-probe"));
  });

  it("the restore completes read-only: the BSL ReadOnly throughout, nothing written to the bucket, the refused upload its one error", () => {
    assert.ok(afterRestore.ok, afterRestore.output);
    assert.equal(afterRestore.mode, "ReadOnly");
    assert.ok(modesWhileRestoring.length > 0, "the sampler saw the Restore running");
    assert.deepEqual([...new Set(modesWhileRestoring)], ["ReadOnly"]);
    assert.deepEqual(afterRestore.keys, keysBefore, "no object written (no restores/ results)");
    assert.ok(!afterRestore.keys.some((k) => k.startsWith("restores/")));
    // Velero 1.10.3 tried to upload the restore's log and results; the role's key was refused.
    assert.equal(afterRestore.restore.status.phase, "PartiallyFailed");
    assert.equal(afterRestore.restore.status.errors, 1);
    assert.ok((afterRestore.restore.status.progress?.itemsRestored ?? 0) > 0);
    assert.match(afterRestore.output, /refused by the read-only credentials .* Counted as Completed/);
    assert.match(serverLog, /Error uploading restore results to backup storage/);
    assert.match(serverLog, /AccessDenied/);
  });

  it("the chain goes on as on every cloud: promotion, DNS by the drill's provider, repairs, health; every check passes", async () => {
    assert.ok(done.ok, done.failed);
    const checks = await checkRestore(w, { readOnlyStorage: true });
    for (const c of checks) assert.ok(c.ok, `${c.name}: ${c.detail}`);
    assert.ok(chain.steps.some((s) => s.id === PROMOTE));
  });

  it("no Route 53 step: DNS moved by RFC 2136 on the drill's BIND, no step calls the AWS CLI", () => {
    assert.equal(cfg.dns.provider, "rfc2136");
    const ids = chain.steps.map((s) => s.id);
    assert.ok(ids.includes(DNS_UNPUBLISH) && ids.includes(DNS_PUBLISH), ids.join(", "));
    for (const s of chain.steps) {
      assert.doesNotMatch(s.script.body, /\baws\s+(route53|sts)\b/, s.id);
      assert.ok(![...s.script.env, ...(s.script.optionalEnv ?? [])].some((e) => /ROUTE53/.test(e)), s.id);
    }
  });
});
