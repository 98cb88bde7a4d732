import Ajv, { ValidateFunction } from "ajv";
import { spawnSync } from "child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";

/**
 * Validates custom resources against the upstream Velero CRD schemas.
 *
 * The API server prunes unknown fields of a structural schema instead of rejecting them, so a
 * misspelt field would silently vanish in a real cluster. Here every object schema that does
 * not allow unknown fields gets `additionalProperties: false`, turning such typos into failures.
 *
 * The CRDs are upstream's own files, `config/crd/v1/bases/*.yaml` of the Go module
 * github.com/vmware-tanzu/velero at the Velero version the drill pins (VELERO_VERSION in
 * drill/versions.env; a test keeps it equal to the stacks' default). They are fetched once from
 * the Go module proxy with `go mod download` (the module cache drill/toolchain.sh uses, kept
 * writable) and copied into ${VELERO_DR_CACHE:-~/.cache/velero-dr}/upstream/velero-<version>/crds; when that
 * directory exists, nothing else is run.
 */

const REPO = path.join(__dirname, "..", "..");
const VELERO_MODULE = "github.com/vmware-tanzu/velero";

/** VELERO_VERSION of drill/versions.env. */
export function pinnedVeleroVersion(): string {
  const file = path.join(REPO, "drill", "versions.env");
  const m = /^VELERO_VERSION=(\S+)$/m.exec(readFileSync(file, "utf8"));
  if (!m) throw new Error(`no VELERO_VERSION=... line in ${file}`);
  return m[1];
}

function cacheRoot(): string {
  return path.resolve(process.env.VELERO_DR_CACHE || path.join(os.homedir(), ".cache", "velero-dr"));
}

function noGo(version: string, looked: string): Error {
  return new Error(
    `the tests validate custom resources against the Velero ${version} CRDs of the Go module ${VELERO_MODULE}, ` +
      `fetched once into ${cacheRoot()}/upstream, and that needs Go (${looked}): install Go ` +
      `(https://go.dev/dl/; the drill's toolchain needs it too) or set GO=/path/to/go`,
  );
}

/** As drill/toolchain.sh: $GO, else go on PATH, else /usr/local/go/bin/go. */
function goBinary(version: string): string {
  if (process.env.GO) return process.env.GO;
  const onPath = spawnSync("sh", ["-c", "command -v go"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  if (existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  throw noGo(version, "no 'go' on PATH nor /usr/local/go/bin/go");
}

/** Fetches the module with `go mod download` and copies its CRDs into `dest` (atomically). */
function fetchCrds(version: string, dest: string): void {
  const root = cacheRoot();
  const go = goBinary(version);
  const gopath = path.join(root, "go", "path");
  const env = {
    ...process.env,
    GOTOOLCHAIN: "local",
    GOFLAGS: "-modcacherw",
    GOWORK: "off",
    GOPATH: gopath,
    GOMODCACHE: path.join(gopath, "pkg", "mod"),
    GOCACHE: path.join(root, "go", "build-cache"),
  };
  const ref = `${VELERO_MODULE}@${version}`;
  const r = spawnSync(go, ["mod", "download", "-json", ref], { cwd: os.tmpdir(), env, encoding: "utf8" });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
    throw noGo(version, `GO=${go} not found`);
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    // reported below with stderr
  }
  if (r.error || r.status !== 0 || !info.Dir) {
    const why = r.error ? String(r.error) : info.Error || r.stderr.trim() || `exit ${r.status}`;
    throw new Error(
      `'${go} mod download ${ref}' failed (the Go module proxy must be reachable once): ${why}`,
    );
  }
  const bases = path.join(info.Dir, "config", "crd", "v1", "bases");
  const files = existsSync(bases) ? readdirSync(bases).filter((f) => f.endsWith(".yaml")) : [];
  if (files.length === 0) throw new Error(`${ref}: no CRDs in ${bases}`);
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = mkdtempSync(`${dest}.tmp-`);
  for (const f of files) cpSync(path.join(bases, f), path.join(tmp, f));
  try {
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dest)) throw e; // else another process got there first
  }
}

/** The directory holding velero.io_*.yaml of the pinned Velero version; fetched on first use. */
export function crdRoot(version: string): string {
  const pinned = pinnedVeleroVersion();
  if (version !== pinned) {
    throw new Error(
      `CRDs are available for the pinned Velero ${pinned} only (drill/versions.env), not ${version}`,
    );
  }
  const dir = path.join(cacheRoot(), "upstream", `velero-${version}`, "crds");
  if (!existsSync(dir)) fetchCrds(version, dir);
  return dir;
}

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
  const file = path.join(crdRoot(version), `velero.io_${plural}.yaml`);
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
