import { strict as assert } from "assert";
import * as path from "path";
import { readStackFile } from "../../components/config/stack-file";
import { validateStackConfig as validateConfig } from "../../stacks/config";
import { exampleStacks } from "../../tools/bench/evaltime";
import { minutes, table } from "../../tools/bench/format";
import { importSpecifiers, pulumiModulesOf } from "../../tools/bench/imports";
import { scaledConfig, SCALE_STACK } from "../../tools/bench/scale";
import { stackFileConfig } from "../support/harness";

describe("bench: module scan, scaled configs, output", () => {
  it("reads import specifiers, dropping type-only imports and comments", () => {
    const src = [
      'import * as pulumi from "@pulumi/pulumi";',
      'import { Command } from "@pulumi/command/local";',
      'import type { Input } from "@pulumi/pulumi/output";',
      'export { x } from "./x";',
      '// import { nope } from "@pulumi/aws";',
      '/* require("@pulumi/gcp") */',
      'const k = require("@pulumi/kubernetes/core/v1");',
      'import "./side-effect";',
    ].join("\n");
    assert.deepEqual(importSpecifiers(src), [
      "./side-effect",
      "./x",
      "@pulumi/command/local",
      "@pulumi/kubernetes/core/v1",
      "@pulumi/pulumi",
    ]);
  });

  it("follows a program's own files to the @pulumi modules they load", () => {
    const files: Record<string, string> = {
      "/p/index.ts": 'import { a } from "./a";\nimport * as pulumi from "@pulumi/pulumi";',
      "/p/a.ts":
        'import { b } from "./lib";\nimport { Release } from "@pulumi/kubernetes/helm/v3";\nimport { z } from "zod";',
      "/p/lib/index.ts": 'import { a } from "../a";\nimport * as dns from "@pulumi/azure-native/dns";',
    };
    const mods = pulumiModulesOf("/p/index.ts", {
      read: (f) => {
        if (!(f in files)) throw new Error(`read ${f}`);
        return files[f];
      },
      exists: (f) => f in files,
    });
    assert.deepEqual(mods, ["@pulumi/azure-native/dns", "@pulumi/kubernetes/helm/v3", "@pulumi/pulumi"]);
  });

  it("finds the stack program's real provider submodules", () => {
    const mods = pulumiModulesOf(path.join(__dirname, "..", "..", "stacks", "index.ts"));
    for (const m of [
      "@pulumi/pulumi",
      "@pulumi/azuread",
      "@pulumi/command/local",
      "@pulumi/kubernetes/helm/v3",
    ]) {
      assert.ok(mods.includes(m), m);
    }
    assert.ok(mods.every((m) => m.startsWith("@pulumi/")));
  });

  it("knows the example stacks", () => {
    const stacks = exampleStacks();
    assert.ok(stacks.includes("example-destination-azure"));
    assert.ok(stacks.includes(SCALE_STACK));
  });

  it("scales the source example to n namespaces and m schedules, still a valid configuration", () => {
    const { config } = stackFileConfig(SCALE_STACK);
    for (const [n, m] of [
      [1, 1],
      [200, 20],
    ]) {
      const c = scaledConfig(config, n, m);
      assert.equal(JSON.parse(c["velero-dr:namespaces"]).length, n);
      const schedules = JSON.parse(c["velero-dr:schedules"]);
      assert.equal(schedules.length, m);
      assert.equal(new Set(schedules.map((s: { name: string }) => s.name)).size, m);
      const raw = readStackFile(SCALE_STACK);
      raw.values.namespaces = JSON.parse(c["velero-dr:namespaces"]);
      raw.values.schedules = schedules;
      const cfg = validateConfig(raw);
      assert.equal(cfg.role, "source");
    }
  });

  it("prints aligned tables and minutes", () => {
    assert.equal(
      table(
        ["a", "bb"],
        [
          ["x", 1],
          ["yyy", 22],
        ],
      ),
      ["a    bb", "---  --", "x     1", "yyy  22"].join("\n"),
    );
    assert.equal(minutes(1761), "29m21s");
    assert.equal(minutes(59.6), "1m00s");
  });
});
