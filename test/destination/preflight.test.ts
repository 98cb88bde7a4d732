import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CHAIN_TOOLS, missingTools } from "../../components/restore/preflight";
import { quotaFamilyOf } from "../../components/azure/vm-sizes";
import { lookupRegion } from "../../components/azure/regions";
import { shellcheck } from "../support/bash";
import { runDestination } from "../support/examples";
import { familyUsage, fakeAz, FAKE_SUBSCRIPTION, regionalUsage } from "../support/fake-az";
import type { RunResult } from "../support/harness";

/** A service principal in the environment: a credential source of the Azure providers without az. */
const SERVICE_PRINCIPAL = {
  ARM_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
  ARM_CLIENT_SECRET: "fake-sp-secret",
};
const OTHER_SUBSCRIPTION = "22222222-2222-2222-2222-222222222222";
const ARM_VARS = [
  "ARM_CLIENT_ID",
  "ARM_CLIENT_SECRET",
  "ARM_CLIENT_CERTIFICATE_PATH",
  "ARM_USE_MSI",
  "ARM_USE_OIDC",
  "ARM_SUBSCRIPTION_ID",
];

/** Runs `fn` with `vars` set and every other ARM_* variable unset (the machine's own must not decide). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(ARM_VARS.map((k) => [k, process.env[k]]));
  for (const k of ARM_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const k of ARM_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

/** The program's warnings (pulumi.log.warn) while `fn` runs. */
async function warningsOf(fn: () => Promise<RunResult>): Promise<{ run: RunResult; warnings: string[] }> {
  const warnings: string[] = [];
  const log = pulumi.log as { warn: (m: string) => Promise<void> };
  const original = log.warn;
  log.warn = async (m: string) => {
    warnings.push(m);
  };
  try {
    return { run: await fn(), warnings };
  } finally {
    log.warn = original;
  }
}

/**
 * Pre-flight: the chain's Commands run on the machine of `pulumi up`. A missing tool is named,
 * with what it is for and how to get it, before anything is registered — not at the first step
 * that needs it, half an hour into a recovery.
 */
