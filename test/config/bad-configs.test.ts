import { strict as assert } from "assert";
import { vendorPinProblems } from "../../components/config/validate";
import { runProgram, stackFileConfig, fakeKubeconfig } from "../support/harness";

/**
 * A corpus of bad configurations. Each must fail with its own message (naming the key, the bad
 * value and the expected form) and register no resource at all.
 */
type Edit = (c: Record<string, string>) => void;
const set =
  (key: string, value: unknown): Edit =>
  (c) => {
    c[`velero-dr:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  };
const drop =
  (key: string): Edit =>
  (c) => {
    delete c[`velero-dr:${key}`];
  };
const merge =
  (key: string, patch: Record<string, unknown>): Edit =>
  (c) => {
    const k = `velero-dr:${key}`;
    c[k] = JSON.stringify({ ...JSON.parse(c[k] ?? "{}"), ...patch });
  };

interface BadCase {
  name: string;
  edits: Edit[];
  secretKeys?: string[];
  /** Every pattern must appear in the error. */
  expect: RegExp[];
}

const CASES: BadCase[] = [
  { name: "missing role", edits: [drop("role")], expect: [/velero-dr:role: is required/] },
  {
    name: "the node agent off while the profile copies volumes file by file",
    edits: [merge("velero", { nodeAgent: false })],
    expect: [
      /velero-dr:velero\.nodeAgent: got false, but Plotly Dash Enterprise 5's profile copies volumes file by file by default .*; remove the key .*, or set velero-dr:fsBackup: off/,
    ],
  },
  {
    name: "fs-backup of the profile's listed volumes for a profile that lists none",
    edits: [set("fsBackup", "profile")],
    expect: [/velero-dr:fsBackup: got "profile", but Plotly Dash Enterprise 5's profile lists no volumes/],
  },
  {
    name: "unknown role",
    edits: [set("role", "primary")],
    expect: [/velero-dr:role: got "primary"; expected "source"/],
  },
  { name: "missing profile", edits: [drop("profile")], expect: [/velero-dr:profile: is required/] },
  {
    name: "unknown profile",
    edits: [set("profile", "jupyterhub")],
    expect: [/velero-dr:profile: got "jupyterhub"; expected one of codedx, dash-enterprise, eda, nebari/],
  },
  {
    name: "unsupported cloud",
    edits: [set("cloud", "gcp")],
    expect: [/velero-dr:cloud: got "gcp"; expected "azure"/],
  },
  {
    name: "missing azure settings",
    edits: [drop("azure")],
    expect: [/velero-dr:azure: is required; expected a map of settings/],
  },
  {
    name: "subscription id that is not a GUID",
    edits: [merge("azure", { subscriptionId: "my-subscription" })],
    expect: [/velero-dr:azure\.subscriptionId: got "my-subscription"; expected a GUID/],
  },
  {
    name: "tenant id of the wrong type",
    edits: [merge("azure", { tenantId: 42 })],
    expect: [/velero-dr:azure\.tenantId: got 42 \(number\); expected a string/],
  },
  {
    name: "bad cron",
    edits: [set("schedules", [{ name: "nightly", cron: "0 25 * * *" }])],
    expect: [/velero-dr:schedules\[0\]\.cron: got "0 25 \* \* \*"/, /expected a 5-field cron/],
  },
  {
    name: "cron with seconds",
    edits: [set("schedules", [{ name: "nightly", cron: "0 0 0 * * *" }])],
    expect: [/schedules\[0\]\.cron: .*it has 6 fields/],
  },
  {
    name: "cron with L",
    edits: [set("schedules", [{ name: "monthly", cron: "0 0 L * *" }])],
    expect: [/schedules\[0\]\.cron: .*L, W and # are not supported/],
  },
  {
    name: "TTL 10x",
    edits: [set("schedules", [{ name: "nightly", cron: "0 0 * * *", ttl: "10x" }])],
    expect: [/velero-dr:schedules\[0\]\.ttl: got "10x"; expected a positive Go duration/],
  },
  {
    name: "uppercase schedule name",
    edits: [set("schedules", [{ name: "Nightly", cron: "0 0 * * *" }])],
    expect: [/velero-dr:schedules\[0\]\.name: got "Nightly"; expected a DNS-1123 label/],
  },
  {
    name: "a schedule that starts a backup before the last one can complete",
    edits: [set("schedules", [{ name: "often", cron: "*/5 * * * *" }])],
    expect: [
      /velero-dr:schedules\[0\]\.cron: got "\*\/5 \* \* \* \*", which runs as often as every 5m; a backup must complete before the next one starts: run it at most every 1h \(velero-dr:scheduleFloorMinutes sets that floor/,
    ],
  },
  {
    name: "a schedule whose runs come closer than the floor only at times (two runs 30 minutes apart)",
    edits: [set("schedules", [{ name: "twice", cron: "0,30 2 * * *" }])],
    expect: [/velero-dr:schedules\[0\]\.cron: got "0,30 2 \* \* \*", which runs as often as every 30m/],
  },
  {
    name: "a retention shorter than the time between two runs",
    edits: [set("schedules", [{ name: "weekly", cron: "0 0 * * 0", ttl: "72h" }])],
    expect: [
      /velero-dr:schedules\[0\]\.ttl: got "72h", shorter than the 7d between two runs of "0 0 \* \* 0": each backup would be deleted before the next one exists; keep backups at least 7d/,
    ],
  },
  {
    name: "a floor below five minutes",
    edits: [set("scheduleFloorMinutes", 1)],
    expect: [/velero-dr:scheduleFloorMinutes: got 1/],
  },
  {
    name: "schedule name too long for Velero's backup names",
    edits: [set("schedules", [{ name: "a".repeat(49), cron: "0 0 * * *" }])],
    expect: [/schedules\[0\]\.name: .*at most 48 characters/],
  },
  {
    name: "shell metacharacters in a namespace",
    edits: [set("namespaces", ["dash-apps", "x;rm -rf /"])],
    expect: [/velero-dr:namespaces\[1\]: got "x;rm -rf \/"; expected a DNS-1123 label/],
  },
  {
    name: "shell metacharacters in the Velero namespace",
    edits: [set("velero", { namespace: "$(reboot)" })],
    expect: [/velero-dr:velero\.namespace: got "\$\(reboot\)"/],
  },
  {
    name: "duplicate schedule names",
    edits: [
      set("schedules", [
        { name: "a", cron: "@daily" },
        { name: "a", cron: "@hourly" },
      ]),
    ],
    expect: [/velero-dr:schedules: schedule names must be unique/],
  },
  {
    name: "replication without zone redundancy",
    edits: [merge("storage", { replication: "LRS" })],
    expect: [/velero-dr:storage\.replication: got "LRS"; expected one of "GRS", "ZRS"/],
  },
  {
    name: "storage account name with uppercase",
    edits: [merge("storage", { accountName: "DashBackups" })],
    expect: [/velero-dr:storage\.accountName: got "DashBackups"; expected 3-24 lowercase/],
  },
  {
    name: "misspelt storage key",
    edits: [merge("storage", { softDeleteDay: 7 })],
    expect: [/velero-dr:storage\.softDeleteDay: unknown key; did you mean "softDeleteDays"\?/],
  },
  {
    name: "unknown top-level key",
    edits: [set("schedule", "0 0 * * *")],
    expect: [/velero-dr:schedule: unknown key; did you mean "schedules"\?/],
  },
  {
    name: "soft delete out of range",
    edits: [merge("storage", { softDeleteDays: 0 })],
    expect: [/velero-dr:storage\.softDeleteDays: got 0; expected a whole number of days between 1 and 365/],
  },
  {
    name: "immutability shorter than the TTL",
    edits: [merge("storage", { immutabilityDays: 7 })],
    expect: [/velero-dr:storage\.immutabilityDays: got 7; backups live up to 30 days/],
  },
  {
    name: "replica in the primary's own region",
    edits: [merge("storage", { replica: { location: "westeurope" } })],
    expect: [
      /velero-dr:storage\.replica\.location: got "westeurope", the primary's own region \(velero-dr:azure\.location\); .*set the recovery region, e\.g\. its paired region northeurope/,
    ],
  },
  {
    name: "replica region spelt as the portal shows it",
    edits: [merge("storage", { replica: { location: "North Europe" } })],
    expect: [
      /velero-dr:storage\.replica\.location: got "North Europe"; Azure's name for that region is northeurope/,
    ],
  },
  {
    name: "replica account name with capitals",
    edits: [merge("storage", { replica: { location: "northeurope", accountName: "DashReplica" } })],
    expect: [
      /velero-dr:storage\.replica\.accountName: got "DashReplica"; expected 3-24 lowercase letters and digits/,
    ],
  },
  {
    name: "replica account is the primary's",
    edits: [merge("storage", { replica: { location: "northeurope", accountName: "dashbackupsexample01" } })],
    expect: [
      /velero-dr:storage\.replica\.accountName: got "dashbackupsexample01", the primary's account \(velero-dr:storage\.accountName\); .*set another name/,
    ],
  },
  {
    name: "replica in the primary's resource group",
    edits: [
      merge("storage", {
        replica: { location: "northeurope", resourceGroupName: "velero-dr-bad-backups" },
      }),
    ],
    expect: [
      /velero-dr:storage\.replica\.resourceGroupName: got "velero-dr-bad-backups", the primary's resource group/,
    ],
  },
  {
    name: "replica key misspelt",
    edits: [merge("storage", { replica: { location: "northeurope", region: "northeurope" } })],
    expect: [/velero-dr:storage\.replica/, /region/],
  },
  {
    name: "a Prometheus label value with a space",
    edits: [merge("alerting", { prometheusLabels: { release: "kube prometheus" } })],
    expect: [
      /velero-dr:alerting\.prometheusLabels\.release: got "kube prometheus": it holds a space; a label value is empty, or at most 63 letters, digits, '-', '_' and '\.', beginning and ending with a letter or digit/,
    ],
  },
  {
    name: "a Prometheus label value ending in '-'",
    edits: [merge("alerting", { prometheusLabels: { release: "kube-prometheus-" } })],
    expect: [
      /velero-dr:alerting\.prometheusLabels\.release: got "kube-prometheus-": it does not begin and end with a letter or digit; a label value is/,
    ],
  },
  {
    name: "a Prometheus label value of 64 characters",
    edits: [merge("alerting", { prometheusLabels: { team: "a".repeat(64) } })],
    expect: [
      /velero-dr:alerting\.prometheusLabels\.team: got "a{64}": it is 64 characters long; a label value is/,
    ],
  },
  {
    name: "a Prometheus label value that is not a string",
    edits: [merge("alerting", { prometheusLabels: { release: 1 } })],
    expect: [/velero-dr:alerting\.prometheusLabels\.release: got 1 \(number\); expected a string/],
  },
  {
    name: "a Prometheus label key with a prefix longer than 253",
    edits: [merge("alerting", { prometheusLabels: { [`${"a".repeat(60)}.`.repeat(5) + "io/team"]: "dr" } })],
    expect: [
      /velero-dr:alerting\.prometheusLabels\.a{60}\..*: got the key ".*: its prefix is 307 characters long; a label key is a name of at most 63/,
    ],
  },
  {
    name: "a Prometheus label key with a space",
    edits: [merge("alerting", { prometheusLabels: { "my team": "dr" } })],
    expect: [
      /velero-dr:alerting\.prometheusLabels\.my team: got the key "my team": its name holds a space; a label key is/,
    ],
  },
  {
    name: "a Prometheus label the chart sets on its ServiceMonitor",
    edits: [merge("alerting", { prometheusLabels: { "app.kubernetes.io/name": "velero" } })],
    expect: [
      /velero-dr:alerting\.prometheusLabels\.app\.kubernetes\.io\/name: the Velero chart sets this label on its ServiceMonitor itself; remove it/,
    ],
  },
  {
    name: "a Prometheus label velero-dr sets on the PrometheusRule",
    edits: [merge("alerting", { prometheusLabels: { "app.kubernetes.io/managed-by": "prometheus" } })],
    expect: [
      /velero-dr:alerting\.prometheusLabels\.app\.kubernetes\.io\/managed-by: the Velero chart sets this label on its ServiceMonitor itself \(to Helm\), and velero-dr on the PrometheusRule .*; remove it/,
    ],
  },
  {
    name: "boolean given as a word",
    edits: [set("firstBackup", "yes")],
    expect: [/velero-dr:firstBackup: got "yes" \(string\); expected a boolean/],
  },
  {
    name: "plugin that does not pair with Velero",
    edits: [set("velero", { version: "v1.10.3", pluginVersion: "v1.8.0" })],
    expect: [
      /velero-dr:velero\.pluginVersion: got "v1\.8\.0"; velero-plugin-for-microsoft-azure v1\.8\.0 is of the v1\.8\.x line, made for Velero 1\.12, but velero\.version v1\.10\.3 needs a v1\.6\.x plugin .*; set velero-dr:velero\.pluginVersion: v1\.6\.2, or remove it to use the profile's pin/,
    ],
  },
  {
    name: "Velero 1.10.3 with a plugin of the 1.11 line (the pairing told once, not also as the pin)",
    edits: [set("velero", { pluginVersion: "v1.7.2" })],
    expect: [
      /has 1 problem;/,
      /velero-dr:velero\.pluginVersion: got "v1\.7\.2"; velero-plugin-for-microsoft-azure v1\.7\.2 is of the v1\.7\.x line, made for Velero 1\.11, but velero\.version v1\.10\.3 needs a v1\.6\.x plugin \(the plugin's README compatibility table\); set velero-dr:velero\.pluginVersion: v1\.6\.2, or remove it to use the profile's pin/,
    ],
  },
  {
    name: "a plugin of no line in the compatibility table",
    edits: [set("velero", { pluginVersion: "v2.0.0" })],
    expect: [
      /velero-dr:velero\.pluginVersion: got "v2\.0\.0"; velero-plugin-for-microsoft-azure v2\.0\.0 is of no line .*; set velero-dr:velero\.pluginVersion: v1\.6\.2/,
    ],
  },
  {
    name: "a vendor-approved Velero patch with a plugin made for another Velero line",
    edits: [set("velero", { version: "v1.10.4", vendorApprovedVersion: "v1.10.4", pluginVersion: "v1.7.0" })],
    expect: [
      /has 1 problem;/,
      /velero-dr:velero\.pluginVersion: got "v1\.7\.0"; .* made for Velero 1\.11, but velero\.version v1\.10\.4 needs a v1\.6\.x plugin .*; set velero-dr:velero\.pluginVersion: v1\.6\.2/,
    ],
  },
  {
    name: "chart that cannot run Velero 1.10",
    edits: [set("velero", { chartVersion: "12.1.0" })],
    expect: [
      /velero-dr:velero\.chartVersion: got "12\.1\.0"; the program's Helm values are built for the chart 3\.x layout .*; set velero-dr:velero\.chartVersion: 3\.1\.6, or remove it to use the profile's pin/,
    ],
  },
  {
    name: "a chart of the 3.x layout that ships Velero 1.11",
    edits: [set("velero", { chartVersion: "3.2.0" })],
    expect: [
      /has 1 problem;/,
      /velero-dr:velero\.chartVersion: got "3\.2\.0"; chart 3\.2\.0 ships Velero 1\.11\.0 and that line's CRDs \(its appVersion\), not Velero 1\.10 \(velero\.version v1\.10\.3; charts 3\.0\.0-3\.1\.6 ship 1\.10\); set velero-dr:velero\.chartVersion: 3\.1\.6, or remove it to use the profile's pin/,
    ],
  },
  {
    name: "a 3.x chart that was never released",
    edits: [set("velero", { chartVersion: "3.3.0" })],
    expect: [
      /velero-dr:velero\.chartVersion: got "3\.3\.0"; no chart 3\.3\.0 of the 3\.x values layout was released/,
    ],
  },
  {
    name: "Velero 1.11 with its own plugin and chart (a line this program does not run; each key back to the pin)",
    edits: [set("velero", { version: "v1.11.0", pluginVersion: "v1.7.0", chartVersion: "3.2.0" })],
    expect: [
      /has 3 problems;/,
      /velero-dr:velero\.version: got "v1\.11\.0"; this program runs Velero 1\.10 only .*charts 3\.0\.0-3\.1\.6 ship it\); set velero-dr:velero\.version: v1\.10\.3, or remove it to use the profile's pin/,
      /velero-dr:velero\.chartVersion: got "3\.2\.0"; .* requires chart 3\.1\.6 for Velero v1\.10\.3/,
      /velero-dr:velero\.pluginVersion: got "v1\.7\.0"; .* requires the object-store plugin v1\.6\.2 for Velero v1\.10\.3/,
    ],
  },
  {
    name: "image tag without v",
    edits: [set("velero", { version: "1.10.3" })],
    expect: [/velero-dr:velero\.version: got "1\.10\.3"; expected an image tag such as v1\.10\.3/],
  },
  {
    name: "chart repository over http",
    edits: [set("velero", { chartRepository: "http://charts.example.com" })],
    expect: [
      /velero-dr:velero\.chartRepository: got "http:\/\/charts\.example\.com"; expected an https:\/\/ or oci:\/\/ URL/,
    ],
  },
  {
    name: "air-gapped without a registry",
    edits: [set("velero", { airGapped: true })],
    expect: [/velero-dr:velero\.airGapped: an air-gapped install needs velero\.imageRegistry/],
  },
  {
    name: "air-gapped with the chart from the public repository",
    edits: [set("velero", { airGapped: true, imageRegistry: "registry.corp.example:5000/mirror" })],
    expect: [
      /velero-dr:velero\.chartRepository: an air-gapped install cannot fetch the chart from the public repository https:\/\/vmware-tanzu\.github\.io\/helm-charts; set velero\.chartPath .* or velero\.chartRepository \(your mirror\)/,
    ],
  },
  {
    name: "no cluster access",
    edits: [set("cluster", {})],
    expect: [/velero-dr:cluster: no cluster access/],
  },
  {
    name: "AKS name without its resource group",
    edits: [set("cluster", { aksName: "dash" })],
    expect: [/velero-dr:cluster: cluster\.aksName and cluster\.aksResourceGroup go together/],
  },
  {
    name: "kubeconfig in plain text",
    edits: [set("cluster", { nodeResourceGroup: "MC_x" }), set("kubeconfig", fakeKubeconfig())],
    expect: [
      /velero-dr:kubeconfig: is stored in plain text; set it again with `pulumi config set --secret velero-dr:kubeconfig`/,
    ],
  },
  {
    name: "kubeconfig that is not one (its content is not echoed)",
    edits: [set("cluster", { nodeResourceGroup: "MC_x" }), set("kubeconfig", "token: hunter2-secret")],
    secretKeys: ["velero-dr:kubeconfig"],
    expect: [/velero-dr:kubeconfig: is not a usable kubeconfig/],
  },
  {
    name: "kubeconfig without the node resource group",
    edits: [set("cluster", {}), set("kubeconfig", fakeKubeconfig())],
    secretKeys: ["velero-dr:kubeconfig"],
    expect: [/velero-dr:cluster\.nodeResourceGroup: required with kubeconfig/],
  },
  {
    name: "snapshots in the node resource group",
    edits: [
      set("cluster", { nodeResourceGroup: "MC_dash" }),
      set("kubeconfig", fakeKubeconfig()),
      merge("storage", { snapshotResourceGroupName: "MC_dash" }),
    ],
    secretKeys: ["velero-dr:kubeconfig"],
    expect: [
      /velero-dr:storage\.snapshotResourceGroupName: got "MC_dash", the cluster's node resource group/,
    ],
  },
  {
    name: "another Velero patch than the vendor pins, without the vendor's approval",
    edits: [set("velero", { version: "v1.10.5" })],
    expect: [
      /velero-dr:velero\.version: got "v1\.10\.5"; Plotly Dash Enterprise 5 requires Velero v1\.10\.3 \(the vendor's pin\)\. Set velero\.version: v1\.10\.3, or, for a patch release the vendor approved, also velero\.vendorApprovedVersion: v1\.10\.5/,
    ],
  },
  {
    name: "a vendor approval that names another release than velero.version",
    edits: [set("velero", { version: "v1.10.5", vendorApprovedVersion: "v1.10.4" })],
    expect: [
      /velero-dr:velero\.vendorApprovedVersion: got "v1\.10\.4", but velero\.version is "v1\.10\.5"; name the release you run in both/,
    ],
  },
  {
    name: "a plugin and chart other than the vendor's",
    edits: [set("velero", { chartVersion: "3.1.5", pluginVersion: "v1.6.1" })],
    expect: [
      /velero-dr:velero\.chartVersion: got "3\.1\.5"; Plotly Dash Enterprise 5 requires chart 3\.1\.6 for Velero v1\.10\.3 \(the vendor's pin\); set velero-dr:velero\.chartVersion: 3\.1\.6, or remove it to use the profile's pin/,
      /velero-dr:velero\.pluginVersion: got "v1\.6\.1"; Plotly Dash Enterprise 5 requires the object-store plugin v1\.6\.2 for Velero v1\.10\.3 \(the vendor's pin\); set velero-dr:velero\.pluginVersion: v1\.6\.2, or remove it to use the profile's pin/,
    ],
  },
];

/** Cases built on the AWS example (cloud aws), and cloud mix-ups. */
const AWS_CASES: BadCase[] = [
  {
    name: "aws: missing aws settings",
    edits: [drop("aws")],
    expect: [/velero-dr:aws: is required; expected a map of settings/],
  },
  {
    name: "aws: account id of 11 digits",
    edits: [merge("aws", { accountId: "12345678901" })],
    expect: [/velero-dr:aws\.accountId: got "12345678901"; expected a 12-digit AWS account id/],
  },
  {
    name: "aws: region that is not one",
    edits: [merge("aws", { region: "Ireland" })],
    expect: [/velero-dr:aws\.region: got "Ireland"; expected an AWS region name/],
  },
  {
    name: "aws: bucket name with dots",
    edits: [merge("aws", { bucketName: "dash.backups" })],
    expect: [/velero-dr:aws\.bucketName: got "dash\.backups"; expected 3-63 lowercase .*no dots/],
  },
  {
    name: "aws: irsa without the OIDC provider",
    edits: [merge("aws", { oidcProviderArn: undefined })],
    expect: [/velero-dr:aws\.oidcProviderArn: is required with aws\.identity irsa/],
  },
  {
    name: "aws: OIDC provider of another account",
    edits: [
      merge("aws", {
        oidcProviderArn:
          "arn:aws:iam::999999999999:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
      }),
    ],
    expect: [
      /velero-dr:aws\.oidcProviderArn: got an OIDC provider of account 999999999999, but aws\.accountId is 123456789012/,
    ],
  },
  {
    name: "aws: KMS key in another region",
    edits: [
      merge("aws", {
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
      }),
    ],
    expect: [
      /velero-dr:aws\.kmsKeyArn: got a key in us-east-1; S3 default encryption needs a key in the bucket's region eu-west-1/,
    ],
  },
  {
    name: "aws: KMS alias instead of a key ARN",
    edits: [merge("aws", { kmsKeyArn: "alias/velero" })],
    expect: [/velero-dr:aws\.kmsKeyArn: got "alias\/velero"; expected a KMS key ARN/],
  },
  {
    name: "aws: Object Lock shorter than the TTL",
    edits: [merge("aws", { objectLock: { mode: "COMPLIANCE", days: 7 } })],
    expect: [/velero-dr:aws\.objectLock\.days: got 7; backups live up to 30 days/],
  },
  {
    name: "aws: Object Lock mode misspelt",
    edits: [merge("aws", { objectLock: { mode: "governance", days: 30 } })],
    expect: [/velero-dr:aws\.objectLock\.mode: got "governance"; expected one of "GOVERNANCE", "COMPLIANCE"/],
  },
  {
    name: "aws: Azure storage keys are refused",
    edits: [merge("storage", { accountName: "dashbackups", immutabilityDays: 30 })],
    expect: [
      /velero-dr:storage\.accountName: applies to cloud azure only/,
      /velero-dr:storage\.immutabilityDays: applies to cloud azure only; remove it \(S3 settings live under velero-dr:aws/,
    ],
  },
  {
    name: "aws: azure section on an AWS stack",
    edits: [
      set("azure", {
        subscriptionId: "00000000-0000-0000-0000-000000000000",
        tenantId: "00000000-0000-0000-0000-000000000000",
        location: "westeurope",
      }),
    ],
    expect: [/velero-dr:azure: applies to cloud azure only; remove it/],
  },
  {
    name: "aws: AKS cluster keys",
    edits: [set("cluster", { aksName: "dash", aksResourceGroup: "rg" })],
    expect: [
      /velero-dr:cluster\.aksName: applies to cloud azure only/,
      /velero-dr:cluster: no cluster access/,
    ],
  },
  {
    name: "aws: IAM name too long",
    edits: [set("identity", { displayName: "v".repeat(70) })],
    expect: [/velero-dr:identity\.displayName: got "v{70}"; expected an IAM name/],
  },
  {
    name: "alerting: prometheusRule yes",
    edits: [merge("alerting", { prometheusRule: "yes" })],
    expect: [/velero-dr:alerting\.prometheusRule: got "yes"; expected auto, true or false/],
  },
  {
    name: "alerting: e-mail that is not one",
    edits: [merge("alerting", { emails: ["oncall"] })],
    expect: [/velero-dr:alerting\.emails\[0\]: got "oncall"; expected an e-mail address/],
  },
  {
    name: "alerting: webhooks in plain text, over http",
    edits: [set("alertWebhooks", ["http://hooks.example.com/hunter2"])],
    expect: [
      /velero-dr:alertWebhooks: is stored in plain text; set it again with `pulumi config set --secret velero-dr:alertWebhooks`/,
    ],
  },
  {
    name: "alerting: secret webhook over http (the URL is not echoed)",
    edits: [set("alertWebhooks", ["http://hooks.example.com/hunter2"])],
    secretKeys: ["velero-dr:alertWebhooks"],
    expect: [/velero-dr:alertWebhooks\[0\]: expected an https:\/\/ URL/],
  },
  {
    name: "alerting: unknown key",
    edits: [merge("alerting", { email: ["ops@example.com"] })],
    expect: [/velero-dr:alerting\.email: unknown key; did you mean "emails"\?/],
  },
];

describe("bad configurations fail up front, with their own message, registering nothing", () => {
  it(`the corpus has at least 20 cases (${CASES.length})`, () => {
    assert.ok(CASES.length >= 20);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const { config } = stackFileConfig("example-source-azure");
      for (const e of c.edits) e(config);
      const run = await runProgram("bad", config, c.secretKeys ?? []);
      assert.ok(run.error, "the program must fail");
      for (const re of c.expect) assert.match(run.error.message, re);
      assert.match(run.error.message, /nothing was deployed/);
      assert.equal(run.recorder.resources.length, 0, "no resource may be registered");
      assert.ok(!run.error.message.includes("hunter2"), "secret content is never echoed");
      assert.ok(!/\n\s+at /.test(run.error.message), "a config error is a message, not a stack trace");
    });
  }

  for (const c of AWS_CASES) {
    it(c.name, async () => {
      const { config } = stackFileConfig("example-source-aws");
      for (const e of c.edits) e(config);
      const run = await runProgram("bad", config, c.secretKeys ?? []);
      assert.ok(run.error, "the program must fail");
      for (const re of c.expect) assert.match(run.error.message, re);
      assert.match(run.error.message, /nothing was deployed/);
      assert.equal(run.recorder.resources.length, 0, "no resource may be registered");
      assert.ok(!run.error.message.includes("hunter2"), "secret content is never echoed");
    });
  }

  it("an EDA version that backups would carry as a label value Kubernetes refuses (an image tag may end in '-')", async () => {
    for (const version of ["25.4.1-", "_25.4.1"]) {
      const { config, secretKeys } = stackFileConfig("example-source-eda");
      merge("app", { version })(config);
      const run = await runProgram("bad-eda", config, secretKeys);
      assert.match(
        run.error?.message ?? "",
        new RegExp(
          `velero-dr:app\\.version: got "${version.replace(/\./g, "\\.")}"; expected an image tag that is also a Kubernetes label value: .*beginning and ending with a letter or digit`,
        ),
      );
      assert.equal(run.recorder.resources.length, 0);
    }
  });

  it("a destination of cloud aws needs its aws section and an AWS target; Azure's keys are refused, named", async () => {
    const { config } = stackFileConfig("example-destination-azure");
    set("cloud", "aws")(config);
    const run = await runProgram("bad-dest", config);
    const message = run.error?.message ?? "";
    assert.match(
      message,
      /velero-dr:aws: is required; expected a map of settings \(region, accountId, \.\.\.\) with cloud aws/,
    );
    assert.match(message, /velero-dr:azure: applies to cloud azure only; remove it/);
    assert.match(
      message,
      /velero-dr:cluster\.create: applies to cloud azure only; on AWS set cluster\.eksName, cluster\.createEks/,
    );
    assert.match(
      message,
      /velero-dr:cluster: choose exactly one target: cluster\.createEks \(a new EKS cluster\), cluster\.eksName \(an existing EKS cluster\) or a kubeconfig secret/,
    );
    assert.equal(run.recorder.resources.length, 0);
  });

  it("reports all problems of one configuration together", async () => {
    const { config } = stackFileConfig("example-source-azure");
    set("schedules", [{ name: "Bad", cron: "nope", ttl: "1y" }])(config);
    merge("storage", { replication: "LRS" })(config);
    set("firstBackup", "maybe")(config);
    const run = await runProgram("bad", config);
    const lines = (run.error?.message ?? "").split("\n").filter((l) => l.startsWith("  - "));
    assert.equal(lines.length, 5, run.error?.message);
    assert.match(run.error?.message ?? "", /has 5 problems/);
  });
});

describe("the vendor's version pins (vendorPinProblems)", () => {
  const profile = {
    displayName: "Plotly Dash Enterprise 5",
    requirements: {
      differentCluster: true,
      sameOrNewerKubernetes: true,
      veleroVersion: "v1.10.3",
      chartVersion: "3.1.6",
      pluginVersion: "v1.6.2",
    },
  };
  const velero = (v: Record<string, unknown>) =>
    ({ cloud: "azure", velero: { version: "v1.10.3", chartVersion: "3.1.6", ...v } }) as any;

  it("accepts the pins, and a patch release the vendor approved, named in both keys", () => {
    assert.deepEqual(vendorPinProblems(velero({}), profile), []);
    assert.deepEqual(
      vendorPinProblems(velero({ version: "v1.10.5", vendorApprovedVersion: "v1.10.5" }), profile),
      [],
    );
  });

  it("refuses an approval of another minor line (the pin's line only), and one with nothing to approve", () => {
    assert.deepEqual(
      vendorPinProblems(velero({ version: "v1.11.1", vendorApprovedVersion: "v1.11.1" }), profile),
      [
        'velero-dr:velero.vendorApprovedVersion: got "v1.11.1"; only a patch release of Plotly Dash Enterprise 5\'s Velero v1.10.3 (v1.10.x) can stand in for it',
      ],
    );
    assert.deepEqual(vendorPinProblems(velero({ vendorApprovedVersion: "v1.10.5" }), profile), [
      'velero-dr:velero.vendorApprovedVersion: got "v1.10.5", but velero.version is "v1.10.3"; remove it (nothing to approve)',
    ]);
  });

  it("does not check the chart version of a local chart, nor pin what the profile does not", () => {
    assert.deepEqual(
      vendorPinProblems(velero({ chartVersion: "3.1.5", chartPath: "/charts/velero" }), profile),
      [],
    );
    assert.deepEqual(
      vendorPinProblems(velero({ version: "v1.10.5" }), {
        displayName: "X",
        requirements: { differentCluster: false, sameOrNewerKubernetes: true },
      }),
      [],
    );
  });
});
