import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { buildRestoreChain, stepEnvironment } from "../../../components/restore/chain";
import {
  destinationChainInput,
  destinationVeleroValues,
  readOnlyRestoreDeclarations,
} from "../../../components/restore/destination-chain";
import { GUARD } from "../../../components/restore/velero-steps";
import type { SourceOutputs } from "../../../components/config/destination-schema";
import { buildVeleroValues } from "../../../components/velero/values";
import { DESTINATION_PORTS, LocalCluster, SOURCE_PORTS } from "../../../drill/lib/kube";
import { BUCKET } from "../../../drill/lib/velero";
import { fakeKubeconfig } from "../../../test/support/harness";
import {
  AWS_DRILL_ACCOUNT,
  AWS_DRILL_REGION,
  awsDestinationEdits,
  chartLocations,
} from "../drill/aws-destination";
import { DashWorld } from "../drill/scenario";

/**
 * The drill's AWS destination (aws-destination.e2e.ts) without starting anything: its stack file
 * validates as the program validates it, and the Velero values, locations and chain the e2e runs
 * are the AWS ones. The e2e then runs them against MinIO, Velero and BIND.
 */
describe("the drill's AWS destination stack (cloud aws, kubeconfig, aws.s3Url), offline", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const world = () => {
    const workDir = mkdtempSync(path.join(os.tmpdir(), "velero-dr-aws-drill-stack-"));
    dirs.push(workDir);
    const w = new DashWorld({
      bin: "/nonexistent",
      plugins: "/nonexistent",
      pluginVersion: "v1.14.3",
      workDir,
      log: () => {},
      storeRegion: AWS_DRILL_REGION,
    });
    w.source = new LocalCluster("source", SOURCE_PORTS, workDir, "/nonexistent", w.procs);
    w.sourceUid = "5f0c1d2e-3b4a-4c5d-8e6f-708192a3b4c5";
    w.dest = new LocalCluster("destination-aws", DESTINATION_PORTS, workDir, "/nonexistent", w.procs);
    w.dest.kubeconfig = fakeKubeconfig(w.dest.server);
    return w;
  };

  it("validates as an AWS destination on a kubeconfig target; no s3compat key pair among its secrets", () => {
    const w = world();
    const cfg = w.destinationStackConfig(w.target, awsDestinationEdits(w, w.target, "1.30.2"));
    assert.equal(cfg.cloud, "aws");
    assert.equal(cfg.kubeconfig, w.dest?.kubeconfig);
    assert.equal(cfg.dns.provider, "rfc2136");
    // What the chain carries to its restore steps: the role cannot write while restoring.
    assert.deepEqual(readOnlyRestoreDeclarations(cfg), { VELERO_DR_STORAGE_READ_ONLY: "true" });
    const secrets = JSON.parse(
      readFileSync(path.join(w.o.workDir, "stacks", "Pulumi.drill-destination-aws.secrets.json"), "utf8"),
    );
    assert.deepEqual(Object.keys(secrets).sort(), ["dnsTsigSecret", "kubeconfig"]);
  });

  it("Velero's values and locations are the AWS backend's: s3Url on MinIO, path style, the bucket's region, ReadOnly, IRSA", () => {
    const w = world();
    const cfg = w.destinationStackConfig(w.target, awsDestinationEdits(w, w.target, "1.30.2"));
    const helm = buildVeleroValues({
      ...destinationVeleroValues(cfg, cfg.source.outputs as SourceOutputs),
      credentialsSecretName: undefined,
    }) as Record<string, any>;
    assert.deepEqual(helm.credentials, { useSecret: false });
    assert.deepEqual(helm.serviceAccount.server.annotations, {
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${AWS_DRILL_ACCOUNT}:role/velero-dr/velero-dr-drill-destination-aws`,
    });
    assert.deepEqual(chartLocations(helm), [
      {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name: "default", namespace: "velero" },
        spec: {
          provider: "aws",
          default: true,
          accessMode: "ReadOnly",
          objectStorage: { bucket: BUCKET },
          config: { region: AWS_DRILL_REGION, s3Url: "http://127.0.0.1:9000", s3ForcePathStyle: "true" },
        },
      },
      {
        apiVersion: "velero.io/v1",
        kind: "VolumeSnapshotLocation",
        metadata: { name: "default", namespace: "velero" },
        spec: { provider: "aws", config: { region: AWS_DRILL_REGION } },
      },
    ]);
  });

  it("its chain: the guard reads the source's Kubernetes version, DNS by RFC 2136, no step calls the AWS CLI", () => {
    const w = world();
    const chain = buildRestoreChain(
      destinationChainInput(w.destinationStackConfig(w.target, awsDestinationEdits(w, w.target, "1.30.2"))),
    );
    assert.equal(chain.env.SOURCE_KUBERNETES_VERSION, "1.30.2");
    // The storage's read-only mode is in the step model: every restore step gets it.
    const restores = chain.steps.filter((s) => s.kind === "restore");
    assert.ok(restores.length > 0);
    for (const s of restores) {
      const env = stepEnvironment(s, chain.env, {
        runtime: { RESTORE_BACKUP_NAME: "b" },
        secrets: {},
        kubeconfig: "k",
      });
      assert.equal(env.VELERO_DR_STORAGE_READ_ONLY, "true", s.id);
    }
    assert.ok(
      chain.steps.find((s) => s.id === GUARD)?.script.optionalEnv?.includes("SOURCE_KUBERNETES_VERSION"),
    );
    assert.ok(chain.steps.some((s) => /nsupdate/.test(s.script.body)));
    for (const s of chain.steps) assert.doesNotMatch(s.script.body, /\baws\s+(route53|sts)\b/, s.id);
  });
});
