import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { buildRecoveryReport, parseMarks, ReportStepModel } from "../../components/restore/recovery-report";
import { renderReportMarkdown } from "../../components/restore/report-render";
import { DONE_SCRIPT } from "../../components/restore/restore-chain";
import { buildScript } from "../../components/shell/script";

const steps: ReportStepModel[] = [
  { id: "guard", title: "Refuse the source cluster", kind: "guard" },
  { id: "wait-backup", title: "Wait for the backup", kind: "wait" },
  { id: "restore", title: "Restore the backup", kind: "restore" },
  { id: "health", title: "Health", kind: "health" },
];
const mark = (fields: string) => `velero-dr:report ${fields}`;
const ran = (id: string, start: string, end: string, rc = 0, extra: string[] = []) =>
  [
    mark(`step=${id} start=${start}`),
    "velero-dr: something the step said",
    ...extra.map(mark),
    mark(`step=${id} end=${end} rc=${rc}`),
  ].join("\n");

describe("recovery report (from the steps' own marks)", () => {
  it("reads only report marks, as key=value fields", () => {
    assert.deepEqual(
      parseMarks("noise\nvelero-dr:report step=a start=2026-01-01T00:00:00Z\nvelero-dr:reports x=1\n"),
      [{ step: "a", start: "2026-01-01T00:00:00Z" }],
    );
  });

  it("a step that ran and failed, and the steps after it that never ran: not ok, no RTO, says which step", () => {
    const r = buildRecoveryReport({
      stack: "s",
      mode: "rehearsal",
      steps,
      stderr: {
        guard: ran("guard", "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z"),
        "wait-backup": ran("wait-backup", "2026-01-01T00:00:05Z", "2026-01-01T00:05:05Z", 1),
      },
      failed: { "wait-backup": { message: "exit status 1: no Completed backup\nmore" } },
      objectives: { rtoMinutes: 30 },
    });
    assert.deepEqual(
      r.steps.map((s) => [s.id, s.status, s.seconds]),
      [
        ["guard", "succeeded", 5],
        ["wait-backup", "failed", 300],
        ["restore", "not-run", undefined],
        ["health", "not-run", undefined],
      ],
    );
    assert.equal(r.ok, false);
    assert.equal(r.health, "not-reached");
    assert.equal(r.rtoSeconds, undefined);
    assert.deepEqual(r.problems, [
      "step wait-backup failed: exit status 1: no Completed backup",
      "RTO objective 30 min: not measured (health not green)",
    ]);
  });

  it("a step the engine saw fail without output in the state is failed at the engine's time", () => {
    const r = buildRecoveryReport({
      stack: "s",
      mode: "recovery",
      steps,
      stderr: { guard: ran("guard", "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z") },
      failed: { "wait-backup": { at: "2026-01-01T00:01:00Z" } },
    });
    assert.equal(r.steps[1].status, "failed");
    assert.equal(r.steps[1].end, "2026-01-01T00:01:00.000Z");
  });

  it("RTO from the first step to green health, RPO from the backup's start to the restore's start, objectives met", () => {
    const r = buildRecoveryReport({
      stack: "s",
      mode: "rehearsal",
      steps,
      stderr: {
        guard: ran("guard", "2026-01-01T10:00:00Z", "2026-01-01T10:00:01Z"),
        "wait-backup": ran("wait-backup", "2026-01-01T10:00:01Z", "2026-01-01T10:00:30Z", 0, [
          "skipped=b2 phase=PartiallyFailed completed=",
          "backup=b1 started=2026-01-01T08:00:00Z completed=2026-01-01T08:10:00Z items=10/12",
        ]),
        restore: ran("restore", "2026-01-01T10:00:30Z", "2026-01-01T10:02:00Z", 0, [
          "restore=restore-b1 backup=b1 phase=PartiallyFailed started=2026-01-01T10:00:31Z completed=2026-01-01T10:01:59Z items=12/12 warnings=2 errors=1 refusedUpload=true",
        ]),
        health: ran("health", "2026-01-01T10:02:00Z", "2026-01-01T10:10:00Z"),
      },
      objectives: { rtoMinutes: 15, rpoHours: 4 },
    });
    assert.equal(r.ok, true);
    assert.equal(r.rtoSeconds, 600);
    assert.equal(r.rpoSeconds, 2 * 3600 + 31);
    assert.deepEqual(r.backup, {
      name: "b1",
      started: "2026-01-01T08:00:00.000Z",
      completed: "2026-01-01T08:10:00.000Z",
      itemsBackedUp: 10,
      totalItems: 12,
    });
    assert.deepEqual(r.skippedBackups, [
      {
        name: "b2",
        phase: "PartiallyFailed",
        why: "it is PartiallyFailed; only Completed backups are restored",
      },
    ]);
    assert.equal(r.restores[0].refusedUpload, true);
    const md = renderReportMarkdown(r);
    assert.match(md, /^# Rehearsal report: s/);
    assert.match(md, /RTO \(first step → health green\) \| 10\.0 min — objective 15 min: met/);
    assert.match(md, /```mermaid\ngantt\n/);
    assert.match(
      md,
      /section restore\n {2}restore :done, 2026-01-01 10:00:30\.000, 2026-01-01 10:02:00\.000/,
    );
    assert.match(md, /the log upload the read-only key refused/);
  });

  it("a missed objective makes the report not ok, and says by how much", () => {
    const r = buildRecoveryReport({
      stack: "s",
      mode: "rehearsal",
      steps: [steps[0], steps[3]],
      stderr: {
        guard: ran("guard", "2026-01-01T10:00:00Z", "2026-01-01T10:00:01Z"),
        health: ran("health", "2026-01-01T10:00:01Z", "2026-01-01T10:40:00Z"),
      },
      objectives: { rtoMinutes: 30 },
    });
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems, ["RTO 40.0 min exceeds the objective of 30 min"]);
    assert.match(renderReportMarkdown(r), /objective 30 min: \*\*missed\*\*/);
  });
});

describe("report marks written by the step scripts", () => {
  const bash = (script: string, env: Record<string, string> = {}) =>
    spawnSync("/bin/bash", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });

  it("a step refused by its own input checks still reports its start and its end with the exit status", () => {
    const r = bash(
      buildScript({ kubeconfig: false, env: ["NEEDED"], body: "echo never" }, { reportStep: "s1" }),
    );
    assert.equal(r.status, 2);
    const marks = parseMarks(r.stderr);
    assert.deepEqual(
      marks.map((m) => Object.keys(m)),
      [
        ["step", "start"],
        ["step", "end", "rc"],
      ],
    );
    assert.equal(marks[1].rc, "2");
    assert.ok(marks[0].start <= marks[1].end);
  });

  it("a step not run again (its update) prints what it produced and its marks as before", () => {
    const r = bash(DONE_SCRIPT, {
      VELERO_DR_STEP_ID: "wait-backup",
      PULUMI_COMMAND_STDOUT: "velero-dr: waiting\nbackup-1",
      PULUMI_COMMAND_STDERR:
        "velero-dr: note\nvelero-dr:report step=wait-backup start=t1\nvelero-dr:report step=wait-backup end=t2 rc=0",
    });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim().split("\n").pop(), "backup-1");
    assert.deepEqual(
      parseMarks(r.stderr).map((m) => m.start ?? m.end),
      ["t1", "t2"],
    );
    assert.match(r.stderr, /step wait-backup already succeeded/);
  });
});
