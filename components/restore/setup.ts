import { backendOf } from "../backends";
import { SourceOutputs, sourceOutputsSchemaFor } from "../config/destination-schema";
import { DestinationStackConfig } from "../config/validate";
import { targetOf } from "../targets";
import { stringify as stringifyYaml } from "yaml";
import { shellQuote } from "../shell/script";
import { buildVeleroValues, CREDENTIALS_SECRET, imageRef, RELEASE_NAME } from "../velero/values";
import type { VeleroValuesArgs } from "../velero/velero-install";
import { Chain } from "./chain";
import { destinationTags, destinationVeleroValues } from "./destination-chain";
import { PROMOTE, WAIT_BSL } from "./velero-steps";
import { snapshotOnlyVolumes, sourceVolumeFacts } from "../config/volume-backup";
import type { RawDestinationConfig } from "../config/destination-schema";

/**
 * The runbook's section "Cluster, identity and Velero": what a destination stack creates or uses
 * before its chain runs — the cluster target, Velero's identity and the Velero install — with
 * the values it resolves from the stack's configuration, through the same functions the stack
 * uses (the target's and the backend's descriptions, destinationVeleroValues). Values that come
 * from the source stack's outputs are named by their output key when the outputs are not in the
 * configuration (a source stack reference, read only by `pulumi up`). No secret value appears.
 */
