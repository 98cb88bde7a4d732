import { strict as assert } from "assert";
import { buildGraph, keyOfProviderRef, keyOfUrn, RecordedResource } from "../../tools/bench/recorded";

const urn = (type: string, name: string, parents: string[] = []) =>
  `urn:pulumi:dev::velero-dr::${[...parents, type].join("$")}::${name}`;

function res(type: string, name: string, o: Partial<RecordedResource> = {}): RecordedResource {
  return { type, name, custom: true, inputs: {}, dependencies: [], read: false, ...o };
}

describe("bench: the recorded dependency graph", () => {
  it("keys URNs by their own type and name", () => {
    assert.equal(keyOfUrn(urn("t:m:R", "r1", ["c:C"])), "t:m:R::r1");
    assert.equal(keyOfUrn("urn:pulumi:s::p::a:b:C::name::with::colons"), "a:b:C::name::with::colons");
    assert.equal(
      keyOfProviderRef(`${urn("pulumi:providers:kubernetes", "k8s")}::k8s-id`),
      "pulumi:providers:kubernetes::k8s",
    );
    assert.throws(() => keyOfUrn("nope"), /not a URN/);
  });

  it("gives children their ancestors' dependencies, expands components, adds providers, drops components", () => {
    const comp = res("x:index:Comp", "comp", { custom: false, dependencies: [urn("cmd:Command", "guard")] });
    const child = res("t:m:Child", "child", { parent: urn("x:index:Comp", "comp") });
    const grandchildComp = res("x:index:Inner", "inner", {
      custom: false,
      parent: urn("x:index:Comp", "comp"),
    });
    const grandchild = res("t:m:Deep", "deep", {
      parent: urn("x:index:Inner", "inner", ["x:index:Comp"]),
      provider: `${urn("pulumi:providers:kubernetes", "k8s")}::k8s-id`,
    });
    const user = res("t:m:User", "user", { dependencies: [urn("x:index:Comp", "comp")] });
    const g = buildGraph([
      res("cmd:Command", "guard"),
      res("pulumi:providers:kubernetes", "k8s"),
      comp,
      child,
      grandchildComp,
      grandchild,
      user,
    ]);
    assert.deepEqual(Object.keys(g.nodes).sort(), [
      "cmd:Command::guard",
      "pulumi:providers:kubernetes::k8s",
      "t:m:Child::child",
      "t:m:Deep::deep",
      "t:m:User::user",
    ]);
    assert.deepEqual(g.needs["t:m:Child::child"], ["cmd:Command::guard"]);
    assert.deepEqual(g.needs["t:m:Deep::deep"], ["cmd:Command::guard", "pulumi:providers:kubernetes::k8s"]);
    // Depending on a component means waiting for all its custom descendants.
    assert.deepEqual(g.needs["t:m:User::user"], ["t:m:Child::child", "t:m:Deep::deep"]);
    // Who decided each wait: the component for inherited ones, the resource for its own.
    assert.equal(g.origin["t:m:Deep::deep"]["cmd:Command::guard"], "x:index:Comp::comp");
    assert.equal(g.origin["t:m:Deep::deep"]["pulumi:providers:kubernetes::k8s"], "t:m:Deep::deep");
  });

  it("recognises restore steps and whether they use the kubeconfig", () => {
    const g = buildGraph([
      res("command:local:Command", "restore-guard", {
        inputs: {
          environment: {
            VELERO_DR_STEP_ID: "guard-different-cluster",
            VELERO_DR_STEP_KIND: "guard",
            VELERO_DR_KUBECONFIG: "x",
          },
        },
      }),
      res("command:local:Command", "other", { inputs: { environment: {} } }),
    ]);
    assert.deepEqual(g.nodes["command:local:Command::restore-guard"].step, {
      id: "guard-different-cluster",
      kind: "guard",
      kubeconfig: true,
    });
    assert.equal(g.nodes["command:local:Command::other"].step, undefined);
  });

  it("refuses two registrations of one resource", () => {
    assert.throws(() => buildGraph([res("t:m:R", "a"), res("t:m:R", "a")]), /two registrations/);
  });
});