describe("destination pre-flight: the tools the chain runs are on PATH before anything is created", function () {
  this.timeout(120000);

  it("an Azure DNS destination without az: refused, naming az and how to install it; nothing registered", async () => {
    const run = await runDestination("example-destination-azure", () => undefined, [], {
      tools: ["bash", "kubectl"],
    });
    assert.ok(run.error, "must fail");
    assert.match(
      run.error.message,
      /velero-dr: pre-flight: the restore chain runs on this machine and needs az on PATH, which is missing:\n {2}- az: the DNS unpublish step removes the old records with the Azure CLI.*install: https:\/\/learn\.microsoft\.com\/cli\/azure\/install-azure-cli\nNothing was created/,
    );
    assert.equal(run.recorder.resources.length, 0);
  });

  it("an RFC 2136 destination without kubectl and nsupdate: both named", async () => {
    const run = await runDestination(
      "example-destination-s3compat",
      () => undefined,
      ["velero-dr:dnsTsigSecret"],
      {
        tools: ["bash"],
      },
    );
    assert.ok(run.error, "must fail");
    assert.match(run.error.message, /needs kubectl, nsupdate on PATH, which are missing/);
    assert.match(run.error.message, /nsupdate: .*apt-get install bind9-dnsutils/);
    assert.equal(run.recorder.resources.length, 0);
  });

  it("a destination that changes no DNS needs only bash and kubectl (with Azure credentials from the environment)", async () => {
    const run = await withEnv(SERVICE_PRINCIPAL, () =>
      runDestination("example-destination-codedx", () => undefined, [], {
        tools: ["bash", "kubectl"],
      }),
    );
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.recorder.resources.length > 0);
  });

  it("a preview only warns: it creates nothing, and may run elsewhere than the up", async () => {
    const run = await runDestination("example-destination-azure", () => undefined, [], {
      tools: ["bash", "kubectl"],
      preview: true,
    });
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.recorder.resources.length > 0);
  });

  it("the Azure CLI stand-in passes shellcheck", () => {
    assert.equal(shellcheck(fakeAz()), "");
    assert.equal(shellcheck(fakeAz({ loggedIn: false, log: "/tmp/x" })), "");
    assert.equal(shellcheck(fakeAz({ subscriptions: [FAKE_SUBSCRIPTION] })), "");
  });

  it("looks for executable files along PATH", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vdr-preflight-"));
    try {
      writeFileSync(path.join(dir, "bash"), "", { mode: 0o755 });
      writeFileSync(path.join(dir, "kubectl"), "", { mode: 0o644 }); // not executable
      assert.deepEqual(
        missingTools(CHAIN_TOOLS, `/nonexistent${path.delimiter}${dir}`).map((t) => t.name),
        ["kubectl"],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Pre-flight, the plug-ins' own checks: the Azure providers' credentials (the backend's), the Azure
 * CLI's login where a step runs az (the azure DNS provider's), a new AKS cluster's vCPU quota (the
 * target's). Against a stand-in az that prints what the real one prints (test/support/fake-az.ts).
 */
describe("destination pre-flight: Azure login and quota, before anything is created", function () {
  this.timeout(120000);

  it("az logged out, no other credentials: refused, naming the login and the other sources; nothing registered", async () => {
    const run = await withEnv({}, () =>
      runDestination("example-destination-azure", () => undefined, [], {
        toolScripts: { az: fakeAz({ loggedIn: false }) },
      }),
    );
    assert.ok(run.error, "must fail");
    const m = run.error.message;
    assert.match(
      m,
      /velero-dr: pre-flight: the azure-native and azuread providers found no Azure credentials: the Azure CLI is not logged in \(az account show: Please run 'az login' to setup account\.\) and no other source is set\. Give them one: `az login` \(a person\).*ARM_CLIENT_SECRET.*ARM_USE_MSI=true.*ARM_USE_OIDC=true/,
    );
    // The DNS step's own need, named with the zone and its subscription.
    assert.match(
      m,
      /velero-dr: pre-flight: the Azure CLI is not logged in \(az account show: Please run 'az login' to setup account\.\), and the DNS unpublish step removes dash\.example\.com's records from zone example\.com \(subscription 0{8}-0{4}-0{4}-0{4}-0{12}, .*\) with it: log in with `az login`/,
    );
    assert.match(m, /\nNothing was created\. Fix what is named above/);
    assert.equal(run.recorder.resources.length, 0);
  });

  it("az logged in but unable to select the DNS zone's subscription: refused, naming it", async () => {
    const run = await runDestination(
      "example-destination-azure",
      (c) => {
        const dns = JSON.parse(c["velero-dr:dns"]);
        dns.azure.subscriptionId = OTHER_SUBSCRIPTION;
        c["velero-dr:dns"] = JSON.stringify(dns);
      },
      [],
      { toolScripts: { az: fakeAz({ subscriptions: [FAKE_SUBSCRIPTION] }) } },
    );
    assert.ok(run.error, "must fail");
    assert.match(
      run.error.message,
      new RegExp(
        `the Azure CLI's login cannot select subscription ${OTHER_SUBSCRIPTION} \\(az account show --subscription: ERROR: Subscription '${OTHER_SUBSCRIPTION}' not found\\..*\\), and the DNS unpublish step`,
      ),
    );
    assert.equal(run.recorder.resources.length, 0);
  });

  it("az's default subscription is not the stack's, and azure-native has none of its own: refused, naming both", async () => {
    const run = await withEnv({}, () =>
      runDestination("example-destination-codedx", (c) => delete c["azure-native:subscriptionId"], [], {
        toolScripts: { az: fakeAz({ defaultSubscription: OTHER_SUBSCRIPTION }) },
      }),
    );
    assert.ok(run.error, "must fail");
    assert.match(
      run.error.message,
      new RegExp(
        `azure-native would create this stack's resources in the Azure CLI's default subscription ${OTHER_SUBSCRIPTION} \\(velero-dr tests\\), not in velero-dr:azure.subscriptionId ${FAKE_SUBSCRIPTION}: run \`az account set --subscription ${FAKE_SUBSCRIPTION}\`, or \`pulumi config set azure-native:subscriptionId ${FAKE_SUBSCRIPTION}\``,
      ),
    );
    assert.equal(run.recorder.resources.length, 0);
  });

  it("neither az nor any other credential source: refused, naming the options", async () => {
    const run = await withEnv({}, () =>
      runDestination("example-destination-codedx", () => undefined, [], { tools: ["bash", "kubectl"] }),
    );
    assert.ok(run.error, "must fail");
    assert.match(
      run.error.message,
      /found no Azure credentials: the Azure CLI \(az\) is not on PATH and no other source is set\. Give them one: .*ARM_CLIENT_ID, ARM_TENANT_ID and ARM_CLIENT_SECRET.*\nNothing was created/,
    );
    assert.equal(run.recorder.resources.length, 0);
  });

  it("a preview with az logged out only warns", async () => {
    const { run, warnings } = await warningsOf(() =>
      withEnv({}, () =>
        runDestination("example-destination-azure", () => undefined, [], {
          preview: true,
          toolScripts: { az: fakeAz({ loggedIn: false }) },
        }),
      ),
    );
    assert.equal(run.error, undefined, run.error?.message);
    assert.ok(run.recorder.resources.length > 0);
    assert.ok(
      warnings.some((w) => /found no Azure credentials/.test(w) && /Nothing was created/.test(w)),
      warnings.join("\n"),
    );
  });

  describe("a new cluster's vCPU quota", () => {
    // The Azure example: 4 x Standard_D8d_v5 (the app's sizing) in northeurope: 32 vCPUs of standardDDv5Family.
    const usage = (familyFree: [number, number], regional: [number, number] = [0, 1000]) =>
      fakeAz({
        usage: [
          regionalUsage(...regional),
          familyUsage("standardDDv5Family", ...familyFree),
          familyUsage("standardDSv5Family", 0, 1000),
        ],
        log: azLog,
      });
    let azLog = "";
    beforeEach(() => {
      azLog = path.join(mkdtempSync(path.join(tmpdir(), "vdr-az-")), "calls");
    });

    it("too few free vCPUs in the size's family: refused, naming the family, the numbers and the fix", async () => {
      const run = await runDestination("example-destination-azure", () => undefined, [], {
        toolScripts: { az: usage([20, 40]) },
      });
      assert.ok(run.error, "must fail");
      assert.match(
        run.error.message,
        /velero-dr: pre-flight: velero-dr:cluster\.create: the new cluster's 4 x Standard_D8d_v5 need 32 vCPUs \(4 nodes x 8\) of its family's quota "Standard DDv5 Family vCPUs" \(standardDDv5Family\) in northeurope, subscription 0{8}-0{4}-0{4}-0{4}-0{12}, which has 20 free \(limit 40, in use 20\): request a quota increase \(Azure portal: Quotas > Compute, region northeurope\) or choose another cluster\.create\.nodeVmSize \/ a smaller cluster\.create\.nodeCount\nNothing was created/,
      );
      assert.equal(run.recorder.resources.length, 0);
      assert.match(
        readFileSync(azLog, "utf8"),
        /^vm list-usage --location northeurope --subscription 0{8}-0{4}-0{4}-0{4}-0{12} --output json$/m,
      );
    });

    it("too few in the regional total: refused, naming Total Regional vCPUs", async () => {
      const run = await runDestination("example-destination-azure", () => undefined, [], {
        toolScripts: { az: usage([0, 100], [90, 100]) },
      });
      assert.ok(run.error, "must fail");
      assert.match(
        run.error.message,
        /need 32 vCPUs \(4 nodes x 8\) of the regional quota "Total Regional vCPUs" \(cores\) in northeurope, .* which has 10 free \(limit 100, in use 90\)/,
      );
      assert.equal(run.recorder.resources.length, 0);
    });

    it("exactly enough: the cluster is created", async () => {
      const run = await runDestination("example-destination-azure", () => undefined, [], {
        toolScripts: { az: usage([8, 40]) },
      });
      assert.equal(run.error, undefined, run.error?.message);
      assert.equal(run.recorder.byType("azure-native:containerservice:ManagedCluster").length, 1);
    });

    it("not checked in a preview (a Compute API call; the preview may run elsewhere)", async () => {
      const run = await runDestination("example-destination-azure", () => undefined, [], {
        preview: true,
        toolScripts: { az: usage([20, 40]) },
      });
      assert.equal(run.error, undefined, run.error?.message);
      assert.doesNotMatch(readFileSync(azLog, "utf8"), /list-usage/);
    });

    it("az not logged in (credentials from the environment): the quota is said to be unchecked, not refused", async () => {
      const { run, warnings } = await warningsOf(() =>
        withEnv(SERVICE_PRINCIPAL, () =>
          runDestination("example-destination-codedx", () => undefined, [], {
            toolScripts: { az: fakeAz({ loggedIn: false }) },
          }),
        ),
      );
      assert.equal(run.error, undefined, run.error?.message);
      assert.ok(
        warnings.some((w) =>
          /velero-dr: pre-flight: the vCPU quota for the new cluster's 3 x Standard_D8s_v5 in northeurope was not checked \(the Azure CLI is not logged in, or not into that subscription\); check it with `az vm list-usage --location northeurope -o table`/.test(
            w,
          ),
        ),
        warnings.join("\n"),
      );
      assert.equal(run.recorder.byType("azure-native:containerservice:ManagedCluster").length, 1);
    });
  });

  it("a size's quota family and vCPUs come from its name (D/E/F, v3-v5)", () => {
    assert.deepEqual(quotaFamilyOf("Standard_D8ds_v5"), {
      family: "standardDDSv5Family",
      localName: "Standard DDSv5 Family vCPUs",
      vcpus: 8,
    });
    assert.equal(quotaFamilyOf("Standard_D8s_v5")?.family, "standardDSv5Family");
    assert.equal(quotaFamilyOf("Standard_D8_v5")?.family, "standardDv5Family");
    assert.equal(quotaFamilyOf("Standard_D8d_v5")?.family, "standardDDv5Family");
    assert.equal(quotaFamilyOf("Standard_D16ads_v5")?.family, "standardDADSv5Family");
    assert.equal(quotaFamilyOf("Standard_E16as_v5")?.vcpus, 16);
    assert.equal(quotaFamilyOf("Standard_E32bds_v5")?.family, "standardEBDSv5Family");
    assert.equal(quotaFamilyOf("Standard_F8s_v2")?.family, "standardFSv2Family");
    assert.equal(quotaFamilyOf("Standard_D8s_v6"), undefined);
    assert.equal(quotaFamilyOf("Standard_E8-4ds_v5"), undefined);
    assert.equal(quotaFamilyOf("Standard_B4ms"), undefined);
  });

  it("region names: any case is the region, a display name gets the name, else the nearest", () => {
    assert.deepEqual(lookupRegion("WestEurope"), { region: "westeurope", nearest: [] });
    assert.deepEqual(lookupRegion("West Europe"), { hint: "westeurope", nearest: ["westeurope"] });
    assert.deepEqual(lookupRegion("East US 2"), { hint: "eastus2", nearest: ["eastus2"] });
    assert.equal(lookupRegion("westeurop").nearest[0], "westeurope");
  });
});
