import { strict as assert } from "assert";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { AppProfile } from "../../../components/model/profile";
import { buildRestoreChain, entryPointStep } from "../../../components/restore/chain";
import { PROMOTE } from "../../../components/restore/velero-steps";
import { DNS_PUBLISH } from "../../../components/dns/provider";
import { restoreName } from "../../../drill/scenario";
import { toolchain } from "../../../drill/lib/toolchain";
import { BUCKET, NAMESPACE } from "../../../drill/lib/velero";
import { dashEnterprise } from "../profile";
import { PS } from "../drill/fixture";
import { checkRestore, dashScheduleSpec, DashWorld } from "../drill/scenario";
import { assertCaught, skipSteps } from "../../../test/e2e/app-drill-suite";

/**
 * The Dash profile with mistakes a maintainer could make, each of which a drill check must catch:
 * Plotly's exclusions gone (webhook configurations, EndpointSlices), a namespace of the guide's
 * command lost, and a resource the app needs excluded.
 */
const MUTATED_SCHEDULE = "dash-daily-mutated";
const mutatedProfile: AppProfile = {
  ...dashEnterprise,
  schedules: [{ name: MUTATED_SCHEDULE, cron: "0 0 * * *" }],
  namespaces: dashEnterprise.namespaces.filter((n) => n !== "dash-services"),
  excludedResources: ["statefulsets"],
};

/**
 * The local DR drill as tests: one real backup of the Dash fixture, then a restore into a new
 * cluster that must pass every check, and the fault cases — a chain stopped after the restore
 * and run again, a corrupted backup — and the faults the drill itself must catch: a KOTS stand-in
 * tuned to the fixture, a mutated profile restored by a chain with its repairs skipped. Needs the drill toolchain (drill/toolchain.sh) and
 * Debian's bind9 + bind9-dnsutils; .ci/run provides both and fails loudly without them.
 */
