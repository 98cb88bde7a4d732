import { createHash } from "crypto";
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import * as path from "path";

/**
 * "Pod volume directories" on this machine: one directory per (cluster, namespace, workload,
 * volume) under `root`, which a fake pod's exec commands can use as their working directory. The
 * drill cannot run Velero's node agent (it needs kubelet pod volume directories), so it carries
 * volume contents from source to destination itself with copyVolume.
 */
export interface VolumeRef {
  cluster: string;
  namespace: string;
  /** The workload (Deployment, StatefulSet pod, ...) the volume belongs to; stable across a restore. */
  workload: string;
  volume: string;
}

export class PodVolumes {
  constructor(readonly root: string) {}

  /** The volume's directory (created unless create is false). */
  dir(ref: VolumeRef, create = true): string {
    const parts = [ref.cluster, ref.namespace, ref.workload, ref.volume];
    for (const p of parts) {
      if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(p)) {
        throw new Error(`not a usable volume path segment: ${JSON.stringify(p)}`);
      }
    }
    const d = path.join(this.root, ...parts);
    if (create) mkdirSync(d, { recursive: true });
    return d;
  }

  /** The directory of a PersistentVolumeClaim's volume (see ClaimProvisioner). */
  claimDir(cluster: string, namespace: string, claim: string): string {
    return this.dir({ cluster, namespace, workload: claim, volume: "claim" });
  }

  /** Carries a claim's data to the claim of the same name in another cluster (the node agent's job). */
  copyClaim(from: string, to: string, namespace: string, claim: string): { files: number; bytes: number } {
    return copyDir(this.claimDir(from, namespace, claim), this.claimDir(to, namespace, claim));
  }

  /**
   * Replaces the contents of `to` with those of `from` (files, directories, symlinks, modes and
   * times kept). Returns what was copied.
   */
  copyVolume(from: VolumeRef, to: VolumeRef): { files: number; bytes: number } {
    return copyDir(this.dir(from), this.dir(to));
  }
}

/** Replaces the contents of directory `to` with those of `from`; returns what was copied. */
export function copyDir(from: string, to: string): { files: number; bytes: number } {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(to)) rmSync(path.join(to, e), { recursive: true, force: true });
  cpSync(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return usage(to);
}

function usage(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const u = usage(p);
      files += u.files;
      bytes += u.bytes;
    } else {
      files += 1;
      bytes += e.isFile() ? lstatSync(p).size : 0;
    }
  }
  return { files, bytes };
}

/** Relative path -> sha256 of every file under dir, in path order. */
export function fileDigests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}
