import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { readStackFile } from "../../components/config/stack-file";
import { RawConfigInput } from "../../components/config/validate";
import { EngineOps, gateKey, loadChain, recover, rehearse } from "../../tools/automation/driver";
import { Progress } from "../../tools/automation/progress";
import { marksFromState } from "../../tools/automation/engine";

/**
 * The drivers' flow against a scripted engine: each `up` plays the chain's steps as the engine's
 * events (what the Automation API delivers) and stops at a gate until its key is set. The real
 * engine runs the same drivers in the drill.
 */
const URN = (id: string) =>
  `urn:pulumi:s::velero-dr::velero-dr:restore:RestoreChain$command:local:Command::restore-${id}`;

function rehearsalConfig(over: (v: Record<string, unknown>) => void = () => {}): RawConfigInput {
  const raw = readStackFile("example-destination-azure");
  const v = { ...raw.values } as Record<string, unknown>;
  const restore = { ...(v.restore as Record<string, unknown>) };
  delete restore.promoteToPrimary;
  v.restore = restore;
  delete v.dns;
  v.mode = "rehearsal";
  over(v);
  return { ...raw, values: v, stack: "dash-rehearsal" };
}

interface Script {
  engine: EngineOps;
  calls: string[];
  config: Record<string, boolean>;
}

/** An engine whose chain runs until a gate whose key is not set, or a step told to fail. */
function scriptedEngine(
  raw: RawConfigInput,
  o: { failStep?: string; hangAt?: string; minutesPerStep?: number } = {},
): Script {
  const { steps } = loadChain(raw);
  const calls: string[] = [];
  const config: Record<string, boolean> = {};
  const done: Record<string, string> = {};
  let clock = Date.parse("2026-12-06T10:00:00Z");
  const iso = () => new Date(clock).toISOString();
  const mark = (id: string, what: string) => `velero-dr:report step=${id} ${what}`;
  const engine: EngineOps = {
    config: async () => raw,
    preview: async () => {
      calls.push("preview");
      return { changes: { create: steps.length } };
    },
    up: async (p: Progress, signal: AbortSignal) => {
      calls.push("up");
      const emit = (e: Partial<EngineEvent>) =>
        p.onEvent({ sequence: 0, timestamp: clock / 1000, ...e } as EngineEvent);
      for (const s of steps) {
        if (done[s.id]) continue;
        if (o.hangAt === s.id) {
          (signal as AbortSignal & { onabort: unknown }).onabort = null;
          await new Promise((r) => signal.addEventListener("abort", r));
          return { ok: false, message: "update canceled" };
        }
        const meta = { op: "create", urn: URN(s.id), type: "command:local:Command" } as never;
        emit({ resourcePreEvent: { metadata: meta } });
        const start = iso();
        clock += (o.minutesPerStep ?? 1) * 60_000;
        const blocked = (s.gate && !config[gateKey(s)]) || o.failStep === s.id;
        const lines = [mark(s.id, `start=${start}`), mark(s.id, `end=${iso()} rc=${blocked ? 1 : 0}`)];
        if (blocked) {
          emit({
            diagnosticEvent: {
              urn: URN(s.id),
              message: `exit status 1: GATE ${s.id}\n${lines.join("\n")}`,
              color: "never",
              severity: "error",
            },
          });
          emit({ resOpFailedEvent: { metadata: meta, status: 1, steps: 1 } });
          return { ok: false, message: `update failed at ${s.id}` };
        }
        done[s.id] = lines.join("\n");
        emit({ resOutputsEvent: { metadata: meta } });
      }
      return { ok: true };
    },
    destroy: async () => {
      calls.push("destroy");
      return { ok: true };
    },
    setTrue: async (key) => {
      calls.push(`set ${key}`);
      config[key] = true;
    },
    stepOutputs: async () => ({ ...done }),
  };
  return { engine, calls, config };
}