describe("local DR drill (real apiservers, Velero 1.10.3, MinIO, BIND)", function () {
  this.timeout(20 * 60 * 1000);
  let w: DashWorld;
  let backup = "";
  let mutatedBackup = "";
  const log: string[] = [];

  before(async () => {
    const workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `e2e-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    w = new DashWorld({ ...toolchain(), workDir, log: (l) => log.push(l) });
    await w.startServices();
    await w.startSource();
    w.installFixture();
    await w.startSourceVelero();
    backup = await w.backup();
    // A second backup, from the project's Schedule spec built for the mutated profile. Its
    // Buildstack carries no finalizer, as Plotly's guide says of a restored one ("metadata that
    // Velero didn't persist"; Velero 1.10.3 does keep finalizers): only the owner-references repair
    // puts it back.
    w.source!.kubectl([
      "-n",
      PS,
      "patch",
      "buildstacks.dash.plotly.com",
      "de-buildstack",
      "--type=merge",
      "-p",
      JSON.stringify({ metadata: { finalizers: null } }),
    ]);
    w.applySchedule({ name: MUTATED_SCHEDULE, spec: dashScheduleSpec(mutatedProfile) }, dashEnterprise.name);
    mutatedBackup = await w.backup(MUTATED_SCHEDULE);
    w.backupName = backup;
    await w.loseSource();
  });

  after(async () => {
    await w?.stopAll();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(log.join("\n"));
    log.length = 0;
  });

  it("restores the Dash fixture into a new cluster with the project's chain; every check passes", async () => {
    await w.startDestination("destination");
    const state = path.join(w.o.workDir, "chain-1.json");
    const gated = await w.runChain(buildRestoreChain(w.chainInput()), state);
    assert.equal(gated.ok, false, "stops at the KOTS gate");
    assert.equal(gated.results.find((r) => r.status === "failed")?.id, "dash-kots-redeploy");
    w.operatorRedeploys();
    const done = await w.runChain(buildRestoreChain(w.chainInput({ app: { kotsRedeployed: true } })), state);
    assert.ok(done.ok, JSON.stringify(done.results.filter((r) => r.status === "failed")));
    const checks = await checkRestore(w);
    for (const c of checks) assert.ok(c.ok, `${c.name}: ${c.detail}`);
  });

  it("the drill catches a promoted location where it must stay ReadOnly (the region-loss drill's check)", async () => {
    // A destination that read a replica must not write to it (the region-loss drill checks its
    // location stayed ReadOnly). This destination was promoted: held to that rule, only that check fails.
    assertCaught(await checkRestore(w, { promoted: false }), [
      /^the backup storage location stayed ReadOnly \(not promoted\)/,
    ]);
  });

  it("the drill catches a KOTS stand-in tuned to the fixture: its controller's pods are not the Service's, nothing is served", async () => {
    // What the old stand-in re-created: the controller with the fixture's `app` label instead of
    // the restored manifest's (upstream ingress-nginx's selector labels).
    const c = w.dest!;
    c.kubectl(["-n", "plotly-system", "delete", "deployment", "ingress-nginx-controller", "--wait=true"]);
    c.kubectl([
      "-n",
      "plotly-system",
      "wait",
      "--for=delete",
      "pod",
      "-l",
      "app.kubernetes.io/name=ingress-nginx",
      "--timeout=120s",
    ]);
    c.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "ingress-nginx-controller",
        namespace: "plotly-system",
        labels: { app: "ingress-nginx-controller" },
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "ingress-nginx-controller" } },
        template: {
          metadata: { labels: { app: "ingress-nginx-controller" } },
          spec: {
            containers: [{ name: "controller", image: "registry.example/ingress-nginx-controller:1.0" }],
          },
        },
      },
    });
    c.kubectl([
      "-n",
      "plotly-system",
      "rollout",
      "status",
      "deployment/ingress-nginx-controller",
      "--timeout=120s",
    ]);
    const lb = { namespace: "plotly-system", service: "ingress-nginx-controller" };
    const step = entryPointStep(lb, [], 10);
    const r = await w.runChain({ steps: [step], env: {} }, path.join(w.o.workDir, "chain-entry.json"));
    assert.equal(r.ok, false, "the product's entry-point check fails");
    assert.match(r.results[0].stderr, /has no ready endpoint after 10s: no Ready pod matches its selector/);
    const served = (await checkRestore(w)).find((x) => x.name.startsWith("the entry point is served"));
    assert.equal(served?.ok, false, "the drill's own check fails too");
    await w.stopDestination("destination");
  });

  it("the drill catches a mutated profile and skipped repairs: each check that must fail fails, naming what is wrong", async () => {
    // One destination for many mutations (a drill run costs minutes): the mutated profile's backup
    // (Plotly's exclusions removed, a namespace lost, StatefulSets excluded) restored by the chain
    // without its owner-references and cleanup repairs, its DNS publish, its promotion and its
    // health step, with the operators not yet healthy after the redeploy.
    const skipped = ["dash-owner-references", "dash-cleanup", DNS_PUBLISH, PROMOTE, "dash-health"];
    w.backupName = mutatedBackup;
    try {
      await w.startDestination("destination-mutated");
      const state = path.join(w.o.workDir, "chain-mutated.json");
      const edits = { backup: { name: mutatedBackup } };
      const gated = await w.runChain(skipSteps(buildRestoreChain(w.chainInput(edits)), skipped), state);
      assert.equal(gated.results.find((r) => r.status === "failed")?.id, "dash-kots-redeploy");
      w.operatorRedeploys();
      w.setOperatorStatus({ appstack: "deploying" });
      const confirmed = buildRestoreChain(w.chainInput({ ...edits, app: { kotsRedeployed: true } }));
      const done = await w.runChain(skipSteps(confirmed, skipped), state);
      assert.ok(done.ok, JSON.stringify(done.results.filter((r) => r.status === "failed")));
      const checks = await checkRestore(w);
      const failed = checks.filter((c) => !c.ok);
      const report = checks.map((c) => `${c.ok ? "PASS" : "FAIL"} ${c.name}: ${c.detail ?? ""}`).join("\n");
      // Each check that must fail, and what its detail must name.
      const mustFail: [RegExp, RegExp][] = [
        [
          /^every backed-up object is restored/,
          /dash-services\/app-db.*statefulsets\.apps\/plotly-system\/redpanda|statefulsets\.apps\/plotly-system\/redpanda.*dash-services\/app-db/,
        ],
        [/^the backup holds the app's kinds/, /^(?!.*StatefulSet)/],
        [/^the backup holds no EndpointSlice/, /EndpointSlice/],
        [
          /^the backup ran with the profile's exclusions/,
          /validatingwebhookconfiguration, mutatingwebhookconfiguration, endpointslices/,
        ],
        [/^no source EndpointSlice was restored/, /[1-9]\d* restored by Velero's log/],
        [/^owner references point at the live owners' UIDs/, /buildstacks\.dash\.plotly\.com\/de-buildstack/],
        [/^the Buildstack has its finalizer/, /^$/],
        [
          /^the restored builder, appstack and ingress controller were deleted/,
          /dash-app-builder.*de-appstack.*ingress-nginx-controller/,
        ],
        [/^the backup storage location ended ReadWrite/, /ReadOnly/],
        [/^DNS: dash\.example\.com answers the new load balancer address/, /.*/],
        [/^DNS: api-dash\.example\.com is a CNAME/, /.*/],
        [/^the health check passed/, /deploying\/healthy/],
      ];
      for (const [name, detail] of mustFail) {
        const c = failed.find((x) => name.test(x.name));
        assert.ok(c, `the drill did not catch it: ${name}\n${report}`);
        assert.match(c.detail ?? "", detail, `${c.name}\n${report}`);
      }
      assert.equal(failed.length, mustFail.length, `only those fail\n${report}`);
      // What no mutation touched still holds: the restored controller serves the entry point.
      assert.ok(checks.find((c) => c.name.startsWith("the entry point is served"))?.ok, report);
    } finally {
      w.backupName = backup;
      await w.stopDestination("destination-mutated");
    }
  });

  it("stopped after the restore and run again, resumes without restoring twice", async () => {
    await w.startDestination("destination-resume");
    const c = w.dest!;
    const state = path.join(w.o.workDir, "chain-2.json");
    const first = await w.runChain(buildRestoreChain(w.chainInput()), state, "restore");
    assert.ok(first.ok);
    assert.equal(first.results[first.results.length - 1].id, "restore");
    const created = c.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
    assert.equal(created.length, 1);
    const second = await w.runChain(buildRestoreChain(w.chainInput()), state);
    assert.equal(second.results.find((r) => r.id === "restore")?.status, "skipped");
    assert.equal(
      second.results.find((r) => r.status === "failed")?.id,
      "dash-kots-redeploy",
      "runs on to the gate",
    );
    const after = c.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items;
    assert.deepEqual(
      after.map((r: any) => r.metadata.uid),
      created.map((r: any) => r.metadata.uid),
      "the same single Restore",
    );
    // Even with its record of progress lost, the restore step follows the existing Restore.
    const third = await w.runChain(
      buildRestoreChain(w.chainInput()),
      path.join(w.o.workDir, "chain-2-lost.json"),
      "restore",
    );
    assert.ok(third.ok);
    assert.match(
      third.results.find((r) => r.id === "restore")?.stdout ?? "",
      /exists already; following it instead of restoring again/,
    );
    assert.equal(c.getJson(["-n", NAMESPACE, "get", "restores.velero.io"]).items.length, 1);
    await w.stopDestination("destination-resume");
  });

  it("a corrupted backup fails the chain at the restore step with Velero's message; the BSL stays ReadOnly", async () => {
    const tarball = `backups/${backup}/${backup}.tar.gz`;
    assert.ok((await w.minio.listKeys(BUCKET, `backups/${backup}/`)).includes(tarball));
    await w.minio.putObject(BUCKET, tarball, "this is not a gzip archive");
    await w.startDestination("destination-corrupt");
    const r = await w.runChain(buildRestoreChain(w.chainInput()), path.join(w.o.workDir, "chain-3.json"));
    assert.equal(r.ok, false);
    const failed = r.results.find((x) => x.status === "failed")!;
    assert.equal(failed.id, "restore", `${failed.id}: ${failed.stderr}`);
    assert.match(
      failed.stdout + failed.stderr,
      new RegExp(`restore ${restoreName(backup)} (ended )?(Failed|PartiallyFailed)`),
    );
    // Velero's own words, from `velero restore describe --details`.
    assert.match(failed.stderr, /gzip: invalid header/);
    const mode = w.bslAccessMode();
    assert.equal(mode, "ReadOnly", "nothing promoted the location after a failed restore");
    await w.stopDestination("destination-corrupt");
  });
});
