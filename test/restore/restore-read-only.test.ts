import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

const SCRIPT = path.join(__dirname, "..", "..", "components", "scripts", "restore.sh");

/**
 * restore.sh on a Restore that ended PartiallyFailed with one error: Velero 1.10.3's upload of the
 * restore's log, refused by storage Velero may only read. Accepted in a rehearsal and where the
 * destination declares its storage read-only (VELERO_DR_STORAGE_READ_ONLY=true: an AWS
 * destination's role until promotion); refused otherwise, and refused for any other error.
 */
function run(env: Record<string, string>, opts: { errors?: string; log?: string } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "vdr-restore-"));
  try {
    // A kubectl that knows one finished Restore and Velero's log.
    writeFileSync(
      path.join(dir, "kubectl"),
      [
        "#!/usr/bin/env bash",
        'args="$*"',
        'case "$args" in',
        // The log as the API server serves it; with FAKE_LOG_LATE, only from the second read on.
        '  *" logs "*)',
        '    n=$(( $(cat "$FAKE_DIR/reads" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$FAKE_DIR/reads"',
        '    if [ -z "${FAKE_LOG_LATE:-}" ] || [ "$n" -gt 1 ]; then if [ -n "${FAKE_LOG_FILE:-}" ]; then cat "$FAKE_LOG_FILE"; else printf \'%s\\n\' "$FAKE_LOG"; fi; fi ;;',
        "  *status.phase*) printf PartiallyFailed ;;",
        "  *startTimestamp*) printf '2026-12-06T09:00:00Z|2026-12-06T09:05:00Z|12|12' ;;",
        "  *progress.itemsRestored*) printf 12/12 ;;",
        "  *status.warnings*) printf 0 ;;",
        '  *status.errors*) printf "$FAKE_ERRORS" ;;',
        "  *) ;;",
        "esac",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    return spawnSync("bash", ["-euo", "pipefail", SCRIPT], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH ?? ""}`,
        RESTORE_BACKUP_NAME: "dash-daily-20261206000000",
        VELERO_NAMESPACE: "velero",
        RESTORE_TIMEOUT_SECONDS: "60",
        RESTORE_MANIFEST: "",
        VELERO_DR_POLL_SECONDS: "0",
        FAKE_DIR: dir,
        FAKE_ERRORS: opts.errors ?? "1",
        FAKE_LOG:
          opts.log ??
          'time="2026-12-06T09:04:59Z" level=error msg="Error uploading restore results to backup storage" error="AccessDenied: Access Denied"',
        ...env,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("restore.sh: the refused upload of the restore log on read-only storage", () => {
  it("is the restore's one error accepted where the destination declares its storage read-only", () => {
    const r = run({ VELERO_DR_STORAGE_READ_ONLY: "true" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /refused by the read-only credentials .* Counted as Completed/);
    assert.match(r.stderr, /refusedUpload=true/);
  });

  it("is accepted from a long log (no SIGPIPE of kubectl under pipefail) and from a log line that arrives late", () => {
    const line =
      'time="2026-12-06T09:04:59Z" level=error msg="Error uploading restore results to backup storage" error="AccessDenied: Access Denied"';
    // Far more than a pipe's buffer after the line: grep must read it all.
    const tail = Array.from(
      { length: 4000 },
      (_, i) => `time="2026-12-06T09:05:00Z" level=info msg="line ${i} ${"x".repeat(80)}"`,
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), "vdr-restore-log-")), "velero.log");
    writeFileSync(file, [line, ...tail].join("\n"));
    const long = run({ VELERO_DR_STORAGE_READ_ONLY: "true", FAKE_LOG_FILE: file });
    rmSync(path.dirname(file), { recursive: true, force: true });
    assert.equal(long.status, 0, long.stderr);
    assert.match(long.stderr, /refusedUpload=true/);
    const late = run({ VELERO_DR_STORAGE_READ_ONLY: "true", FAKE_LOG_LATE: "1" });
    assert.equal(late.status, 0, late.stderr);
    assert.match(late.stderr, /refusedUpload=true/);
  });

  it("is accepted in a rehearsal as before", () => {
    assert.equal(run({ VELERO_DR_MODE: "rehearsal" }).status, 0);
  });

  it("fails a recovery whose storage may be written (the upload should have worked)", () => {
    const r = run({});
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /ended PartiallyFailed with 1 errors/);
    assert.doesNotMatch(r.stderr, /refusedUpload/);
  });

  it("fails on any other error, or on a second one, even on read-only storage", () => {
    assert.notEqual(run({ VELERO_DR_STORAGE_READ_ONLY: "true" }, { errors: "2" }).status, 0);
    assert.notEqual(
      run({ VELERO_DR_STORAGE_READ_ONLY: "true" }, { log: 'level=error msg="error restoring pods"' }).status,
      0,
    );
  });
});
