import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { dashEnterprise } from "../profile";
import { buildRestoreChain, ChainInput } from "../../../components/restore/chain";
import { runChain, StepResult } from "../../../components/restore/runner";
import { buildRecoveryReport } from "../../../components/restore/recovery-report";
import { configured } from "../../../test/support/apps";
import { FAKE_BIN, FakeCall, verbOf } from "../../../test/support/bash";
import { SEED_ORDER_ONLINE } from "./seed-order";
import {
  dashWorld,
  DEST_SERVER,
  kubeconfigFor,
  SOURCE_SERVER,
  TSIG_SECRET,
  UIDS,
  WorldOptions,
} from "./dash-world";

const input = (over: Partial<ChainInput> = {}, dash: Record<string, unknown> = {}): ChainInput => ({
  app: configured("dash-enterprise", { kotsRedeployed: true, builderTimeoutMinutes: 11, ...dash }),
  veleroNamespace: "velero",
  bslName: "default",
  backup: { schedule: "dash-daily" },
  dns: {
    provider: "rfc2136",
    baseDomain: "dash.example.com",
    zone: "example.com",
    ttlSeconds: 1,
    recordPrefixes: dashEnterprise.restore.dnsRecordPrefixes,
    server: "127.0.0.1",
    port: 5353,
    keyName: "velero-dr.",
    keyAlgorithm: "hmac-sha256",
  },
  loadBalancer: dashEnterprise.restore.loadBalancer,
  promoteToPrimary: true,
  allowPartiallyFailed: false,
  timeouts: {
    bslSeconds: 5,
    backupSyncSeconds: 3,
    restoreSeconds: 10,
    loadBalancerSeconds: 5,
    healthSeconds: 5,
  },
  ...over,
});

interface World {
  dir: string;
  stateFile: string;
  logFile: string;
  runnerState: string;
}

function newWorld(o: WorldOptions = {}): World {
  const dir = mkdtempSync(path.join(tmpdir(), "vdr-chain-"));
  const w = {
    dir,
    stateFile: path.join(dir, "cluster.json"),
    logFile: path.join(dir, "calls.jsonl"),
    runnerState: path.join(dir, "runner.json"),
  };
  writeFileSync(w.stateFile, JSON.stringify(dashWorld(o)));
  return w;
}

