import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Chain } from "../../components/restore/chain";
import { ChainView, RestoreChain } from "../../components/restore/restore-chain";
import { Step } from "../../components/restore/step";
import { PROJECT, Recorder, settle } from "../support/harness";

/**
 * The RestoreChain component is complete after its constructor: every step's Command, with the
 * dependencies its step model declares, including what it waits for outside the chain (supplied
 * by name, created on first need, after the steps it comes after).
 */
const step = (id: string, needs: string[], extra: Partial<Step> = {}): Step => ({
  id,
  title: id,
  why: "test",
  kind: "wait",
  script: { kubeconfig: false, env: [], body: "true\n" },
  needs,
  timeoutSeconds: 60,
  retry: { attempts: 1, delaySeconds: 0 },
  expected: "ok",
  ...extra,
});

class Thing extends pulumi.CustomResource {
  constructor(type: string, name: string, opts?: pulumi.CustomResourceOptions) {
    super(type, name, {}, opts);
  }
}

const CHAIN: Chain = {
  steps: [
    step("first", []),
    step("second", ["first"], { waitsFor: ["thing"], produces: "VALUE" }),
    step("third", ["second"], { waitsFor: ["thing", "other"] }),
  ],
  env: {},
};

describe("RestoreChain: built whole in its constructor", () => {
  let recorder: Recorder;
  before(async () => {
    recorder = new Recorder();
    await pulumi.runtime.setMocks(recorder.mocks(), PROJECT, "restore-chain-test", false);
    recorder.hook();
  });

  it("creates every step's Command with its needs and external waits; a factory runs once, after the steps it uses", async () => {
    let calls = 0;
    let sawFirst = false;
    const chain = new RestoreChain("chain", {
      chain: CHAIN,
      kubeconfig: "kubeconfig",
      runtimeEnv: {},
      secretEnv: {},
      external: {
        thing: (c: ChainView) => {
          calls++;
          sawFirst = c.command("first") !== undefined;
          return [new Thing("test:index:Thing", "thing", { dependsOn: [c.command("first")] })];
        },
        other: [new Thing("test:index:Other", "other")],
      },
    });
    assert.deepEqual(Object.keys(chain.commands), ["first", "second", "third"]);
    assert.equal(chain.last, chain.commands.third);
    assert.equal(calls, 1);
    assert.ok(sawFirst);
    await settle();
    const deps = (name: string) =>
      recorder.dependencyNames(recorder.one("command:local:Command", name)).sort();
    assert.deepEqual(deps("chain-first"), []);
    assert.deepEqual(deps("chain-second"), ["chain-first", "thing"]);
    assert.deepEqual(deps("chain-third"), ["chain-second", "other", "thing"]);
    assert.deepEqual(recorder.dependencyNames(recorder.one("test:index:Thing")), ["chain-first"]);
  });

  it("refuses a chain whose steps wait for something nobody supplied, naming it", () => {
    assert.throws(
      () =>
        new RestoreChain("missing", {
          chain: CHAIN,
          kubeconfig: "k",
          runtimeEnv: {},
          secretEnv: {},
          external: { thing: [] },
        }),
      /no resource supplied for what steps wait for: other/,
    );
  });

  it("refuses a supplied resource no step waits for (a misspelt name would otherwise be ignored)", () => {
    assert.throws(
      () =>
        new RestoreChain("unused", {
          chain: CHAIN,
          kubeconfig: "k",
          runtimeEnv: {},
          secretEnv: {},
          external: { thing: [], other: [], othr: [] },
        }),
      /no step waits for othr/,
    );
  });

  it("a step that needs a secret nobody provided is refused with the step and the secret's name", () => {
    const secretStep: Chain = {
      steps: [
        step("s", [], { script: { kubeconfig: false, env: [], secretEnv: ["TOKEN"], body: "true\n" } }),
      ],
      env: {},
    };
    assert.throws(
      () =>
        new RestoreChain("secret", {
          chain: secretStep,
          kubeconfig: "k",
          runtimeEnv: {},
          secretEnv: {},
          external: {},
        }),
      /step s needs the secret TOKEN/,
    );
  });
});
