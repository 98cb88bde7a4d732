import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { AWS_PLUGIN_1_6_KEYS, AZURE_PLUGIN_1_6_KEYS } from "../generated/velero/locations";
import { incompatibility, minorOf, pluginMinorFor } from "../generated/velero/versions";
import { forTypes, get, isRecord, isVeleroRelease, Props, records, show, str, TOKENS } from "./common";

/**
 * The Velero Helm release (chart vmware-tanzu/velero, 3.x values layout): versions pinned and
 * compatible, no credentials in Helm values, location config the plugin accepts.
 */

/**
 * Keys velero-plugin-for-aws v1.6.2 accepts (its backupstoragelocation.md and volumesnapshotlocation.md at tag
 * v1.6.2; checksumAlgorithm only exists from plugin v1.10.0).
 */
export { AWS_PLUGIN_1_6_KEYS };

const KEYS_BY_PLUGIN: Record<string, { bsl: readonly string[]; vsl: readonly string[] }> = {
  "azure@1.6": AZURE_PLUGIN_1_6_KEYS,
  "aws@1.6": AWS_PLUGIN_1_6_KEYS,
};

const PLUGIN_IMAGE: Record<string, string> = {
  azure: "velero-plugin-for-microsoft-azure",
  aws: "velero-plugin-for-aws",
  gcp: "velero-plugin-for-gcp",
};

const IMAGE_TAG = /^v\d+\.\d+\.\d+$/;
const CHART_VERSION = /^\d+\.\d+\.\d+$/;

interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(ref: string): ImageRef {
  const [name, digest] = ref.split("@");
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  return colon > slash
    ? { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest }
    : { repository: name, digest };
}

/** Plugin images from `initContainers` (a list, or a template string in chart 3.x). */
function pluginImages(values: unknown): ImageRef[] {
  const init = get(values, "initContainers");
  const refs =
    typeof init === "string"
      ? [...init.matchAll(/[^\s"']*velero-plugin-for-[^\s"']+/g)].map((m) => m[0])
      : records(init).map((c) => String(c.image ?? ""));
  return refs.filter((r) => r.includes("velero-plugin-for-")).map(parseImage);
}

/** "velero.io/azure" and "azure" name the same provider. */
function providerName(p: unknown): string | undefined {
  return str(p)?.replace(/^velero\.io\//, "");
}

function pluginFor(values: unknown, provider: string | undefined): ImageRef | undefined {
  const image = provider ? PLUGIN_IMAGE[provider] : undefined;
  return image ? pluginImages(values).find((i) => i.repository.split("/").pop() === image) : undefined;
}

function isLocalChart(chart: string): boolean {
  return /^(\/|\.\.?\/|~)/.test(chart) || /\.(tgz|tar\.gz)$/.test(chart);
}

/** The chart version: `version` for a repository chart, the archive name for a local `.tgz`. */
function chartVersion(props: Props): string | undefined {
  const chart = String(props.chart);
  if (!isLocalChart(chart)) return str(props.version);
  return /velero-(\d+\.\d+\.\d+)\.(tgz|tar\.gz)$/.exec(chart)?.[1];
}

/** Applies a rule to Helm releases of the Velero chart only. */
function forVeleroRelease(
  validate: (props: Props, args: ResourceValidationArgs, report: (m: string) => void) => void,
) {
  return forTypes([TOKENS.helmRelease], (props, args, report) => {
    if (!isVeleroRelease(props)) return args.notApplicable(`chart ${show(props.chart)} is not Velero`);
    validate(props, args, report);
  });
}

export const veleroVersionsPinned: ResourceValidationPolicy = {
  name: "velero-versions-pinned",
  description:
    'The Velero chart, server image and plugin images are exact versions (no "latest", no range, no empty ' +
    "tag): the vendor supports one Velero version, and a floating tag changes it behind everyone's back.",
  remediationSteps:
    "Set velero-dr:velero.chartVersion (x.y.z), velero.version and velero.pluginVersion (vX.Y.Z).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forVeleroRelease((props, _args, report) => {
    const chart = String(props.chart);
    if (!isLocalChart(chart) && !CHART_VERSION.test(str(props.version) ?? "")) {
      report(`chart version ${show(props.version)} is not an exact version (x.y.z).`);
    }
    const tag = get(props.values, "image", "tag");
    if (!IMAGE_TAG.test(str(tag) ?? "")) report(`values.image.tag ${show(tag)} is not an exact vX.Y.Z tag.`);
    for (const p of pluginImages(props.values)) {
      if (!p.digest && !IMAGE_TAG.test(p.tag ?? "")) {
        report(
          `plugin image ${p.repository} has ${p.tag ? `tag "${p.tag}"` : "no tag"}; pin an exact vX.Y.Z tag.`,
        );
      }
    }
  }),
};

export const veleroVersionsCompatible: ResourceValidationPolicy = {
  name: "velero-versions-compatible",
  description:
    "The Velero server, its object-store plugin and the chart work together (Velero 1.10.x needs plugin " +
    "1.6.x and chart 3.x): with a mismatched plugin Velero fails to load it or misbehaves, and takes no usable backups.",
  remediationSteps:
    'Use the pairs in README "Versions and why" (Velero v1.10.3, plugin v1.6.2, chart 3.1.6).',
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forVeleroRelease((props, args, report) => {
    const provider = providerName(get(props.values, "configuration", "provider"));
    const velero = str(get(props.values, "image", "tag"));
    if (!provider)
      return report("values.configuration.provider is not set: the chart deploys no Velero server.");
    const plugin = pluginFor(props.values, provider);
    if (PLUGIN_IMAGE[provider] && !plugin) {
      return report(`no ${PLUGIN_IMAGE[provider]} init container for provider "${provider}".`);
    }
    if (!velero || !IMAGE_TAG.test(velero) || !plugin?.tag || !IMAGE_TAG.test(plugin.tag)) {
      return args.notApplicable("versions are not pinned (see velero-versions-pinned)");
    }
    const chart = chartVersion(props);
    const why = chart ? incompatibility(velero, plugin.tag, chart) : pairing(velero, plugin.tag);
    if (why) report(`${why}.`);
  }),
};

/** Velero/plugin pairing alone, for a local chart directory whose version cannot be read here. */
function pairing(velero: string, plugin: string): string | undefined {
  const want = pluginMinorFor(velero);
  if (!want) return `Velero ${velero} is not in the supported range v1.10-v1.18`;
  return minorOf(plugin) === want
    ? undefined
    : `plugin ${plugin} does not pair with Velero ${velero}; use a v${want}.x plugin`;
}

const SECRET_ENV = /SECRET|PASSWORD|ACCESS_KEY|TOKEN|CREDENTIAL/i;

/** `extraEnvVars` as name/value pairs (a map in chart 3.x, a list of {name, value} elsewhere). */
function envVars(v: unknown): [string, unknown][] {
  if (Array.isArray(v)) return records(v).map((e) => [String(e.name), e.value]);
  return isRecord(v) ? Object.keys(v).map((k) => [k, v[k]]) : [];
}

export const veleroNoPlaintextCredentials: ResourceValidationPolicy = {
  name: "velero-no-plaintext-credentials",
  description:
    "Cloud credentials never pass through Helm values: values are stored in the Helm release Secret and in " +
    "Pulumi state. Velero reads an existing Secret the program owns (useSecret + existingSecret), or uses " +
    "IRSA on EKS (useSecret: false and an eks.amazonaws.com/role-arn service-account annotation).",
  remediationSteps:
    "Remove credentials.secretContents and secret-looking extraEnvVars; create the Secret separately (as " +
    "components/velero/velero-install.ts does) and set credentials.existingSecret.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: forVeleroRelease((props, _args, report) => {
    const creds = get(props.values, "credentials");
    if (get(creds, "secretContents") !== undefined) {
      report("values.credentials.secretContents puts the cloud credentials in plain Helm values.");
    }
    for (const path of [
      ["credentials", "extraEnvVars"],
      ["configuration", "extraEnvVars"],
    ]) {
      for (const [name] of envVars(get(props.values, ...path)).filter(([n]) => SECRET_ENV.test(n))) {
        report(`values.${path.join(".")}.${name} looks like a credential in plain Helm values.`);
      }
    }
    if (get(creds, "useSecret") === false) {
      const role = get(props.values, "serviceAccount", "server", "annotations", "eks.amazonaws.com/role-arn");
      if (!str(role)) {
        report(
          "credentials.useSecret is false without IRSA (serviceAccount.server.annotations eks.amazonaws.com/role-arn).",
        );
      }
    } else if (!str(get(creds, "existingSecret"))) {
      report("credentials.existingSecret is not set: the chart would build the Secret from Helm values.");
    }
  }),
};

