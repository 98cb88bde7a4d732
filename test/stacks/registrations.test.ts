import * as assert from "assert";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { exampleStacks } from "../../components/config/example-stacks";
import { runDestination } from "../support/examples";
import { Recorder, runProgram, stackFileConfig } from "../support/harness";

/**
 * What every example stack (apps/<app>/examples/) registers, compared with a recording kept in the repository
 * (test/stacks/registrations/<stack>.json): type, name, parent, dependencies, provider, protect
 * and every input as the SDK serialized it (secrets stay marked as secrets). A refactoring must
 * not change what a stack creates; a change on purpose re-records with
 * `VELERO_DR_RECORD=1 npx mocha test/stacks/registrations.test.ts` and shows up in the diff.
 *
 * The credential rotation window depends on today's date and is recorded as a placeholder.
 */

const DIR = path.join(__dirname, "registrations");
const RECORD = process.env.VELERO_DR_RECORD === "1";

export interface Registration {
  type: string;
  name: string;
  custom: boolean;
  read: boolean;
  parent?: string;
  provider?: string;
  dependsOn: string[];
  protect: boolean;
  retainOnDelete: boolean;
  inputs: unknown;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Serialized inputs with secrets as `{ secret: value }` and the rotation window normalised. */
function normalise(v: unknown): unknown {
  if (typeof v === "string") {
    return v
      .replace(/\bp(\d+)d-\d+\b/g, "p$1d-<window>")
      .replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "<rotation-end>");
  }
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return { secret: normalise(o.value) };
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, normalise(o[k])]),
    );
  }
  return v;
}

/** `type::name` of a URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`), or of a provider reference (`<urn>::<id>`). */
function urnName(urn: string | undefined, provider = false): string | undefined {
  if (!urn) return undefined;
  const parts = urn.split("::");
  const [qualified, name] = provider ? parts.slice(-3, -1) : parts.slice(-2);
  return `${qualified.split("$").pop()}::${normalise(name) as string}`;
}

export function registrations(recorder: Recorder): Registration[] {
  return recorder.resources.map((r) => ({
    type: r.type,
    name: normalise(r.name) as string,
    custom: r.custom,
    read: r.read,
    parent: urnName(r.parent),
    provider: urnName(r.provider, true),
    dependsOn: [...new Set(r.dependencies.map((d) => urnName(d) as string))].sort(),
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    inputs: normalise(r.raw),
  }));
}

async function record(stack: string): Promise<Registration[]> {
  if (stack.startsWith("example-destination")) {
    const run = await runDestination(stack);
    if (run.error) throw run.error;
    return registrations(run.recorder);
  }
  const { config, secretKeys } = stackFileConfig(stack);
  const run = await runProgram(stack, config, secretKeys);
  if (run.error) throw run.error;
  return registrations(run.recorder);
}

const key = (r: Registration) => `${r.type}::${r.name}`;

describe("every example stack registers what it registered before (recorded)", () => {
  for (const { stack } of exampleStacks()) {
    it(stack, async () => {
      const file = path.join(DIR, `${stack}.json`);
      const now = JSON.parse(JSON.stringify(await record(stack))) as Registration[];
      if (RECORD) {
        mkdirSync(DIR, { recursive: true });
        // Sorted: the order of registration between components varies with module loading, and a
        // re-recording should show only what changed.
        const sorted = [...now].sort((a, b) => key(a).localeCompare(key(b)));
        writeFileSync(file, JSON.stringify(sorted, null, 1) + "\n");
        return;
      }
      assert.ok(existsSync(file), `no recording for ${stack}: run with VELERO_DR_RECORD=1`);
      const before = JSON.parse(readFileSync(file, "utf8")) as Registration[];
      assert.deepStrictEqual(now.map(key).sort(), before.map(key).sort(), "the same resources");
      const byKey = new Map(before.map((r) => [key(r), r]));
      for (const r of now) assert.deepStrictEqual(r, byKey.get(key(r)), `${key(r)} is registered as before`);
    });
  }
});
