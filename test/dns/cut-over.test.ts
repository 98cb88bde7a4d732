import { strict as assert } from "assert";
import { DNS_PUBLISH, DNS_UNPUBLISH, WAIT_LB } from "../../components/dns/dns-steps";
import { buildRestoreChain, Chain } from "../../components/restore/chain";
import { destinationChainInput } from "../../components/restore/destination-chain";
import { renderRunbook } from "../../components/restore/runbook";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { runProgram, stackFileConfig, toRuntimeConfig } from "../support/harness";

/**
 * DNS steps only where the vendor's restore procedure asks for them: Plotly's moves Dash
 * Enterprise's names to the new cluster; the Code Dx, Nebari and Nokia EDA procedures leave DNS
 * alone, and so does their destination unless its stack sets `velero-dr:dns`. An app without a
 * load balancer of its own (Code Dx behind an ingress installed apart) never waits for one.
 */

/** A stack file's `velero-dr:` values, structured values parsed. */
function values(stack: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stackFileConfig(stack).config)) {
    if (!k.startsWith("velero-dr:")) continue;
    try {
      const parsed = JSON.parse(v);
      out[k.slice(10)] = typeof parsed === "string" ? v : parsed;
    } catch {
      out[k.slice(10)] = v;
    }
  }
  return out;
}

function chainOf(v: Record<string, unknown>): Chain {
  const cfg = validateConfig({ values: v, secretKeys: [], stack: "dr" });
  assert.ok(cfg.role === "destination");
  return buildRestoreChain(destinationChainInput(cfg));
}

const AZURE_DNS = (base: string) => ({
  provider: "azure",
  baseDomain: base,
  zone: "example.com",
  ttlSeconds: 300,
  azure: { resourceGroupName: "dns-rg" },
});

const ids = (c: Chain) => c.steps.map((s) => s.id);
const step = (c: Chain, id: string) => c.steps.find((s) => s.id === id);

describe("DNS steps only where the vendor's procedure moves DNS", () => {
  for (const app of ["codedx", "nebari", "eda"]) {
    it(`${app}: the destination example changes no DNS and waits for no load balancer`, () => {
      const v = values(`example-destination-${app}`);
      assert.equal(v.dns, undefined, "the example sets no velero-dr:dns");
      const chain = chainOf(v);
      for (const id of [DNS_UNPUBLISH, DNS_PUBLISH, WAIT_LB]) {
        assert.ok(!ids(chain).includes(id), `${id} in ${ids(chain).join(", ")}`);
      }
      assert.ok(!chain.steps.some((s) => s.kind.startsWith("dns-")));
      assert.deepEqual(
        Object.keys(chain.env).filter((k) => k.startsWith("DNS_") || k.startsWith("LB_")),
        [],
      );
      const runbook = renderRunbook(chain, {
        stack: "dr",
        profile: app,
        source: "x",
        backup: "y",
        runtime: {},
      });
      assert.match(runbook, /DNS is not changed/);
      assert.doesNotMatch(runbook, /wait-load-balancer/);
    });
  }

  it("codedx: a stack that sets dns moves it, pointing at the Service it names", () => {
    const v = values("example-destination-codedx");
    v.dns = AZURE_DNS("codedx.example.com");
    v.app = { ...(v.app as object), loadBalancerService: "codedx-lb" };
    const chain = chainOf(v);
    for (const id of [DNS_UNPUBLISH, WAIT_LB, DNS_PUBLISH]) assert.ok(ids(chain).includes(id), id);
    assert.equal(chain.env.LB_NAMESPACE, "cdx-app");
    assert.equal(chain.env.LB_SERVICE, "codedx-lb");
    // restore.loadBalancer names one elsewhere (an ingress controller installed apart), and wins.
    v.restore = {
      ...(v.restore as object),
      loadBalancer: { namespace: "ingress-nginx", service: "ingress-nginx-controller" },
    };
    const viaIngress = chainOf(v);
    assert.equal(viaIngress.env.LB_NAMESPACE, "ingress-nginx");
    assert.equal(viaIngress.env.LB_SERVICE, "ingress-nginx-controller");
  });

  it("eda: DNS set by the stack is removed only after the version guard (a refused backup leaves DNS as it was)", () => {
    const v = values("example-destination-eda");
    v.dns = AZURE_DNS("eda.example.com");
    const chain = chainOf(v);
    const unpublish = step(chain, DNS_UNPUBLISH);
    assert.ok(unpublish);
    assert.ok(unpublish.needs.includes("guard-app-version"), unpublish.needs.join(", "));
    assert.ok(unpublish.needs.includes("guard-different-cluster"), unpublish.needs.join(", "));
    assert.ok(ids(chain).indexOf("guard-app-version") < ids(chain).indexOf(DNS_UNPUBLISH));
  });

  it("dash-enterprise: with dns.provider none it still waits for the load balancer and prints its address", () => {
    const v = values("example-destination-azure");
    v.dns = { provider: "none" };
    const chain = chainOf(v);
    assert.ok(ids(chain).includes(WAIT_LB));
    assert.ok(!ids(chain).includes(DNS_UNPUBLISH) && !ids(chain).includes(DNS_PUBLISH));
    assert.equal(chain.env.LB_SERVICE, "ingress-nginx-controller");
  });

  const refusals: {
    what: string;
    stack: string;
    edit: (v: Record<string, unknown>) => void;
    expected: RegExp;
  }[] = [
    {
      what: "dash-enterprise without dns: its vendor's procedure moves the names, the stack must say how",
      stack: "example-destination-azure",
      edit: (v) => delete v.dns,
      expected:
        /velero-dr:dns\.provider: is required for Plotly Dash Enterprise 5: its vendor's restore procedure points the app's DNS names at the new cluster; set azure, rfc2136, route53 or manual .* or none/,
    },
    {
      what: "codedx with dns but no load balancer of its own: nothing for DNS to point at",
      stack: "example-destination-codedx",
      edit: (v) => (v.dns = AZURE_DNS("codedx.example.com")),
      expected:
        /velero-dr:restore\.loadBalancer\.service: is required with dns\.provider azure: Code Dx's profile names no Service of type LoadBalancer .* set restore\.loadBalancer\.namespace and restore\.loadBalancer\.service/,
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.what}, registering nothing`, async () => {
      const v = values(r.stack);
      r.edit(v);
      const { config, secretKeys } = toRuntimeConfig(v);
      const run = await runProgram("dr", config, secretKeys);
      assert.ok(run.error, "must fail");
      assert.match(run.error.message, r.expected);
      assert.equal(run.recorder.resources.length, 0);
    });
  }
});