describe("recovery drivers (npm run rehearse / npm run dr) on a scripted engine", () => {
  let out: string;
  const lines: string[] = [];
  const io = (answers: string[] = []) => ({
    say: (l: string) => lines.push(l),
    now: () => new Date("2026-12-06T10:00:00Z"),
    ask: async (q: string) => {
      lines.push(q);
      return answers.shift() ?? "";
    },
  });
  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), "vdr-driver-"));
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));
  beforeEach(() => lines.splice(0));

  it("rehearse: up, each gate done by its command and its key set, the report written, then destroyed", async () => {
    const raw = rehearsalConfig((v) => (v.rehearsal = { objectives: { rtoMinutes: 120 } }));
    const s = scriptedEngine(raw);
    const gates: string[] = [];
    const r = await rehearse({
      stack: "dash-rehearsal",
      engine: s.engine,
      io: io(),
      outDir: out,
      gateCommands: {
        "app.kotsRedeployed": async (step) => (gates.push(step.id), true),
        "restore.prerequisitesConfirmed": async (step) => (gates.push(step.id), true),
      },
    });
    assert.equal(r.exitCode, 0, lines.join("\n"));
    const gateKeys = loadChain(raw)
      .steps.filter((x) => x.gate)
      .map(gateKey);
    assert.ok(gateKeys.length >= 1);
    assert.deepEqual(s.calls, [...gateKeys.flatMap((k) => ["up", `set ${k}`]), "up", "destroy"]);
    assert.equal(r.destroyed, true);
    assert.equal(r.report?.health, "green");
    assert.ok(r.report?.steps.every((x) => x.status === "succeeded"));
    // RTO: every step run took a minute on the scripted clock, the gates' failed first runs too:
    // the time a gate waits counts.
    assert.equal(r.report?.rtoSeconds, ((r.report?.steps.length ?? 0) + gateKeys.length) * 60);
    const md = fs.readFileSync(r.files?.markdown as string, "utf8");
    assert.match(md, /^# Rehearsal report: dash-rehearsal/);
    assert.match(md, /```mermaid\ngantt/);
    assert.deepEqual(JSON.parse(fs.readFileSync(r.files?.json as string, "utf8")).ok, true);
    assert.ok(
      lines.some((l) => /▶ guard-different-cluster: /.test(l)),
      lines.join("\n"),
    );
  });

  it("rehearse: a gate with no command stops there, says how to pass it, reports the failure and still destroys", async () => {
    const s = scriptedEngine(rehearsalConfig());
    const r = await rehearse({ stack: "dash-rehearsal", engine: s.engine, io: io(), outDir: out });
    assert.equal(r.exitCode, 1);
    assert.deepEqual(s.calls, ["up", "destroy"]);
    assert.ok(
      lines.some((l) => /--gate restore\.prerequisitesConfirmed=<command/.test(l)),
      lines.join("\n"),
    );
    assert.match(r.report?.problems[0] ?? "", /^step check-prerequisites failed: exit status 1: GATE/);
    assert.equal(r.report?.steps.find((x) => x.id === "check-prerequisites")?.status, "failed");
  });

  it("rehearse: a missed objective fails the run (exit 1) though every step passed", async () => {
    const raw = rehearsalConfig((v) => (v.rehearsal = { objectives: { rtoMinutes: 5 } }));
    const s = scriptedEngine(raw);
    const yes = async () => true;
    const r = await rehearse({
      stack: "dash-rehearsal",
      engine: s.engine,
      io: io(),
      outDir: out,
      gateCommands: { "app.kotsRedeployed": yes, "restore.prerequisitesConfirmed": yes },
    });
    assert.equal(r.exitCode, 1);
    assert.match(r.report?.problems.join() ?? "", /exceeds the objective of 5 min/);
  });

  it("rehearse: Ctrl-C cancels the update and still destroys the rehearsal (exit 130)", async () => {
    const s = scriptedEngine(rehearsalConfig(), { hangAt: "guard-different-cluster" });
    const controller = new AbortController();
    const run = rehearse({
      stack: "dash-rehearsal",
      engine: s.engine,
      io: io(),
      outDir: out,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const r = await run;
    assert.equal(r.exitCode, 130);
    assert.deepEqual(s.calls, ["up", "destroy"]);
  });

  it("rehearse refuses a recovery stack, and dr a rehearsal, before any update", async () => {
    const recovery = scriptedEngine(readStackFile("example-destination-azure"));
    assert.equal(
      (await rehearse({ stack: "x", engine: recovery.engine, io: io(), outDir: out })).exitCode,
      2,
    );
    assert.deepEqual(recovery.calls, []);
    const rehearsal = scriptedEngine(rehearsalConfig());
    assert.equal(
      (await recover({ stack: "x", engine: rehearsal.engine, io: io(), outDir: out })).exitCode,
      2,
    );
    assert.deepEqual(rehearsal.calls, []);
  });

  it("dr: preview, then nothing without the typed stack name", async () => {
    const s = scriptedEngine(readStackFile("example-destination-azure"));
    const r = await recover({ stack: "dash-dr", engine: s.engine, io: io(["yes"]), outDir: out });
    assert.equal(r.exitCode, 1);
    assert.deepEqual(s.calls, ["preview"]);
  });

  it("dr: at a gate prints what to do, waits for the operator, sets the key and goes on; nothing is destroyed", async () => {
    const s = scriptedEngine(readStackFile("example-destination-azure"));
    const r = await recover({
      stack: "dash-dr",
      engine: s.engine,
      io: io(["dash-dr", "done", "done"]),
      outDir: out,
    });
    assert.equal(r.exitCode, 0, lines.join("\n"));
    assert.ok(!s.calls.includes("destroy"));
    assert.equal(
      s.calls.filter((c) => c === "up").length,
      1 + s.calls.filter((c) => c.startsWith("set ")).length,
    );
    assert.ok(lines.some((l) => /^dr: GATE /.test(l)));
    assert.ok(
      lines.some((l) => /^ {2}- /.test(l)),
      "the gate's instructions",
    );
    assert.equal(r.report?.mode, "recovery");
  });

  it("dr: an operator who does not confirm a gate stops the recovery there", async () => {
    const s = scriptedEngine(readStackFile("example-destination-azure"));
    const r = await recover({ stack: "dash-dr", engine: s.engine, io: io(["dash-dr", "no"]), outDir: out });
    assert.equal(r.exitCode, 1);
    assert.deepEqual(s.calls, ["preview", "up"]);
  });
});

describe("the recovery drivers' read of a stack's state", () => {
  it("keeps only the report marks of each chain step's stderr, shown secret or plain; other resources ignored", () => {
    const chain = (id: string) =>
      `urn:pulumi:s::velero-dr::velero-dr:restore:RestoreChain$command:local:Command::restore-${id}`;
    const marks = marksFromState({
      deployment: {
        resources: [
          {
            urn: chain("guard-different-cluster"),
            outputs: {
              stderr: {
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                plaintext: JSON.stringify(
                  "velero-dr:report step=guard-different-cluster start=t1\nnoise\nvelero-dr:report step=guard-different-cluster end=t2 rc=0",
                ),
              },
            },
          },
          { urn: chain("restore"), outputs: { stderr: "velero-dr:report step=restore start=t3" } },
          {
            urn: "urn:pulumi:s::velero-dr::command:local:Command::source-prep",
            outputs: { stderr: "velero-dr:report step=x start=t" },
          },
        ],
      },
    });
    assert.deepEqual(marks, {
      "guard-different-cluster":
        "velero-dr:report step=guard-different-cluster start=t1\nvelero-dr:report step=guard-different-cluster end=t2 rc=0",
      restore: "velero-dr:report step=restore start=t3",
    });
  });
});
