import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

/**
 * Runs this program under Pulumi's mocks (no engine, no cloud) and prints what it registered, as
 * JSON on the last line: each resource's type, name, URN (its parents' types are in it), provider
 * reference and inputs, and the stack's outputs. Exits non-zero when the program throws. The
 * velero-dr repository's consumer test (test/package/consumer.pack.ts) installs this program with
 * the packed package, runs this, and checks the registrations.
 */

interface Registration {
  type: string;
  name: string;
  custom: boolean;
  provider?: string;
  inputs: Record<string, unknown>;
}

const PROJECT = "velero-dr-consumer";
const registered: Registration[] = [];

async function main(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          provider: args.provider,
          inputs: args.inputs as Record<string, unknown>,
        });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "aws:s3/bucket:Bucket") state.arn = `arn:aws:s3:::${String(args.inputs.bucket)}`;
        if (args.type === "aws:iam/accessKey:AccessKey") state.secret = "fake-secret-access-key";
        if (args.type === "kubernetes:helm.sh/v3:Release") state.status = { revision: 1, status: "deployed" };
        if (args.type === "command:local:Command") state.stdout = "applied";
        return { id: args.custom ? `${args.name}-id` : undefined, state };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    "dev",
    false,
  );
  pulumi.runtime.setAllConfig(
    {
      [`${PROJECT}:region`]: "eu-west-1",
      [`${PROJECT}:accountId`]: "123456789012",
      [`${PROJECT}:bucketName`]: "velero-consumer-backups",
      [`${PROJECT}:kubeconfig`]: "apiVersion: v1\nkind: Config\nclusters: []\n",
    },
    [`${PROJECT}:kubeconfig`],
  );

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../index") as Record<string, pulumi.Input<unknown>>;
  const outputs = await new Promise<unknown>((resolve) => pulumi.output(program).apply(resolve));
  // Registrations that no output waits for (Schedules, alarms) reach the mocks a little later.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
  for (let i = 0; i < 5; i++) {
    await settings.waitForRPCs();
    await new Promise((r) => setTimeout(r, 10));
  }
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  const urns = [...monitor.getRegisteredResources().keys()];
  const urnOf = (r: Registration) => urns.find((u) => u.endsWith(`${r.type}::${r.name}`));
  console.log(JSON.stringify({ outputs, resources: registered.map((r) => ({ ...r, urn: urnOf(r) })) }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
