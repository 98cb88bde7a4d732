import { strict as assert } from "assert";
import { runProgram, fakeKubeconfig, toRuntimeConfig } from "../support/harness";
import { exampleConfigValues } from "../support/examples";
import { validateStackConfig as validateConfig } from "../../stacks/config";

type Edit = (c: Record<string, unknown>) => void;

interface BadCase {
  name: string;
  edit: Edit;
  secretKeys?: string[];
  expect: RegExp[];
}

const example = (): Record<string, unknown> => {
  const values = exampleConfigValues("example-destination-azure");
  return values;
};

const SOURCE_OUTPUTS = {
  profile: "dash-enterprise",
  azure: {
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    tenantId: "00000000-0000-0000-0000-000000000000",
    // The example destination's region: these cases are not about the cross-region guard.
    location: "northeurope",
  },
  storage: {
    resourceGroupName: "rg",
    accountName: "acct01",
    containerName: "velero",
    snapshotResourceGroupName: "snaps",
  },
  velero: { namespace: "velero", version: "v1.10.3", chartVersion: "3.1.6", pluginVersion: "v1.6.2" },
  cluster: { apiServer: "https://src.example:443" },
};

const CASES: BadCase[] = [
  {
    name: "a rehearsal that would move DNS, promote and write backups",
    edit: (c) => {
      c.mode = "rehearsal";
      c.restore = { promoteToPrimary: true };
      c.schedules = [{ name: "dash-daily", cron: "0 0 * * *" }];
    },
    expect: [
      /velero-dr:restore\.promoteToPrimary: got true with mode rehearsal; a rehearsal never promotes/,
      /velero-dr:dns\.provider: got "azure" with mode rehearsal; a rehearsal changes no DNS .*: remove velero-dr:dns or set dns\.provider none/,
      /velero-dr:schedules: set with mode rehearsal; a rehearsal writes no backups/,
    ],
  },
  {
    name: "a mode that is none of recovery and rehearsal",
    edit: (c) => (c.mode = "drill"),
    expect: [/velero-dr:mode: got "drill"; expected one of recovery, rehearsal|velero-dr:mode: .*"drill"/],
  },
  { name: "no source", edit: (c) => delete c.source, expect: [/velero-dr:source: is required/] },
  {
    name: "a region's display name (West Europe) as the location",
    edit: (c) => ((c.azure as { location: string }).location = "West Europe"),
    expect: [
      /velero-dr:azure\.location: got "West Europe"; Azure's name for that region is westeurope: set westeurope/,
    ],
  },
  {
    name: "a location that is no Azure region",
    edit: (c) => ((c.azure as { location: string }).location = "northeurop"),
    expect: [
      /velero-dr:azure\.location: got "northeurop", which is not a known Azure region name \(components\/azure\/regions\.ts, from az account list-locations\); nearest: northeurope, /,
    ],
  },
  {
    name: "a node size whose quota family is not known",
    edit: (c) => ((c.cluster as { create: Record<string, unknown> }).create.nodeVmSize = "Standard_D8s_v6"),
    expect: [
      /velero-dr:cluster\.create\.nodeVmSize: got "Standard_D8s_v6", whose vCPU quota family is not known here \(components\/azure\/vm-sizes\.ts knows the series Dv3, .*FSv2\), so the region's quota could not be checked before the cluster is created; use a size of those series, e\.g\. Standard_D8ds_v5/,
    ],
  },
  {
    name: "both a stack reference and outputs",
    edit: (c) => {
      c.source = { stack: "org/velero-dr/src", outputs: SOURCE_OUTPUTS };
    },
    expect: [/set exactly one of source.stack/],
  },
  {
    name: "a named backup and a schedule",
    edit: (c) => (c.backup = { name: "dash-daily-20261120000000", schedule: "dash-daily" }),
    expect: [/velero-dr:backup: set backup.name or backup.schedule, not both/],
  },
  {
    name: "versions set on a destination",
    edit: (c) => (c.velero = { version: "v1.11.0" }),
    expect: [/velero-dr:velero.version: a destination runs the source stack's Velero versions/],
  },
  {
    name: "two targets at once",
    edit: (c) => (c.cluster = { create: { kubernetesVersion: "1.29" }, aksName: "x", aksResourceGroup: "y" }),
    expect: [/velero-dr:cluster: choose exactly one target/],
  },
  {
    name: "a Kubernetes version that is not one",
    edit: (c) => (c.cluster = { create: { kubernetesVersion: "latest" } }),
    expect: [/velero-dr:cluster.create.kubernetesVersion: got "latest"; expected a version such as 1.29/],
  },
  {
    name: "a base domain outside its zone",
    edit: (c) => (c.dns = { ...(c.dns as object), baseDomain: "dash.other.org" }),
    expect: [/velero-dr:dns.baseDomain: got "dash.other.org", which is not inside dns.zone "example.com"/],
  },
  {
    name: "rfc2136 without server or TSIG secret",
    edit: (c) => (c.dns = { provider: "rfc2136", baseDomain: "dash.example.com", zone: "example.com" }),
    expect: [
      /velero-dr:dns.rfc2136: required with dns.provider rfc2136/,
      /velero-dr:dnsTsigSecret: required with dns.provider rfc2136/,
    ],
  },
  {
    name: "azure DNS without its resource group",
    edit: (c) => (c.dns = { provider: "azure", baseDomain: "dash.example.com", zone: "example.com" }),
    expect: [/velero-dr:dns.azure: required with dns.provider azure/],
  },
  {
    name: "a DNS server with shell metacharacters",
    edit: (c) =>
      (c.dns = {
        provider: "rfc2136",
        baseDomain: "dash.example.com",
        zone: "example.com",
        rfc2136: { server: "ns1;reboot", keyName: "k.example.com" },
      }),
    expect: [/velero-dr:dns.rfc2136.server: got "ns1;reboot"/],
  },
  {
    name: "typed-in source outputs with placeholders (the guard could never match them)",
    edit: (c) =>
      (c.source = {
        outputs: {
          ...SOURCE_OUTPUTS,
          cluster: { apiServer: "http://src.example:80", uid: "<kube-system uid>" },
        },
      }),
    expect: [
      /velero-dr:source\.outputs\.cluster\.apiServer: got "http:\/\/src\.example:80"; expected the source API server URL \(https:\/\/\.\.\.\)/,
      /velero-dr:source\.outputs\.cluster\.uid: got "<kube-system uid>"; expected the source's kube-system uid \(a UUID\)/,
    ],
  },
  {
    name: "a new cluster older than the source's Kubernetes (outputs typed in: known before anything is created)",
    edit: (c) => {
      c.source = {
        outputs: { ...SOURCE_OUTPUTS, cluster: { ...SOURCE_OUTPUTS.cluster, kubernetesVersion: "1.29.7" } },
      };
      c.cluster = { create: { kubernetesVersion: "1.28" } };
    },
    expect: [
      /velero-dr:cluster\.create\.kubernetesVersion: got "1\.28", older than the source cluster's 1\.29\.7; Velero restores only into the same or a newer Kubernetes: use 1\.29 or newer/,
    ],
  },
  {
    name: "a new cluster with the source cluster's name and group (Azure names ignore case)",
    edit: (c) => {
      c.source = {
        outputs: {
          ...SOURCE_OUTPUTS,
          cluster: { ...SOURCE_OUTPUTS.cluster, aksName: "dash-aks", aksResourceGroup: "RG-Dash" },
        },
      };
      c.cluster = { create: { kubernetesVersion: "1.29", name: "Dash-AKS", resourceGroupName: "rg-dash" } };
    },
    expect: [
      /velero-dr:cluster\.create\.name: a new cluster named "Dash-AKS" in resource group "rg-dash" is the source cluster's name and group \(Azure names ignore case\)/,
    ],
  },
  {
    name: "the source's existing AKS cluster, its group written in another case",
    edit: (c) => {
      c.source = {
        outputs: {
          ...SOURCE_OUTPUTS,
          cluster: { ...SOURCE_OUTPUTS.cluster, aksName: "dash-aks", aksResourceGroup: "RG-Dash" },
        },
      };
      c.cluster = { aksName: "dash-aks", aksResourceGroup: "rg-dash", nodeResourceGroup: "MC_rg-dash" };
    },
    expect: [/velero-dr:cluster\.aksName: "dash-aks" in "rg-dash" is the source cluster/],
  },
  {
    name: "a TSIG key file pasted as the secret (not shown in the message)",
    edit: (c) => {
      c.dns = {
        provider: "rfc2136",
        baseDomain: "dash.example.com",
        zone: "example.com",
        rfc2136: { server: "10.0.0.53", keyName: "k.example.com" },
      };
      c.dnsTsigSecret = 'key "k.example.com" { algorithm hmac-sha256; secret "hunter2"; };';
    },
    secretKeys: ["dnsTsigSecret"],
    expect: [
      /velero-dr:dnsTsigSecret: is not base64 \(the value is secret and not shown\): set only the key's secret, not the key file; tsig-keygen -a hmac-sha256/,
      /^(?![\s\S]*hunter2)/,
    ],
  },
  {
    name: "a TSIG secret shorter than its algorithm's output",
    edit: (c) => {
      c.dns = {
        provider: "rfc2136",
        baseDomain: "dash.example.com",
        zone: "example.com",
        rfc2136: { server: "10.0.0.53", keyName: "k.example.com", keyAlgorithm: "hmac-sha512" },
      };
      c.dnsTsigSecret = Buffer.alloc(32, 7).toString("base64");
    },
    secretKeys: ["dnsTsigSecret"],
    expect: [
      /velero-dr:dnsTsigSecret: is 32 bytes long, shorter than the 64 bytes hmac-sha512 needs \(RFC 8945\)/,
    ],
  },
  {
    name: "a storage-side alert on a destination (the source stack owns the storage and its alert)",
    edit: (c) => (c.alerting = { cloudAlert: true }),
    expect: [/velero-dr:alerting\.cloudAlert: unknown key/],
  },
  {
    name: "source outputs that are not a source stack's",
    edit: (c) => (c.source = { outputs: { profile: "dash-enterprise" } }),
    expect: [/velero-dr:source.outputs.azure: is required/],
  },
  {
    name: "the TSIG secret in plain text",
    edit: (c) => {
      c.dns = {
        provider: "rfc2136",
        baseDomain: "dash.example.com",
        zone: "example.com",
        rfc2136: { server: "10.0.0.53", keyName: "k.example.com" },
      };
      c.dnsTsigSecret = "dmVsZXJvLWRyIHRlc3QgdHNpZyBzZWNyZXQgMzIgYiE=";
    },
    expect: [/velero-dr:dnsTsigSecret: is stored in plain text/],
  },
  {
    name: "a kubeconfig without the node resource group",
    edit: (c) => {
      c.cluster = {};
      c.kubeconfig = fakeKubeconfig("https://10.0.0.1:6443");
    },
    secretKeys: ["kubeconfig"],
    expect: [/velero-dr:cluster.nodeResourceGroup: required with kubeconfig/],
  },
];

describe("destination configuration", () => {
  it("the example validates, with the schedule's newest backup and the profile's DNS records", () => {
    const cfg = validateConfig({ values: example(), secretKeys: [], stack: "dr" });
    assert.equal(cfg.role, "destination");
    if (cfg.role !== "destination") return;
    assert.deepEqual(cfg.backup, { name: undefined, schedule: "dash-daily", location: "primary" });
    assert.deepEqual(cfg.dns.recordPrefixes, ["api", "ws", "git", "registry", "auth", "admin"]);
    assert.equal(cfg.restore.promoteToPrimary, true);
    assert.equal(cfg.app.name, "dash-enterprise");
    assert.ok(cfg.app.chain.afterDns([], { healthSeconds: 60 }).some((s) => s.id === "dash-kots-redeploy"));
  });

  it("a new cluster's nodes: the stack's keys win, else the size the app's vendor documents, else the generic one", () => {
    const create = (values: Record<string, unknown>) => {
      const cfg = validateConfig({ values, secretKeys: [], stack: "dr" });
      assert.equal(cfg.role, "destination");
      return cfg.role === "destination" ? cfg.cluster.create : undefined;
    };
    // Dash Enterprise: 8-vCPU nodes of the Standard DDv5 family its AKS guide reserves quota in.
    assert.deepEqual([create(example())?.nodeVmSize, create(example())?.nodeCount], ["Standard_D8d_v5", 4]);
    const own = example();
    Object.assign((own.cluster as { create: object }).create, {
      nodeVmSize: "Standard_E8ds_v5",
      nodeCount: 6,
    });
    assert.deepEqual([create(own)?.nodeVmSize, create(own)?.nodeCount], ["Standard_E8ds_v5", 6]);
    // An app whose documents size no nodes gets the generic default.
    const other = example();
    other.profile = "nebari";
    other.source = { outputs: { ...SOURCE_OUTPUTS, profile: "nebari" } };
    other.app = undefined;
    const generic = create(other);
    assert.deepEqual([generic?.nodeVmSize, generic?.nodeCount], ["Standard_D8s_v5", 4]);
  });

  it("a rehearsal: no DNS (not required even for Dash Enterprise), no promotion, whatever the defaults", () => {
    const values = example();
    values.mode = "rehearsal";
    delete values.dns;
    // The example promotes explicitly; a rehearsal refuses that (above), so the key goes.
    delete (values.restore as { promoteToPrimary?: boolean }).promoteToPrimary;
    const cfg = validateConfig({ values, secretKeys: [], stack: "dr" });
    assert.equal(cfg.role, "destination");
    if (cfg.role !== "destination") return;
    assert.equal(cfg.mode, "rehearsal");
    assert.equal(cfg.dns.provider, "none");
    assert.equal(cfg.restore.promoteToPrimary, false);
  });

  it("takes a known region in any case, as its lower-case name (ARM compares locations ignoring case)", () => {
    const values = example();
    (values.azure as { location: string }).location = "NorthEurope";
    const cfg = validateConfig({ values, secretKeys: [], stack: "dr" });
    assert.equal((cfg as { azure?: { location: string } }).azure?.location, "northeurope");
  });

  for (const c of CASES) {
    it(`refuses ${c.name}, registering nothing`, async () => {
      const values = example();
      c.edit(values);
      const { config, secretKeys } = toRuntimeConfig(values, c.secretKeys ?? []);
      const run = await runProgram("dr", config, secretKeys);
      assert.ok(run.error, "must fail");
      for (const re of c.expect) assert.match(run.error.message, re);
      assert.equal(run.recorder.resources.length, 0);
    });
  }
});
