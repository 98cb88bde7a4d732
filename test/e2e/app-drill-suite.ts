import { strict as assert } from "assert";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { Chain } from "../../components/restore/chain";
import { validateChain } from "../../components/restore/step";
import { AppScenario, DestinationOptions } from "../../drill/app-scenario";
import { AppDrill } from "../../drill/app-kit/app-drill";
import { Check } from "../../drill/app-kit/check";
import { toolchain } from "../../drill/lib/toolchain";

/**
 * The frame of an app's drill suite: before the tests, the app backed up on a source cluster;
 * after them, every process stopped; a failed test prints the drill's log. Call inside describe().
 */
export function appDrillSuite(app: AppDrill): { s: AppScenario } {
  const log: string[] = [];
  const suite = {} as { s: AppScenario };
  before(async () => {
    const workDir = path.join(
      process.env.VELERO_DR_DRILL_DIR ?? path.join(os.tmpdir(), "velero-dr-drill"),
      `${app.app}-${Date.now()}`,
    );
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    suite.s = new AppScenario({ ...toolchain(), workDir, log: (l) => log.push(l) }, app);
    await suite.s.backUpSource();
  });
  after(async () => {
    await suite.s?.stopAll();
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(log.join("\n"));
    log.length = 0;
  });
  return suite;
}

/** Runs `fn` on a new destination cluster `name` (the source lost), stopping it however `fn` ends. */
export async function onDestination(
  s: AppScenario,
  name: string,
  fn: () => Promise<void>,
  o: DestinationOptions = {},
): Promise<void> {
  await s.startDestination(name, o);
  try {
    await fn();
  } finally {
    await s.stopDestination(name);
  }
}

type ChainRun = Awaited<ReturnType<AppScenario["runChain"]>>;

/** The chain succeeded (else: the failed step, its output). */
export function assertSucceeded(r: ChainRun): void {
  assert.ok(
    r.ok,
    JSON.stringify(
      r.results.filter((x) => x.status === "failed"),
      null,
      2,
    ),
  );
}

/** These steps ran, in this order (others may run between them). */
export function assertInOrder(r: ChainRun, ids: string[]): void {
  assert.deepEqual(
    r.results.map((x) => x.id).filter((id) => ids.includes(id)),
    ids,
  );
}

/**
 * The chain without these steps (a mutation: a repair skipped), each step that needed one needing
 * what the skipped step needed.
 */
export function skipSteps(chain: Chain, skipped: string[]): Chain {
  const byId = new Map(chain.steps.map((st) => [st.id, st]));
  for (const id of skipped) assert.ok(byId.has(id), `the chain has no step ${id} to skip`);
  const resolve = (ids: string[]): string[] => [
    ...new Set(ids.flatMap((id) => (skipped.includes(id) ? resolve(byId.get(id)?.needs ?? []) : [id]))),
  ];
  const steps = chain.steps
    .filter((st) => !skipped.includes(st.id))
    .map((st) => ({ ...st, needs: resolve(st.needs) }));
  validateChain(steps);
  return { ...chain, steps };
}

/**
 * The drill caught every mutation: each of `mustFail` names a failed check, and no other check
 * failed (a check that fails for another reason would hide one that cannot fail).
 */
export function assertCaught(checks: Check[], mustFail: RegExp[]): void {
  const report = checks.map((c) => `${c.ok ? "PASS" : "FAIL"} ${c.name}: ${c.detail ?? ""}`).join("\n");
  const failed = checks.filter((c) => !c.ok);
  for (const name of mustFail) {
    assert.ok(
      failed.some((c) => name.test(c.name)),
      `the drill did not catch it: ${name}\n${report}`,
    );
  }
  assert.equal(failed.length, mustFail.length, `only those fail\n${report}`);
  // What the drill printed for each mutation it caught (the record a reviewer reads).
  for (const c of failed) console.log(`      caught: ${c.name}: ${c.detail ?? ""}`);
}