export function renderSetup(cfg: DestinationStackConfig, chain: Chain): string[] {
  const backend = backendOf(cfg.cloud);
  const support = backend.destination as NonNullable<typeof backend.destination>;
  const known = cfg.source.outputs;
  const source = known ?? (placeholderOutputs(sourceOutputsSchemaFor(backend)) as SourceOutputs);
  const fromSource = (key: string) => (known ? undefined : `<source output ${key}>`);
  const step = (id: string) => chain.steps.findIndex((s) => s.id === id) + 1;

  const out: string[] = [
    "Before step 1 the stack creates (or reads) these as Pulumi resources; the steps that need them wait for",
    "them. By hand, set them up in this order first.",
    "",
    ...(known
      ? []
      : [
          `\`<source output x>\`: the value of x in \`pulumi stack output -s ${cfg.source.stack} --json\` (the`,
          "source stack's outputs; keep a copy where the disaster cannot reach it).",
          "",
        ]),
  ];

  const target = targetOf("destination", backend, cfg).describe?.({
    cluster: cfg.cluster,
    stack: cfg.stack,
    tags: destinationTags(cfg),
    ...support.targetContext(cfg),
    ...support.describeContext?.(cfg),
    sourceKubernetesVersion:
      source.cluster.kubernetesVersion ??
      fromSource("cluster.kubernetesVersion") ??
      "not in the source's outputs",
  });
  if (target) {
    out.push("### Cluster", "", target.summary, "", ...table(target.rows), "");
    if (target.commands?.length) {
      out.push(
        "By hand, into the file the Variables block's `KUBECONFIG` names:",
        "",
        "```bash",
        'mkdir -p "$(dirname "$KUBECONFIG")"',
        ...target.commands,
        "```",
        "",
      );
    }
  }

  const access = support.describeAccess({ cfg, source, nodeResourceGroup: target?.nodeResourceGroup });
  out.push("### Velero's identity", "", access.summary, "", ...table(access.rows), "");
  if (access.commands?.length) out.push("```bash", ...access.commands, "```", "");

  const v = cfg.velero;
  const values = destinationVeleroValues(cfg, source);
  const velero = imageRef("velero/velero", values.version, values.imageRegistry);
  const plugin = imageRef(values.pluginImage, values.pluginVersion, values.imageRegistry);
  const kv = (config: Record<string, string>) =>
    Object.entries(config)
      .map(([k, x]) => `\`${k}=${x}\``)
      .join(", ");
  const promote = step(PROMOTE);
  const uploader = known
    ? `\`${values.uploaderType}\``
    : `the source's (\`${fromSource("velero.uploaderType")}\`), else \`${v.uploaderType}\``;
  // On by the stack's key, or by the profile's volume backup (the promoted cluster's own backups).
  const nodeAgentWhy =
    cfg.volumeKeys.nodeAgent !== undefined
      ? "`velero.nodeAgent`"
      : `${cfg.profile.displayName}'s profile copies volumes file by file: this cluster's own backups once promoted, and the source's file-system backups`;
  const nodeAgent = v.nodeAgent
    ? `on (${nodeAgentWhy}), uploader ${uploader}`
    : known
      ? values.nodeAgent
        ? `on (the source's backups copy volumes file by file), uploader \`${values.uploaderType}\``
        : "off (the source's backups copy no volume file by file)"
      : `on when the source's backups copy volumes file by file (\`${fromSource("velero.uploaderType")}\` not empty), with that uploader; otherwise off`;
  out.push(
    "### Velero",
    "",
    `Velero with the source's versions (restoring with other versions is not supported), installed with its Helm chart once the guard (step 1) passed; the location is **ReadOnly** until the restore is done, so nothing in this cluster writes or deletes backups meanwhile. Step ${step(WAIT_BSL)} waits until Velero reaches the storage.`,
    "",
    ...table([
      ["Namespace", `\`${v.namespace}\``],
      [
        "Helm chart",
        v.chartPath
          ? `\`${v.chartPath}\`, release \`${RELEASE_NAME}\``
          : `\`velero\` \`${source.velero.chartVersion}\` from \`${v.chartRepository}\`, release \`${RELEASE_NAME}\``,
      ],
      ["Velero image", `\`${velero.repository}:${velero.tag}\``],
      ["Plugin image", `\`${plugin.repository}:${plugin.tag}\` (an init container)`],
      [
        "Backup storage location",
        `\`${values.bsl.name}\`: provider \`${values.provider}\`, bucket \`${values.bsl.bucket}\`${
          values.bsl.prefix ? `, prefix \`${values.bsl.prefix}\`` : ""
        }, config ${kv(values.bsl.config)}; access mode **${values.bsl.accessMode}**${
          promote > 0
            ? ` (ReadWrite from step ${promote} on: this cluster becomes the primary)`
            : " (it stays so)"
        }`,
      ],
      [
        "Volume snapshot location",
        values.vsl
          ? `\`${values.vsl.name}\`: provider \`${values.provider}\`, config ${kv(values.vsl.config)}`
          : "none (this storage takes no volume snapshots)",
      ],
      [
        "Credentials",
        values.serviceAccountAnnotations
          ? `none (no Secret): Velero's service account is annotated ${Object.entries(
              values.serviceAccountAnnotations,
            )
              .map(([k, x]) => `\`${k}: ${x}\``)
              .join(", ")}`
          : `Secret \`${CREDENTIALS_SECRET}\`, key \`cloud\`: the credentials file of Velero's identity (never shown)`,
      ],
      ["Node agent", nodeAgent],
      ["Volume data", volumeData(cfg, known)],
      ["Backup sync period", `\`${values.backupSyncPeriod}\``],
      [
        "Priority class",
        `\`${values.priorityClassName}\`${v.createPriorityClass ? " (created by the stack)" : " (exists already)"}`,
      ],
      [
        "Resources",
        `requests \`cpu=${values.resources.requests.cpu}\`, \`memory=${values.resources.requests.memory}\`; limits \`cpu=${values.resources.limits.cpu}\`, \`memory=${values.resources.limits.memory}\``,
      ],
      ...(values.imagePullSecrets.length > 0
        ? [
            ["Image pull secrets", values.imagePullSecrets.map((x) => `\`${x}\``).join(", ")] as [
              string,
              string,
            ],
          ]
        : []),
      ...(values.airGapped
        ? [
            ["Air-gapped", "file-system restores use the mirrored `velero-restore-helper` image"] as [
              string,
              string,
            ],
          ]
        : []),
      [
        "Schedules",
        cfg.restore.promoteToPrimary
          ? `none until the last step passed; then the stack creates ${cfg.schedules.map((s) => `\`${s.name}\``).join(", ")} here`
          : "none: this cluster takes no backups (`restore.promoteToPrimary: false`)",
      ],
    ]),
    "",
    ...(known
      ? installByHand(cfg, values, source.velero.chartVersion)
      : [
          "With the source's outputs typed in (`source.outputs`, as when the source stack's state is lost), this",
          "section also gives the Helm values to install Velero by hand.",
        ]),
    "",
    "Check it runs (the `velero` CLI of the same version):",
    "",
    "```bash",
    `kubectl -n "$VELERO_NAMESPACE" rollout status deployment/${RELEASE_NAME}`,
    'velero -n "$VELERO_NAMESPACE" version',
    'velero -n "$VELERO_NAMESPACE" backup-location get',
    "```",
  );
  return out;
}

