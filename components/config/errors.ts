/**
 * Every problem found in a stack's configuration, reported together.
 *
 * One message per problem, each starting with the full config key (`velero-dr:storage.replication`)
 * so the user can find and fix all of them in one edit instead of one `pulumi up` per mistake.
 */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    const list = problems.map((p) => `  - ${p}`).join("\n");
    super(
      `velero-dr: the stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was deployed:\n${list}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function keyPath(namespace: string, path: ReadonlyArray<PropertyKey>): string {
  let out = namespace;
  path.forEach((p, i) => {
    if (typeof p === "number") out += `[${p}]`;
    else out += i === 0 ? `:${String(p)}` : `.${String(p)}`;
  });
  return out;
}
