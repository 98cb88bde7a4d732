import { z } from "zod";
import { keyPath } from "./errors";

/**
 * Zod issues as configuration problems: each names the full key (`velero-dr:a.b`), the value it
 * got (never a secret's), what was expected, and for an unknown key the closest known one.
 */

/** Formats zod issues of `schema` for keys under `namespace`; `secretKeys` are never shown. */
export function formatIssues(
  issues: z.core.$ZodIssue[],
  schema: z.ZodType,
  namespace: string,
  secretKeys: readonly string[],
): string[] {
  return issues.map((issue) =>
    formatIssue(issue, schema, namespace, secretKeys).replace(/: got undefined; /, ": is required; "),
  );
}

function formatIssue(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  namespace: string,
  secretKeys: readonly string[],
): string {
  const key = keyPath(namespace, issue.path);
  const secret = secretKeys.some((k) => issue.path[0] === k);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys
        .map(
          (k) => `${keyPath(namespace, [...issue.path, k])}: unknown key; ${suggest(k, issue.path, schema)}`,
        )
        .join("\n  - ");
    case "invalid_type": {
      if (issue.input === undefined) {
        // A schema's own word on a missing key (what to set, where to find it).
        if (issue.message.startsWith("is required")) return `${key}: ${issue.message}`;
        return `${key}: is required; expected a ${issue.expected === "object" ? "map of settings" : issue.expected}`;
      }
      const got = secret ? "a value" : `${show(issue.input)} (${kind(issue.input)})`;
      return `${key}: got ${got}; expected ${issue.expected === "object" ? "a map of settings" : `a ${issue.expected}`}`;
    }
    case "invalid_value":
      if (issue.message.startsWith("got ")) return `${key}: ${issue.message}`;
      return `${key}: got ${secret ? "a value" : show(issue.input)}; expected one of ${issue.values.map((v) => show(v)).join(", ")}`;
    default:
      return `${key}: ${issue.message}`;
  }
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
const kind = (v: unknown): string => (Array.isArray(v) ? "a list" : v === null ? "null" : typeof v);

function suggest(key: string, path: ReadonlyArray<PropertyKey>, schema: z.ZodType): string {
  const known = knownKeys(path, schema);
  const close = known.filter((k) => distance(k.toLowerCase(), key.toLowerCase()) <= 2);
  if (close.length > 0) return `did you mean "${close[0]}"?`;
  return known.length > 0 ? `known keys here: ${known.join(", ")}` : "remove it";
}

function knownKeys(path: ReadonlyArray<PropertyKey>, schema: z.ZodType): string[] {
  // Walk the schema along the issue's path to list the keys that are valid there.
  let node: z.core.$ZodType | undefined = schema as unknown as z.core.$ZodType;
  for (const step of path) {
    node = unwrap(node);
    if (!node) return [];
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (typeof step === "number") node = def.element as z.core.$ZodType | undefined;
    else node = (def.shape as Record<string, z.core.$ZodType> | undefined)?.[String(step)];
  }
  node = unwrap(node);
  const shape = node
    ? ((node._zod.def as unknown as Record<string, unknown>).shape as object | undefined)
    : undefined;
  return shape ? Object.keys(shape).sort() : [];
}

function unwrap(node: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let n = node;
  for (let i = 0; n && i < 10; i++) {
    const def = n._zod.def as unknown as Record<string, unknown>;
    if (def.innerType) n = def.innerType as z.core.$ZodType;
    else if (def.in && def.type === "pipe") n = def.in as z.core.$ZodType;
    else if (def.schema) n = def.schema as z.core.$ZodType;
    else break;
  }
  return n;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}