/** The namespace, Secret, priority class and Helm release the stack creates, as commands. */
function installByHand(
  cfg: DestinationStackConfig,
  values: VeleroValuesArgs,
  chartVersion: string,
): string[] {
  const v = cfg.velero;
  // A workload identity (the service account's annotation) needs no credentials Secret.
  const secret = values.serviceAccountAnnotations ? undefined : CREDENTIALS_SECRET;
  const helmValues = buildVeleroValues({ ...values, credentialsSecretName: secret });
  const version = shellQuote(chartVersion);
  const chart = v.chartPath
    ? shellQuote(v.chartPath)
    : v.chartRepository.startsWith("oci://")
      ? `${shellQuote(`${v.chartRepository}/velero`)} --version ${version}`
      : `velero --repo ${shellQuote(v.chartRepository)} --version ${version}`;
  return [
    secret
      ? "By hand (the credentials file holds what the identity above says; Helm waits for Velero to run):"
      : "By hand (Velero's service account assumes the identity above; Helm waits for Velero to run):",
    "",
    "```bash",
    'kubectl create namespace "$VELERO_NAMESPACE"',
    ...(values.nodeAgent
      ? ['kubectl label namespace "$VELERO_NAMESPACE" pod-security.kubernetes.io/enforce=privileged']
      : []),
    ...(secret
      ? [
          `kubectl -n "$VELERO_NAMESPACE" create secret generic ${secret} --from-file=cloud=<the credentials file>`,
        ]
      : []),
    ...(v.createPriorityClass
      ? [`kubectl create priorityclass ${shellQuote(values.priorityClassName)} --value=1000000`]
      : []),
    `cat >velero-values.yaml <<'${VALUES_DELIMITER}'`,
    stringifyYaml(helmValues).trimEnd(),
    VALUES_DELIMITER,
    `helm upgrade --install ${RELEASE_NAME} ${chart} --namespace "$VELERO_NAMESPACE" --values velero-values.yaml --wait --timeout ${v.helmTimeoutSeconds}s`,
    "```",
  ];
}

const VALUES_DELIMITER = "VELERO_DR_VALUES";

function table(rows: [string, string][]): string[] {
  const cell = (x: string) => x.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return ["| | |", "|---|---|", ...rows.map(([k, x]) => `| ${cell(k)} | ${cell(x)} |`)];
}

/**
 * The source's outputs with `<source output key>` for every value that is always there (optional
 * keys stay out): what the stack would read, named. Built from the schema of the outputs the
 * destination's backend reads, so a new key shows up here by itself.
 */
export function placeholderOutputs(schema: unknown, path: string[] = []): unknown {
  const def = (schema as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case "object":
      return Object.fromEntries(
        Object.entries(def.shape as Record<string, unknown>).flatMap(([k, s]) => {
          const v = placeholderOutputs(s, [...path, k]);
          return v === undefined ? [] : [[k, v]];
        }),
      );
    case "optional":
      return undefined;
    case "default":
    case "prefault":
    case "nullable":
      return placeholderOutputs(def.innerType, path);
    case "pipe":
      return placeholderOutputs(def.in, path);
    default:
      return `<source output ${path.join(".")}>`;
  }
}

/**
 * Where the restored volumes' data comes from, and what the region allows (the cross-region guard:
 * a disk snapshot restores only in its own region).
 */
function volumeData(cfg: DestinationStackConfig, known: SourceOutputs | undefined): string {
  const backend = backendOf(cfg.cloud);
  const regions = backend.destination?.regions;
  const here = regions?.destination(cfg as unknown as RawDestinationConfig);
  if (!backend.volumeSnapshots) {
    return "only what the source copied file by file (this storage takes no disk snapshots)";
  }
  if (!known) {
    return `as the source backs them up (\`<source output velero.fsBackup>\`: \`all\` or \`profile\` copy volumes file by file, readable here; the rest are disk snapshots${
      regions
        ? `, which restore only in the source's region \`<source output ${regions.sourceOutputPath}>\`: \`pulumi up\` refuses them in another region than \`${here}\``
        : ""
    })`;
  }
  const facts = sourceVolumeFacts(known.velero, backend);
  const copied =
    facts.fsBackup === "all"
      ? "every pod volume copied file by file (restored by the node agent)"
      : facts.fsBackup === "profile"
        ? "the profile's listed volumes copied file by file (restored by the node agent)"
        : "no volume copied file by file";
  const snapshots = snapshotOnlyVolumes(cfg.profile, facts);
  const from = regions?.source(known);
  return snapshots
    ? `${copied}; disk snapshots of ${snapshots}${from ? `, restorable only in \`${from}\`` : ""}`
    : `${copied}; no volume backed up only as a disk snapshot`;
}
