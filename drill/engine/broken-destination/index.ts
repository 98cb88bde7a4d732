/**
 * A DELIBERATELY BROKEN destination program, for the drill only: the project's own program with one
 * change an operator might make by hand — the destination's Velero release installs its backup
 * storage location ReadWrite, so the new cluster's Velero could sync, expire or overwrite the very
 * backups it restores. The drill shows that `pulumi preview --policy-pack policies` refuses it by the
 * policy's name (destination-bsl-read-only) before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";

type Location = Record<string, unknown>;

/** `f` on an input, whether it is a plain value or an Output (any level of the values may be one). */
const on = (x: unknown, f: (v: any) => unknown): unknown => (pulumi.Output.isInstance(x) ? x.apply(f) : f(x));

const readWrite = (l: unknown) => on(l, (v: Location) => ({ ...v, accessMode: "ReadWrite" }));

pulumi.runtime.registerResourceTransform((args) => {
  if (args.type !== "kubernetes:helm.sh/v3:Release") return undefined;
  const values = on(args.props.values, (v) => ({
    ...v,
    configuration: on(v?.configuration, (c) => ({
      ...c,
      // Chart 3.x takes one location (an object); later charts a list.
      backupStorageLocation: on(c?.backupStorageLocation, (b) =>
        Array.isArray(b) ? b.map(readWrite) : readWrite(b ?? {}),
      ),
    })),
  }));
  return { props: { ...args.props, values }, opts: args.opts };
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
export = require("../../../stacks/index");
