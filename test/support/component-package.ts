import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provpb = require("@pulumi/pulumi/proto/provider_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provgrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

/** The component package (plugin/) as its tests see it: the schema its provider serves. */

const ROOT = path.join(__dirname, "..", "..");
export const PLUGIN = path.join(ROOT, "plugin");

export interface SchemaType {
  type?: string;
  $ref?: string;
  items?: SchemaType;
  additionalProperties?: SchemaType;
  secret?: boolean;
  plain?: boolean;
  description?: string;
}
export interface ObjectType {
  type: string;
  properties: Record<string, SchemaType>;
  required?: string[];
}
export interface PackageSchema {
  name: string;
  version: string;
  resources: Record<
    string,
    {
      isComponent: boolean;
      inputProperties: Record<string, SchemaType>;
      requiredInputs: string[];
      properties: Record<string, SchemaType>;
      required: string[];
    }
  >;
  types: Record<string, ObjectType>;
}

/**
 * Starts the package's entry point (package.json `main`) as a plugin process and asks it for its
 * schema over the provider protocol, as the engine does after the language host started it. The
 * entry is loaded transpile-only here; the real run-plugin path (type-checked, through the language
 * host) is what test/e2e/component-package.e2e.ts takes with the real CLI.
 */
export async function schemaFromPlugin(): Promise<PackageSchema> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(PLUGIN, "index.ts"), "127.0.0.1:1"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString("utf8");
        const line = out.split("\n")[0];
        if (out.includes("\n")) resolve(Number(line.trim()));
      });
      child.on("exit", (code) =>
        reject(new Error(`the plugin exited (${code}) before it served:\n${stderr}`)),
      );
    });
    const client = new provgrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const schema = await new Promise<string>((resolve, reject) =>
      client.getSchema(new provpb.GetSchemaRequest(), (err: Error | null, res: any) =>
        err ? reject(new Error(`GetSchema: ${err.message}\n${stderr}`)) : resolve(res.getSchema()),
      ),
    );
    client.close();
    return JSON.parse(schema) as PackageSchema;
  } finally {
    child.kill("SIGKILL");
  }
}
