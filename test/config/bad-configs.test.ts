import { strict as assert } from "assert";
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
    name: "unknown role",
    edits: [set("role", "primary")],
    expect: [/velero-dr:role: got "primary"; expected "source"/],
  },
  { name: "missing profile", edits: [drop("profile")], expect: [/velero-dr:profile: is required/] },
  {
    name: "unknown profile",
    edits: [set("profile", "jupyterhub")],
    expect: [/velero-dr:profile: got "jupyterhub"; expected one of dash-enterprise/],
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
    name: "boolean given as a word",
    edits: [set("firstBackup", "yes")],
    expect: [/velero-dr:firstBackup: got "yes" \(string\); expected a boolean/],
  },
  {
    name: "plugin that does not pair with Velero",
    edits: [set("velero", { version: "v1.10.3", pluginVersion: "v1.8.0" })],
    expect: [/velero-dr:velero: plugin v1\.8\.0 does not pair with Velero v1\.10\.3; use a v1\.6\.x plugin/],
  },
  {
    name: "chart that cannot run Velero 1.10",
    edits: [set("velero", { chartVersion: "12.1.0" })],
    expect: [/velero-dr:velero: chart 12\.1\.0 is not supported/],
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
