import { hours, minutes, RecoveryReport, ReportedStep } from "./recovery-report";

/** The recovery report as Markdown: the summary, the objectives, a Gantt chart of the steps, the details. */
export function renderReportMarkdown(r: RecoveryReport): string {
  const what = r.mode === "rehearsal" ? "Rehearsal" : "Recovery";
  const lines = [
    `# ${what} report: ${r.stack}`,
    "",
    `**${r.ok ? "OK" : "NOT OK"}** — health ${r.health}${r.problems.length > 0 ? `; ${r.problems.join("; ")}` : ""}.`,
    "",
    "| | |",
    "|---|---|",
    `| RTO (first step → health green) | ${r.rtoSeconds !== undefined ? minutes(r.rtoSeconds) : "not measured"}${objective(r.objectives?.rtoMinutes, "min")} |`,
    ...(r.rtoWithSetupSeconds !== undefined
      ? [
          `| RTO with the cluster and Velero (first \`pulumi up\` → health green) | ${minutes(r.rtoWithSetupSeconds)} |`,
        ]
      : []),
    `| RPO (age of the backup's data when the restore began) | ${r.rpoSeconds !== undefined ? hours(r.rpoSeconds) : "not measured"}${objective(r.objectives?.rpoHours, "h")} |`,
    `| Backup restored | ${r.backup ? `\`${r.backup.name}\` (started ${r.backup.started ?? "?"}, completed ${r.backup.completed ?? "?"}, ${count(r.backup.itemsBackedUp, r.backup.totalItems)} items backed up)` : "none"} |`,
    `| Newer backups skipped | ${r.skippedBackups.length === 0 ? "none" : r.skippedBackups.map((b) => `\`${b.name}\`: ${b.why}`).join("; ")} |`,
  ];
  for (const x of r.restores) {
    lines.push(
      `| Restore \`${x.name}\` | ${x.phase}${x.refusedUpload ? " (its one error: the log upload the read-only key refused; counted as Completed)" : ""}, ${count(x.itemsRestored, x.totalItems)} items restored, ${x.warnings} warnings, ${x.errors} errors |`,
    );
  }
  lines.push("", "## Steps", "", "```mermaid", ...gantt(r), "```", "");
  lines.push("| Step | Kind | Status | Start (UTC) | End (UTC) | Seconds |", "|---|---|---|---|---|---|");
  for (const s of r.steps) {
    lines.push(
      `| ${s.id}: ${s.title.replace(/\|/g, "\\|")} | ${s.kind} | ${s.status} | ${s.start ?? ""} | ${s.end ?? ""} | ${s.seconds !== undefined ? s.seconds.toFixed(1) : ""} |`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

function objective(o: { target: number; met: boolean } | undefined, unit: string): string {
  return o ? ` — objective ${o.target} ${unit}: ${o.met ? "met" : "**missed**"}` : "";
}

function count(a: number | undefined, b: number | undefined): string {
  return `${a ?? "?"}/${b ?? "?"}`;
}

/** A mermaid Gantt chart: one bar per step that ran, by its own start and end, grouped by kind. */
export function gantt(r: RecoveryReport): string[] {
  const out = [
    "gantt",
    `  title ${r.mode === "rehearsal" ? "Rehearsal" : "Recovery"} of ${safe(r.stack)} (UTC)`,
    "  dateFormat YYYY-MM-DD HH:mm:ss.SSS",
    "  axisFormat %H:%M:%S",
  ];
  let section = "";
  for (const s of r.steps.filter(
    (x): x is ReportedStep & { start: string; end: string } => !!(x.start && x.end),
  )) {
    if (s.kind !== section) {
      section = s.kind;
      out.push(`  section ${section}`);
    }
    const tag = s.status === "succeeded" ? "done" : "crit";
    out.push(`  ${safe(s.id)} :${tag}, ${mermaidTime(s.start)}, ${mermaidTime(s.end)}`);
  }
  return out;
}

const safe = (s: string) => s.replace(/[:;#\n]/g, " ");
const mermaidTime = (iso: string) => iso.replace("T", " ").replace(/Z$/, "");
