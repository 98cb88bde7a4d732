// GENERATED from components/velero/versions.ts by `npm run gen:policy-pack` (tools/policy-pack-sources.ts):
// edit the source, not this copy. The pack must not import outside policies/ (policy publish).
/**
 * Vendor-pinned versions and the compatibility rules between them.
 *
 * Dash Enterprise 5 requires Velero 1.10.3. No released chart ships 1.10.3, so the chart is
 * 3.1.6 (app 1.10.2, identical CRDs) with the image tag overridden; the plugin line that pairs
 * with Velero 1.10.x is v1.6.x (the plugins' README compatibility tables). See README "Versions";
 * the tables themselves, with their upstream sources, are in ./compatibility.
 */
import { CHART_APP_VERSION, lineOf, PLUGIN_LINE_FOR_VELERO } from "./compatibility";

export const DEFAULT_VERSIONS = {
  velero: "v1.10.3",
  chart: "3.1.6",
  azurePlugin: "v1.6.2",
  awsPlugin: "v1.6.2",
  chartRepository: "https://vmware-tanzu.github.io/helm-charts",
} as const;

const SEMVER_TAG = /^v(\d+)\.(\d+)\.(\d+)$/;
const CHART_VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

export function minorOf(tag: string): string | undefined {
  const m = SEMVER_TAG.exec(tag) ?? CHART_VERSION.exec(tag);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

export function isImageTag(tag: string): boolean {
  return SEMVER_TAG.test(tag);
}

export function isChartVersion(v: string): boolean {
  return CHART_VERSION.test(v);
}

/** The plugin minor that pairs with a Velero version, or undefined when unknown. */
export function pluginMinorFor(velero: string): string | undefined {
  const minor = minorOf(velero);
  return minor ? PLUGIN_LINE_FOR_VELERO[minor] : undefined;
}

/**
 * Why a velero/plugin/chart combination cannot work, or undefined when it can (the policy pack's
 * check of a rendered release; the configuration's, naming keys, is compatibility.pairingProblems).
 * The values builder targets the chart 3.x layout; each 3.x release ships one Velero line.
 */
export function incompatibility(velero: string, plugin: string, chart: string): string | undefined {
  const want = pluginMinorFor(velero);
  if (!want) {
    return `Velero ${velero} is not in the supported range v1.10-v1.18`;
  }
  if (minorOf(plugin) !== want) {
    return `plugin ${plugin} does not pair with Velero ${velero}; use a v${want}.x plugin`;
  }
  const ships = CHART_APP_VERSION[chart];
  if (ships === undefined) {
    return `chart ${chart} is not supported: the Helm values are built for chart 3.x (3.1.6 runs Velero 1.10)`;
  }
  if (lineOf(ships) !== minorOf(velero)) {
    return `chart ${chart} ships Velero ${ships}; ${velero} needs a chart of its own line`;
  }
  return undefined;
}
