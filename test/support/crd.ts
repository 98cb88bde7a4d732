import Ajv, { ValidateFunction } from "ajv";
import { readFileSync } from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

/**
 * Validates custom resources against the upstream Velero CRD schemas (shared/reference).
 *
 * The API server prunes unknown fields of a structural schema instead of rejecting them, so a
 * misspelt field would silently vanish in a real cluster. Here every object schema that does
 * not allow unknown fields gets `additionalProperties: false`, turning such typos into failures.
 */

export const CRD_ROOT = path.join(__dirname, "..", "..", "..", "shared", "reference", "velero", "crds");

const cache = new Map<string, ValidateFunction>();

type Schema = Record<string, unknown>;

function strictify(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (out.properties && typeof out.properties === "object") {
    const props: Schema = {};
    for (const [k, v] of Object.entries(out.properties as Schema)) props[k] = strictify(v as Schema);
    out.properties = props;
    if (out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
      out.additionalProperties = false;
    }
  }
  if (out.items && typeof out.items === "object") out.items = strictify(out.items as Schema);
  if (out.additionalProperties && typeof out.additionalProperties === "object") {
    out.additionalProperties = strictify(out.additionalProperties as Schema);
  }
  return out;
}

export function crdValidator(version: string, kind: string): ValidateFunction {
  const key = `${version}/${kind}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const plural = `${kind.toLowerCase()}s`;
  const file = path.join(CRD_ROOT, version, `velero.io_${plural}.yaml`);
  const crd = parseYaml(readFileSync(file, "utf8")) as {
    spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  if (crd.spec.names.kind !== kind) throw new Error(`${file} defines ${crd.spec.names.kind}, not ${kind}`);
  const v1 = crd.spec.versions.find((v) => v.name === "v1");
  if (!v1) throw new Error(`${file} has no v1 version`);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(strictify(v1.schema.openAPIV3Schema));
  cache.set(key, validate);
  return validate;
}

/** Validates a whole object (apiVersion, kind, metadata, spec); returns readable errors. */
export function crdErrors(version: string, kind: string, object: unknown): string[] {
  const validate = crdValidator(version, kind);
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? `: ${String(e.params.additionalProperty)}` : ""}`,
  );
}
