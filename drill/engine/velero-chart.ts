import { spawnSync } from "child_process";
import { cpSync, mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as toYaml } from "yaml";

/** The declared stand-in of the Velero chart 3.1.6 (drill/engine/velero-chart; see its Chart.yaml). */
export const STAND_IN_CHART = path.join(__dirname, "velero-chart");

/**
 * A copy of the stand-in chart in `dir`, its crds/ filled with the CustomResourceDefinitions of the
 * drill's Velero binary (what chart 3.1.6 ships for Velero 1.10.3): Helm installs them when absent.
 * Returns the chart's path, for a stack's `velero-dr:velero.chartPath`.
 */
export function veleroChart(dir: string, veleroBin: string): string {
  const chart = path.join(dir, "velero-chart");
  cpSync(STAND_IN_CHART, chart, { recursive: true });
  const r = spawnSync(veleroBin, ["install", "--crds-only", "--dry-run", "-o", "yaml"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`velero install --crds-only --dry-run: ${r.stderr}`);
  mkdirSync(path.join(chart, "crds"), { recursive: true });
  // One document per CRD, as a chart's crds/ holds them (the CLI prints a List).
  const items = (parseYaml(r.stdout) as { items: unknown[] }).items;
  writeFileSync(path.join(chart, "crds", "velero.yaml"), items.map((i) => toYaml(i)).join("---\n"));
  return chart;
}
