import { createHash, randomBytes } from "crypto";
import { appendFileSync, chmodSync, mkdirSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { DASH_CLAIMS, DashClaim } from "./fixture";

/**
 * What Dash Enterprise's stateful parts keep on their claims, written by the drill into the claims'
 * directories (the pods are fake): the shape of each part's data (PostgreSQL's data directory with
 * its 16 MiB WAL segments, a Docker registry's content-addressed blobs, Redpanda's segment logs and
 * indexes), with incompressible bytes so that the uploader cannot shrink them. About 42 MiB.
 *
 * `generation` 2 is what changes between two backups: a new WAL segment, a rewritten table file, a
 * new image layer and tag, a grown log, a removed index. A restore of the later backup must bring
 * exactly that back.
 */
const MiB = 1 << 20;

function put(dir: string, rel: string, data: Buffer | string, mode?: number): void {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, data);
  if (mode !== undefined) chmodSync(p, mode);
}

function writeAppDb(dir: string, generation: 1 | 2): void {
  if (generation === 1) {
    put(dir, "PG_VERSION", "15\n", 0o600);
    put(
      dir,
      "postgresql.conf",
      "listen_addresses = '*'\nmax_connections = 200\nwal_level = replica\n",
      0o600,
    );
    put(dir, "global/pg_control", randomBytes(8192), 0o600);
    for (const rel of ["1259", "2619", "2608", "16390", "16392", "16394"]) {
      put(dir, `base/16384/${rel}`, randomBytes(MiB), 0o600);
    }
    put(dir, "pg_wal/000000010000000000000001", randomBytes(16 * MiB), 0o600);
    put(dir, "pg_wal/archive_status/.keep", "");
  } else {
    put(dir, "pg_wal/000000010000000000000002", randomBytes(4 * MiB), 0o600);
    put(dir, "base/16384/1259", randomBytes(MiB + 8192), 0o600);
  }
}

function blob(dir: string, size: number): string {
  const data = randomBytes(size);
  const digest = createHash("sha256").update(data).digest("hex");
  put(dir, `docker/registry/v2/blobs/sha256/${digest.slice(0, 2)}/${digest}/data`, data);
  return digest;
}

function writeRegistry(dir: string, generation: 1 | 2): void {
  const repo = "docker/registry/v2/repositories/dash-apps/sales-dashboard";
  if (generation === 1) {
    const layers = [blob(dir, 12 * MiB), ...Array.from({ length: 24 }, () => blob(dir, 96 * 1024))];
    for (const l of layers) put(dir, `${repo}/_layers/sha256/${l}/link`, `sha256:${l}`);
    put(dir, `${repo}/_manifests/tags/1.0/current/link`, `sha256:${layers[0]}`);
  } else {
    const l = blob(dir, 2 * MiB);
    put(dir, `${repo}/_layers/sha256/${l}/link`, `sha256:${l}`);
    put(dir, `${repo}/_manifests/tags/1.1/current/link`, `sha256:${l}`);
  }
}

function writeRedpanda(dir: string, generation: 1 | 2): void {
  const partition = "data/kafka/dash-events/0_12";
  if (generation === 1) {
    put(dir, `${partition}/0-1-v1.log`, randomBytes(6 * MiB));
    for (let i = 0; i < 100; i++) put(dir, `${partition}/${i * 1000}-1-v1.base_index`, randomBytes(2048));
    put(dir, "data/redpanda/controller/0_0/0-1-v1.log", randomBytes(64 * 1024));
  } else {
    appendFileSync(path.join(dir, `${partition}/0-1-v1.log`), randomBytes(MiB / 2));
    rmSync(path.join(dir, `${partition}/0-1-v1.base_index`));
  }
}

const WRITERS: Record<string, (dir: string, generation: 1 | 2) => void> = {
  "app-db-data": writeAppDb,
  "de-harbor-registry": writeRegistry,
  "datadir-redpanda-0": writeRedpanda,
};

/** Writes a generation of every claim's data into its directory (`dirOf`). */
export function writeDashVolumeData(dirOf: (c: DashClaim) => string, generation: 1 | 2): void {
  for (const c of DASH_CLAIMS) {
    const write = WRITERS[c.claim];
    if (!write) throw new Error(`no data for claim ${c.namespace}/${c.claim}`);
    write(dirOf(c), generation);
  }
}