/** Locations as the chart lays them out: one object in 3.x, a list from 4.0. */
function locations(values: unknown, key: string): Props[] {
  const v = get(values, "configuration", key);
  return Array.isArray(v) ? records(v) : isRecord(v) ? [v] : [];
}

export const veleroLocationConfigKeys: ResourceValidationPolicy = {
  name: "velero-bsl-config-keys",
  description:
    "BackupStorageLocation and VolumeSnapshotLocation config holds only keys the plugin version accepts: " +
    "plugin 1.6.x refuses to start on an unknown key (e.g. useAAD, storageAccountURI, checksumAlgorithm), " +
    "and Velero then takes no backups at all.",
  remediationSteps:
    "Remove the key, or upgrade Velero and the plugin together to a line that supports it (not possible " +
    "while the application's vendor pins the Velero version, e.g. 1.10.3).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: forVeleroRelease((props, args, report) => {
    const defaultProvider = providerName(get(props.values, "configuration", "provider"));
    let checked = 0;
    for (const [key, kind] of [
      ["backupStorageLocation", "bsl"],
      ["volumeSnapshotLocation", "vsl"],
    ] as const) {
      for (const loc of locations(props.values, key)) {
        const provider = providerName(loc.provider) ?? defaultProvider;
        const plugin = pluginFor(props.values, provider);
        const keys = plugin ? KEYS_BY_PLUGIN[`${provider}@${minorOf(plugin.tag ?? "")}`] : undefined;
        if (!plugin || !keys) continue;
        checked++;
        const config = isRecord(loc.config) ? Object.keys(loc.config) : [];
        const unknown = config.filter((k) => !keys[kind].includes(k));
        if (unknown.length > 0) {
          report(
            `${key} "${String(loc.name ?? "default")}" has config keys ${plugin.repository}:${plugin.tag} ` +
              `does not accept: ${unknown.join(", ")} (accepted: ${keys[kind].join(", ")}).`,
          );
        }
      }
    }
    if (checked === 0) return args.notApplicable("no location whose plugin version has a known key list");
  }),
};

export const veleroPolicies = [
  veleroVersionsPinned,
  veleroVersionsCompatible,
  veleroNoPlaintextCredentials,
  veleroLocationConfigKeys,
];
