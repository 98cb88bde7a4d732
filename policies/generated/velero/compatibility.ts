// GENERATED from components/velero/compatibility.ts by `npm run gen:policy-pack` (tools/policy-pack-sources.ts):
// edit the source, not this copy. The pack must not import outside policies/ (policy publish).
/**
 * Which Velero, plugin and chart versions go together, as upstream publishes it.
 *
 * Sources (checked when this table was written; a new line upstream is added here by hand):
 * - Plugins: the "Compatibility" table of the READMEs of vmware-tanzu/velero-plugin-for-microsoft-azure
 *   (read up to plugin v1.10.x / Velero v1.14.x) and vmware-tanzu/velero-plugin-for-aws (read up to
 *   v1.14.x / v1.18.x). Both plugins follow the same lines: plugin v1.6.x is made for Velero v1.10.x,
 *   v1.7.x for v1.11.x, and so on, one plugin minor per Velero minor.
 * - Chart: `appVersion` of charts/velero/Chart.yaml in vmware-tanzu/helm-charts at each chart release
 *   of the 3.x values layout (the one components/velero/values.ts builds): 3.0.0-3.1.3 ship Velero
 *   1.10.0, 3.1.4-3.1.6 ship 1.10.2, 3.2.0 ships 1.11.0 (and its CRDs). 4.0.0 (1.11.0) changed the
 *   values layout; there is no 3.x release after 3.2.0.
 */

/** Velero minor -> the plugin minor made for it (the plugins' README compatibility tables). */
export const PLUGIN_LINE_FOR_VELERO: Readonly<Record<string, string>> = {
  "1.10": "1.6",
  "1.11": "1.7",
  "1.12": "1.8",
  "1.13": "1.9",
  "1.14": "1.10",
  "1.15": "1.11",
  "1.16": "1.12",
  "1.17": "1.13",
  "1.18": "1.14",
};

/** Chart release of the 3.x values layout -> the Velero it ships (Chart.yaml `appVersion`). */
export const CHART_APP_VERSION: Readonly<Record<string, string>> = {
  "3.0.0": "1.10.0",
  "3.1.0": "1.10.0",
  "3.1.1": "1.10.0",
  "3.1.2": "1.10.0",
  "3.1.3": "1.10.0",
  "3.1.4": "1.10.2",
  "3.1.5": "1.10.2",
  "3.1.6": "1.10.2",
  "3.2.0": "1.11.0",
};

/**
 * The Velero line this program runs: its Helm values, restore steps and drill are built for 1.10
 * (the line Dash Enterprise 5 requires); other lines are refused rather than run untried.
 */
export const SUPPORTED_VELERO_LINE = "1.10";

const TAG = /^v?(\d+)\.(\d+)\.(\d+)$/;