async function run(
  w: World,
  i: ChainInput,
  extra: {
    server?: string;
    stopAfter?: string;
    sourceServer?: string;
    sourceUid?: string;
    env?: Record<string, string>;
  } = {},
) {
  const built = buildRestoreChain(i);
  const chain = { ...built, env: { ...built.env, ...extra.env } };
  const r = await runChain(chain, {
    kubeconfig: kubeconfigFor(extra.server ?? DEST_SERVER),
    runtimeEnv: {
      SOURCE_API_SERVER: extra.sourceServer ?? SOURCE_SERVER,
      SOURCE_CLUSTER_UID: extra.sourceUid ?? "11111111-1111-4111-8111-111111111111",
    },
    secretEnv: { DNS_TSIG_SECRET: TSIG_SECRET },
    baseEnv: {
      PATH: `${FAKE_BIN}:/usr/bin:/bin`,
      HOME: w.dir,
      TMPDIR: w.dir,
      FAKE_KUBE_STATE: w.stateFile,
      FAKE_KUBE_LOG: w.logFile,
      VELERO_DR_POLL_SECONDS: "1", // on the fake clock (test/fakes/bin/sleep): no real waiting
      VELERO_DR_RETRY_DELAY_SECONDS: "0",
    },
    stateFile: w.runnerState,
    stopAfter: extra.stopAfter,
  });
  const calls: FakeCall[] = existsSync(w.logFile)
    ? readFileSync(w.logFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  const state = JSON.parse(readFileSync(w.stateFile, "utf8"));
  return { ...r, calls, state, chain };
}

const ids = (results: StepResult[], status: string) =>
  results.filter((r) => r.status === status).map((r) => r.id);
const creates = (calls: FakeCall[], kind: string) =>
  calls.filter(
    (c) => c.tool === "kubectl" && verbOf(c) === "create" && c.stdin && JSON.parse(c.stdin).kind === kind,
  );

describe("Dash restore chain, run by bash against fake kubectl/velero/nsupdate/dig", function () {
  this.timeout(120000);
  const worlds: World[] = [];
  const world = (o?: WorldOptions) => {
    const w = newWorld(o);
    worlds.push(w);
    return w;
  };
  after(() => worlds.forEach((w) => rmSync(w.dir, { recursive: true, force: true })));

  it("reports each step's own start and end, the backup restored and skipped, RTO and RPO (the recovery report)", async () => {
    const w = world();
    const r = await run(w, input());
    assert.ok(r.ok);
    const report = buildRecoveryReport({
      stack: "dash-dr",
      mode: "recovery",
      steps: r.chain.steps,
      stderr: Object.fromEntries(r.results.map((x) => [x.id, x.stderr])),
      objectives: { rtoMinutes: 60, rpoHours: 1 },
    });
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.status]),
      SEED_ORDER_ONLINE.map((id) => [id, "succeeded"]),
    );
    // Times are the steps' own: each ends after it starts, and a step starts after those it needs end.
    const byId = new Map(report.steps.map((s) => [s.id, s]));
    for (const s of r.chain.steps) {
      const t = byId.get(s.id);
      assert.ok(t?.start && t.end && t.start <= t.end, s.id);
      for (const n of s.needs) assert.ok((byId.get(n)?.end ?? "") <= (t?.start ?? ""), `${n} before ${s.id}`);
    }
    assert.deepEqual(report.backup, {
      name: "dash-daily-20261120000000",
      started: "2026-11-20T00:00:00.000Z",
      completed: "2026-11-20T00:04:00.000Z",
      itemsBackedUp: 574,
      totalItems: 574,
    });
    assert.deepEqual(
      report.skippedBackups.map((b) => [b.name, b.phase]),
      [["dash-daily-20261120120000", "PartiallyFailed"]],
    );
    assert.equal(report.restores.length, 1);
    assert.deepEqual(
      [report.restores[0].name, report.restores[0].itemsRestored, report.restores[0].warnings],
      ["restore-dash-daily-20261120000000", 574, 3],
    );
    assert.equal(report.health, "green");
    const first = report.steps[0].start as string;
    const lastHealth = report.steps.filter((s) => s.kind === "health").pop()?.end as string;
    assert.equal(report.rtoSeconds, (Date.parse(lastHealth) - Date.parse(first)) / 1000);
    // The restore began (Velero's time) six hours after the backup's data was taken.
    assert.equal(report.rpoSeconds, 6 * 3600);
    assert.deepEqual(report.objectives, {
      rtoMinutes: { target: 60, met: true },
      rpoHours: { target: 1, met: false },
    });
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems, ["RPO 6.00 h exceeds the objective of 1 h"]);
  });

  it("restores the newest Completed backup and repairs Dash Enterprise, every step in the seed's order", async () => {
    const w = world();
    const r = await run(w, input());
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status === "failed")));
    assert.deepEqual(ids(r.results, "succeeded"), SEED_ORDER_ONLINE);
    // The newest *Completed* backup, not the newer PartiallyFailed one.
    const restore = creates(r.calls, "Restore");
    assert.equal(restore.length, 1);
    const manifest = JSON.parse(restore[0].stdin as string);
    assert.equal(manifest.spec.backupName, "dash-daily-20261120000000");
    assert.equal(manifest.metadata.name, "restore-dash-daily-20261120000000");
    // The operator is told which newer backup was skipped and why, and how old the restored one is.
    const wait = r.results.find((x) => x.id === "wait-backup")?.stdout ?? "";
    assert.match(
      wait,
      /skipped the newer backup dash-daily-20261120120000: it is PartiallyFailed \(only Completed backups are restored; velero -n velero backup describe dash-daily-20261120120000 --details/,
    );
    assert.match(
      wait,
      /restoring from backup dash-daily-20261120000000, completed 2026-11-20T00:04:00Z: \d+ minutes ago \(.*RPO\)/,
    );
    assert.deepEqual(manifest.spec.excludedNamespaces, ["velero"]);
    const o = r.state.objects;
    assert.equal(o["backupstoragelocations.velero.io/velero/default"].spec.accessMode, "ReadWrite");
    // Owner references now carry the live UIDs.
    const ref = (k: string) => o[k].metadata.ownerReferences[0];
    assert.equal(ref("buildstacks.dash.plotly.com/plotly-system/de-buildstack").uid, UIDS.dashEnterprise);
    assert.deepEqual(o["buildstacks.dash.plotly.com/plotly-system/de-buildstack"].metadata.finalizers, [
      "csc.dash.plotly.com/finalizer",
    ]);
    assert.equal(ref("giteas.dash.plotly.com/plotly-system/gitea-cluster").uid, UIDS.buildstack);
    assert.equal(ref("harborclusters.goharbor.io/plotly-system/de").uid, UIDS.buildstack);
    assert.equal(ref("harbors.goharbor.io/plotly-system/de-harbor").uid, UIDS.harborCluster);
    assert.equal(ref("statefulsets.apps/plotly-system/redpanda").kind, "Cluster");
    assert.equal(ref("statefulsets.apps/plotly-system/redpanda").uid, UIDS.redpanda);
    // The restored copies were deleted and the operators' new ones are there; cert-injection-webhook runs again.
    assert.equal(
      o["builders.dash.plotly.com/plotly-system/dash-app-builder"].metadata.uid,
      "recreated-builder",
    );
    assert.equal(o["appstacks.dash.plotly.com/plotly-system/de-appstack"].metadata.uid, "recreated-appstack");
    assert.equal(
      o["deployments.apps/plotly-system/ingress-nginx-controller"].metadata.uid,
      "recreated-ingress",
    );
    assert.equal(o["deployments.apps/cert-injection-webhook/cert-injection-webhook"].spec.replicas, 1);
    // DNS: the base domain at the new load balancer, six CNAMEs to it.
    assert.deepEqual(r.state.dns["dash.example.com"], { type: "A", value: "20.50.60.70", ttl: 1 });
    for (const p of ["api", "ws", "git", "registry", "auth", "admin"]) {
      assert.deepEqual(r.state.dns[`${p}-dash.example.com`], {
        type: "CNAME",
        value: "dash.example.com",
        ttl: 1,
      });
    }
  });

  it("a domain without sub-domains (Code Dx, Nebari, EDA have none) is unpublished and published alone", async () => {
    const w = world();
    const base = input();
    const r = await run(w, input({ dns: { ...base.dns, recordPrefixes: [] } }));
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status === "failed")));
    assert.match(r.results.find((x) => x.id === "dns-unpublish")?.stdout ?? "", /its 0 sub-domains/);
    assert.deepEqual(r.state.dns["dash.example.com"], { type: "A", value: "20.50.60.70", ttl: 1 });
    // A record the profile does not name is neither removed nor rewritten.
    assert.deepEqual(r.state.dns["api-dash.example.com"], {
      type: "CNAME",
      value: "dash.example.com",
      ttl: 300,
    });
  });

  it("keeps secrets off command lines and out of output; key files are private", async () => {
    const w = world();
    const r = await run(w, input());
    assert.ok(r.ok);
    for (const c of r.calls) {
      const argv = c.argv.join(" ");
      assert.ok(!argv.includes("dest-kube-token-5e1f") && !argv.includes(TSIG_SECRET), argv);
      if (c.kubeconfig) assert.equal(c.kubeconfig.mode, "600");
    }
    for (const x of r.results) assert.ok(!(x.stdout + x.stderr).includes(TSIG_SECRET));
    assert.ok(r.state.nsupdateKeyFiles.length >= 2);
    for (const k of r.state.nsupdateKeyFiles) assert.equal(k.mode, "600");
  });

  it("a PartiallyFailed restore stops the chain with Velero's error summary; BSL stays ReadOnly", async () => {
    const w = world({
      restorePhases: ["InProgress", "PartiallyFailed"],
      restoreStatus: { errors: 2, failureReason: "" },
    });
    const r = await run(w, input());
    assert.equal(r.ok, false);
    const failed = r.results.find((x) => x.status === "failed") as StepResult;
    assert.equal(failed.id, "restore");
    assert.match(failed.stdout, /ended PartiallyFailed with 2 errors and 3 warnings/);
    // What to look at, and the key that lets the chain go on once the errors are judged acceptable.
    assert.match(failed.stderr, /velero -n velero restore logs restore-dash-daily-20261120000000/);
    assert.match(
      failed.stderr,
      /pulumi config set --path velero-dr:restore\.allowPartiallyFailed true && pulumi up \(the same Restore is followed, not run again\)/,
    );
    assert.match(
      failed.stderr,
      /fake velero: -n velero restore describe restore-dash-daily-20261120000000 --details/,
    );
    assert.equal(
      r.state.objects["backupstoragelocations.velero.io/velero/default"].spec.accessMode,
      "ReadOnly",
    );
  });

  it("PartiallyFailed may continue when restore.allowPartiallyFailed is set", async () => {
    const w = world({ restorePhases: ["PartiallyFailed"], restoreStatus: { errors: 1 } });
    const r = await run(w, input({ allowPartiallyFailed: true }));
    assert.ok(r.ok);
    assert.match(
      r.results.find((x) => x.id === "restore")?.stderr ?? "",
      /continuing because velero-dr:restore.allowPartiallyFailed is true/,
    );
  });

  it("a Failed restore fails with its failure reason", async () => {
    const w = world({
      restorePhases: ["InProgress", "Failed"],
      restoreStatus: { failureReason: "error getting backup: backup not found" },
    });
    const r = await run(w, input());
    assert.equal(r.ok, false);
    const failed = r.results.find((x) => x.status === "failed") as StepResult;
    assert.equal(failed.id, "restore");
    assert.match(failed.stderr, /failure reason: error getting backup: backup not found/);
    assert.deepEqual(ids(r.results, "succeeded").includes("bsl-read-write"), false);
  });

  it("a backup that never syncs fails at wait-backup and restores nothing", async () => {
    const w = world({ backups: [] });
    const r = await run(w, input());
    assert.equal(r.ok, false);
    const failed = r.results.find((x) => x.status === "failed") as StepResult;
    assert.equal(failed.id, "wait-backup");
    assert.match(failed.stderr, /a Completed backup of schedule dash-daily did not appear within 3s/);
    assert.match(failed.stderr, /same container, prefix and credentials/);
    assert.equal(creates(r.calls, "Restore").length, 0);
  });

  it("only backups that are not Completed: says so, names the newest and how to inspect it (not the storage settings)", async () => {
    const w = world({
      backups: [
        { name: "dash-daily-20261119000000", phase: "PartiallyFailed", completed: "2026-11-19T00:04:00Z" },
        { name: "dash-daily-20261120000000", phase: "Failed", completed: "2026-11-20T00:04:00Z" },
      ],
    });
    const r = await run(w, input());
    assert.equal(r.ok, false);
    const failed = r.results.find((x) => x.status === "failed") as StepResult;
    assert.equal(failed.id, "wait-backup");
    assert.match(
      failed.stderr,
      /schedule dash-daily has 2 backup\(s\) in storage and none is Completed \(the newest, dash-daily-20261120000000, is Failed\)/,
    );
    assert.match(failed.stderr, /velero -n velero backup logs dash-daily-20261120000000/);
    assert.doesNotMatch(failed.stderr, /same container, prefix and credentials/);
    assert.equal(creates(r.calls, "Restore").length, 0);
  });

  it("a named backup that is not Completed is refused", async () => {
    const w = world();
    const r = await run(w, input({ backup: { name: "dash-daily-20261120120000" } }));
    assert.equal(r.ok, false);
    assert.match(
      r.results.find((x) => x.status === "failed")?.stderr ?? "",
      /is PartiallyFailed; it cannot be restored safely/,
    );
  });

  it("stopped after the restore and run again, it resumes without restoring twice", async () => {
    const w = world();
    const first = await run(w, input(), { stopAfter: "restore" });
    assert.ok(first.ok);
    assert.equal(creates(first.calls, "Restore").length, 1);
    writeFileSync(w.logFile, "");
    const second = await run(w, input());
    assert.ok(second.ok);
    assert.deepEqual(ids(second.results, "skipped"), [
      "guard-different-cluster",
      "check-prerequisites",
      "wait-bsl-available",
      "wait-backup",
      "dns-unpublish",
      "restore",
    ]);
    assert.equal(creates(second.calls, "Restore").length, 0);
    assert.equal(ids(second.results, "succeeded")[0], "bsl-read-write");
  });

  it("even without its record of progress, a re-run follows the existing Restore instead of creating one", async () => {
    const w = world();
    await run(w, input(), { stopAfter: "restore" });
    rmSync(w.runnerState);
    writeFileSync(w.logFile, "");
    const again = await run(w, input(), { stopAfter: "restore" });
    assert.ok(again.ok);
    assert.equal(creates(again.calls, "Restore").length, 0);
    assert.match(again.results.find((x) => x.id === "restore")?.stdout ?? "", /exists already; following it/);
  });

  it("stops at the KOTS gate with instructions, and continues once confirmed", async () => {
    const w = world();
    const gated = await run(w, input({}, { kotsRedeployed: false }));
    assert.equal(gated.ok, false);
    const gate = gated.results.find((x) => x.status === "failed") as StepResult;
    assert.equal(gate.id, "dash-kots-redeploy");
    assert.match(gate.stderr, /GATE - redeploy Dash Enterprise/);
    assert.match(gate.stderr, /pulumi config set --path velero-dr:app.kotsRedeployed true/);
    const resumed = await run(w, input());
    assert.ok(resumed.ok);
    assert.deepEqual(ids(resumed.results, "succeeded"), [
      "dash-kots-redeploy",
      "dash-builder-ready",
      "dash-health",
      "entry-point-served",
    ]);
  });

  it("fails the recovery when the load balancer routes to no ready pod, though the operators report healthy", async () => {
    const w = world({ entryPointUnserved: true });
    const r = await run(w, input());
    assert.equal(r.ok, false);
    assert.ok(ids(r.results, "succeeded").includes("dash-health"), "the status fields were green");
    const failed = r.results.find((x) => x.status === "failed") as StepResult;
    assert.equal(failed.id, "entry-point-served");
    assert.match(
      failed.stderr,
      /plotly-system\/ingress-nginx-controller has no ready endpoint after 5s: no Ready pod matches its selector .*users reach nothing/,
    );
    assert.match(failed.stderr, /kubectl -n plotly-system get pods --show-labels/);
  });

  it("on a bare new cluster stops before DNS and the restore, naming the missing software and restore.sh", async () => {
    const w = world({ withoutPrerequisites: true });
    const gated = await run(w, input());
    assert.equal(gated.ok, false);
    assert.deepEqual(ids(gated.results, "succeeded"), ["guard-different-cluster"]);
    const gate = gated.results.find((x) => x.status === "failed") as StepResult;
    assert.equal(gate.id, "check-prerequisites");
    assert.match(
      gate.stderr,
      /prerequisite cert-manager is missing: the cluster serves no CustomResourceDefinition certificates\.cert-manager\.io/,
    );
    assert.match(
      gate.stderr,
      /GATE - the new cluster lacks supporting software the application needs: cert-manager istio\. Nothing was restored\./,
    );
    assert.match(gate.stderr, /Run restore\.sh from your Dash Enterprise Installation Plan/);
    // Nothing outside the new cluster changed: no DNS update, no Restore.
    assert.equal(gated.calls.filter((c) => c.tool === "nsupdate").length, 0);
    assert.equal(creates(gated.calls, "Restore").length, 0);
    // Confirmed by config (the installation does not need them): the chain goes on.
    const confirmed = await run(w, input({ prerequisitesConfirmed: true }));
    assert.ok(confirmed.ok, JSON.stringify(confirmed.results.filter((x) => x.status === "failed")));
    const check = confirmed.results.find((x) => x.id === "check-prerequisites") as StepResult;
    assert.match(check.stderr, /missing: cert-manager istio; going on as confirmed by configuration/);
  });

  it("names only what is missing when the supporting software is half installed", async () => {
    const w = world();
    const state = JSON.parse(readFileSync(w.stateFile, "utf8"));
    delete state.objects[
      "customresourcedefinitions.apiextensions.k8s.io//virtualservices.networking.istio.io"
    ];
    writeFileSync(w.stateFile, JSON.stringify(state));
    const r = await run(w, input(), { stopAfter: "check-prerequisites" });
    const gate = r.results.find((x) => x.id === "check-prerequisites") as StepResult;
    assert.equal(gate.status, "failed");
    assert.match(gate.stdout, /prerequisite cert-manager is installed/);
    assert.match(gate.stderr, /needs: istio\. Nothing was restored/);
  });

  it("redeploys through the kots plugin when it is installed", async () => {
    const w = world({ kotsPlugin: true });
    const r = await run(w, input({}, { kotsRedeployed: false }));
    assert.ok(r.ok);
    const kots = r.calls.filter((c) => c.argv[0] === "kots" && c.argv[1] === "set");
    assert.equal(kots.length, 1);
    assert.deepEqual(kots[0].argv.slice(0, 5), ["kots", "set", "config", "dash-enterprise", "-n"]);
    assert.ok(kots[0].argv.includes("--deploy") && kots[0].argv.includes("--current"));
  });

  it("deletes the builder once to reconnect it when it is not Ready in time (seed's known issue)", async () => {
    const w = world({ builderReady: ["False", "False", "False", "False", "True"] });
    const r = await run(w, input(), { env: { BUILDER_RECONNECT_SECONDS: "0" } });
    assert.ok(r.ok);
    const deletes = r.calls
      .filter((c) => c.argv[0] === "-n" || c.argv.includes("delete"))
      .filter((c) => c.argv.includes("delete") && c.argv.includes("dash-app-builder"));
    // One delete by the cleanup step, one (only one) by the reconnect.
    assert.equal(deletes.length, 2);
  });

  it("air-gapped: restarts Harbor's four components once imageswap runs", async () => {
    const w = world();
    const r = await run(w, input({}, { airGapped: true }), { env: { IMAGESWAP_TIMEOUT_SECONDS: "5" } });
    assert.ok(r.ok);
    assert.ok(ids(r.results, "succeeded").includes("dash-harbor-restart"));
    for (const c of ["core", "portal", "registry", "jobservice"])
      assert.equal(r.state.objects[`pods/plotly-system/de-harbor-${c}-0`], undefined);
  });

  it("refuses the source cluster: by API server, or by kube-system uid behind another address", async () => {
    const w1 = world();
    const same = await run(w1, input(), { server: SOURCE_SERVER });
    assert.equal(same.ok, false);
    assert.equal(same.results.length, 1);
    assert.match(same.results[0].stderr, /the destination cluster is the source cluster/);
    const w2 = world();
    const alias = await run(w2, input(), { sourceUid: UIDS.kubeSystem });
    assert.equal(alias.ok, false);
    assert.match(alias.results[0].stderr, /same cluster behind another address/);
    assert.equal(creates(alias.calls, "Restore").length, 0);
  });

  it("refuses a destination on an older Kubernetes than the source's (its API server's /version), before anything is installed", async () => {
    const withServer = (version: string) => {
      const w = world();
      const state = JSON.parse(readFileSync(w.stateFile, "utf8"));
      writeFileSync(w.stateFile, JSON.stringify({ ...state, serverVersion: version }));
      return w;
    };
    const older = await run(withServer("v1.29.7-eks-a18cd3a"), input(), {
      env: { SOURCE_KUBERNETES_VERSION: "1.30.2" },
    });
    assert.equal(older.ok, false);
    assert.equal(older.results.length, 1);
    assert.match(
      older.results[0].stderr,
      /the destination cluster runs Kubernetes v1\.29\.7-eks-a18cd3a, older than the source cluster's 1\.30\.2; Velero restores only into the same or a newer Kubernetes\. Upgrade the destination to 1\.30 or newer \(on EKS: aws eks update-cluster-version --name <cluster> --kubernetes-version 1\.30\)/,
    );
    assert.equal(creates(older.calls, "Restore").length, 0);
    // Another major counts too; the same minor on another patch, or a newer minor, passes.
    const major = await run(withServer("v1.31.0"), input(), { env: { SOURCE_KUBERNETES_VERSION: "2.0.1" } });
    assert.equal(major.ok, false);
    for (const [server, src] of [
      ["v1.30.0", "1.30.9"],
      ["v1.31.1-eks-1a2b3c4", "v1.30.2"],
      ["v2.0.0", "1.30"],
    ]) {
      const ok = await run(withServer(server), input(), {
        env: { SOURCE_KUBERNETES_VERSION: src },
        stopAfter: "guard-different-cluster",
      });
      assert.ok(ok.ok, `${server} vs ${src}: ${ok.results[0].stderr}`);
      assert.match(
        ok.results[0].stdout,
        new RegExp(`destination Kubernetes ${server}, not older than the source's ${src}`),
      );
    }
    // Unknown (a source that never reported it): not compared, the API server is not asked.
    const unknown = await run(withServer("v1.20.0"), input(), { stopAfter: "guard-different-cluster" });
    assert.ok(unknown.ok);
    assert.ok(!unknown.calls.some((c) => c.argv.includes("--raw")));
    // An unedited runbook placeholder, or an API server that reports no version: fails closed.
    const placeholder = await run(withServer("v1.30.0"), input(), {
      env: { SOURCE_KUBERNETES_VERSION: "<source output cluster.kubernetesVersion>" },
    });
    assert.equal(placeholder.ok, false);
    assert.match(
      placeholder.results[0].stderr,
      /SOURCE_KUBERNETES_VERSION is not a Kubernetes version \(got '<source output/,
    );
    const silent = await run(withServer("unknown"), input(), { env: { SOURCE_KUBERNETES_VERSION: "1.30" } });
    assert.equal(silent.ok, false);
    assert.match(silent.results[0].stderr, /the destination's API server reported no Kubernetes version/);
  });

  it("fails closed on the runbook's unedited placeholders: an address or uid that is none stops the guard", async () => {
    // Run against the source cluster itself: with a placeholder the comparison could never match.
    const placeholder = "<source output cluster.apiServer: pulumi stack output -s org/velero-dr/src --json>";
    const w1 = world();
    const server = await run(w1, input(), { server: SOURCE_SERVER, sourceServer: placeholder });
    assert.equal(server.ok, false);
    assert.equal(server.results.length, 1);
    assert.match(
      server.results[0].stderr,
      /SOURCE_API_SERVER is not an API server address \(got '<source output/,
    );
    const w2 = world();
    const uid = await run(w2, input(), { sourceUid: "<source output cluster.uid>" });
    assert.equal(uid.ok, false);
    assert.match(
      uid.results[0].stderr,
      /SOURCE_CLUSTER_UID is not a uid \(got '<source output cluster\.uid>'\)/,
    );
    assert.equal(creates(uid.calls, "Restore").length, 0);
  });
});