/** `1.10` of `v1.10.3` (or of a chart version `3.1.6`: `3.1`); undefined for anything else. */
export function lineOf(version: string): string | undefined {
  const m = TAG.exec(version);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** The Velero minor a plugin line is made for, or undefined when no table row names it. */
export function veleroLineForPlugin(pluginLine: string): string | undefined {
  return Object.keys(PLUGIN_LINE_FOR_VELERO).find((v) => PLUGIN_LINE_FOR_VELERO[v] === pluginLine);
}

/** The charts that ship a Velero line, as "3.0.0-3.1.6" (empty when none does). */
export function chartsForVeleroLine(line: string): string {
  const charts = Object.keys(CHART_APP_VERSION).filter((c) => lineOf(CHART_APP_VERSION[c]) === line);
  if (charts.length === 0) return "";
  return charts.length === 1 ? charts[0] : `${charts[0]}-${charts[charts.length - 1]}`;
}

/** The version keys under `velero-dr:velero` the pairing rules read. */
export type VersionKey = "version" | "chartVersion" | "pluginVersion";

export interface PairingInput {
  /** The versions the stack would run (the user's or the defaults). */
  version: string;
  chartVersion: string;
  pluginVersion: string;
  /** A local chart: its version is the chart's own, not `chartVersion`; the chart is not checked. */
  chartPath?: string;
  /** The keys the stack sets itself (the others are defaults, which the user cannot be told to change). */
  set: ReadonlySet<VersionKey>;
  /** The object-store plugin image (`velero/velero-plugin-for-aws`), for messages. */
  pluginImage: string;
  /** What each key is when left out (the program's defaults). */
  defaults: Record<VersionKey, string>;
  /** The versions the app's vendor pins (the profile's requirements): the fix names these first. */
  pins: Partial<Record<VersionKey, string>>;
}

export interface PairingProblem {
  /** The key whose value conflicts (the Velero line first: the others are judged against it). */
  key: VersionKey;
  message: string;
}

/**
 * Why a Velero/plugin/chart combination cannot work, one problem per offending key, each naming
 * the value, what it is made for, what the Velero in use needs, and the fix — or [] when it can.
 * The Velero line is checked first: when it is refused, the plugin and chart are not (their fit
 * with a Velero that will not run says nothing).
 */
export function pairingProblems(i: PairingInput): PairingProblem[] {
  const out: PairingProblem[] = [];
  const velero = lineOf(i.version);
  const plugin = i.pluginImage.split("/").pop() as string;
  const pinnedDefault = (key: VersionKey) => i.pins[key] === i.defaults[key];
  // Removing the key gives the default: offered only where the default is the version to set.
  const fix = (key: VersionKey, value: string): string => {
    const remove =
      i.defaults[key] === value
        ? `, or remove it to use ${pinnedDefault(key) ? "the profile's pin" : "the default"}`
        : "";
    return `set velero-dr:velero.${key}: ${value}${remove}`;
  };
  /** The version to suggest for a key: the pin, else the default, where it fits `fits`. */
  const suggest = (key: VersionKey, fits: (v: string) => boolean, otherwise: string): string =>
    [i.pins[key], i.defaults[key]].find((v): v is string => v !== undefined && fits(v)) ?? otherwise;
  // A key the stack leaves out holds the default or the pin: said so, since the user never typed it.
  const got = (key: VersionKey, value: string): string =>
    i.set.has(key) ? `"${value}"` : `"${value}" (the default)`;

  if (velero !== SUPPORTED_VELERO_LINE) {
    const suggestion = suggest(
      "version",
      (v) => lineOf(v) === SUPPORTED_VELERO_LINE,
      `a v${SUPPORTED_VELERO_LINE}.x release`,
    );
    out.push({
      key: "version",
      message: `got ${got("version", i.version)}; this program runs Velero ${SUPPORTED_VELERO_LINE} only (its Helm values, restore steps and drill are built for it; charts ${chartsForVeleroLine(SUPPORTED_VELERO_LINE)} ship it); ${fix("version", suggestion)}`,
    });
    return out;
  }

  const wantPlugin = PLUGIN_LINE_FOR_VELERO[velero];
  const pluginLine = lineOf(i.pluginVersion);
  if (pluginLine !== wantPlugin) {
    const madeFor = pluginLine ? veleroLineForPlugin(pluginLine) : undefined;
    const what = madeFor
      ? `${plugin} ${i.pluginVersion} is of the v${pluginLine}.x line, made for Velero ${madeFor}`
      : `${plugin} ${i.pluginVersion} is of no line the compatibility table lists (plugin lines v1.6-v1.14, for Velero 1.10-1.18)`;
    const suggestion = suggest(
      "pluginVersion",
      (v) => lineOf(v) === wantPlugin,
      `a v${wantPlugin}.x release`,
    );
    const needs = `velero.version ${i.version} needs a v${wantPlugin}.x plugin (the plugin's README compatibility table)`;
    out.push({
      key: "pluginVersion",
      message: `got ${got("pluginVersion", i.pluginVersion)}; ${what}, but ${needs}; ${fix("pluginVersion", suggestion)}`,
    });
  }

  if (i.chartPath === undefined) {
    const ships = CHART_APP_VERSION[i.chartVersion];
    const charts = chartsForVeleroLine(velero);
    const suggestion = suggest(
      "chartVersion",
      (v) => lineOf(CHART_APP_VERSION[v] ?? "") === velero,
      charts.split("-").pop() as string,
    );
    if (ships === undefined) {
      const why = i.chartVersion.startsWith("3.")
        ? `no chart ${i.chartVersion} of the 3.x values layout was released (3.0.0-3.2.0)`
        : `the program's Helm values are built for the chart 3.x layout (chart 4.0.0 changed it; chart 12 cannot run a 1.10 image)`;
      out.push({
        key: "chartVersion",
        message: `got ${got("chartVersion", i.chartVersion)}; ${why}; ${fix("chartVersion", suggestion)}`,
      });
    } else if (lineOf(ships) !== velero) {
      out.push({
        key: "chartVersion",
        message: `got ${got("chartVersion", i.chartVersion)}; chart ${i.chartVersion} ships Velero ${ships} and that line's CRDs (its appVersion), not Velero ${velero} (velero.version ${i.version}; charts ${charts} ship ${velero}); ${fix("chartVersion", suggestion)}`,
      });
    }
  }
  return out;
}
