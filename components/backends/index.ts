import { z } from "zod";
import { show } from "../model/values";
import { aws } from "./aws";
import { azure } from "./azure";
import type { StorageBackend } from "./backend";
import { s3compat } from "./s3compat";

/**
 * The storage backends, by `velero-dr:cloud` value. Adding one is a folder of components/backends
 * (a `StorageBackend`: its config part, its Pulumi code loaded on use) and a line here; the
 * config schemas, validation and both stacks read it from here.
 */
export const storageBackends = { azure, aws, s3compat };

export type BackendName = keyof typeof storageBackends;

type ConfigOf<B> = B extends StorageBackend<infer C> ? C : never;

/** A source stack's validated configuration, one of the backends' own. */
export type SourceStackConfig = ConfigOf<(typeof storageBackends)[BackendName]>;

export const BACKEND_NAMES = Object.keys(storageBackends) as [BackendName, ...BackendName[]];

/** The backends a destination can restore from (those with a destination side). */
export function destinationBackends(
  registry: Record<string, StorageBackend> = storageBackends,
): StorageBackend[] {
  return Object.values(registry).filter((b) => b.destination !== undefined);
}

/** The backend of a `velero-dr:cloud` value, if there is one. */
export function findBackend(cloud: unknown): StorageBackend | undefined {
  return typeof cloud === "string" && Object.prototype.hasOwnProperty.call(storageBackends, cloud)
    ? (storageBackends as Record<string, StorageBackend>)[cloud]
    : undefined;
}

/** The backend of a validated config. */
export function backendOf<C extends SourceStackConfig>(cloud: C["cloud"]): StorageBackend<C>;
export function backendOf(cloud: string): StorageBackend;
export function backendOf(cloud: string): StorageBackend {
  const b = (storageBackends as Record<string, StorageBackend>)[cloud];
  if (!b) throw new Error(`velero-dr: unknown storage backend ${cloud}; known: ${BACKEND_NAMES.join(", ")}`);
  return b;
}

/** `velero-dr:cloud` of a source: one of the registry's backends. */
export function cloudSchema(registry: Record<string, StorageBackend> = storageBackends) {
  const names = Object.keys(registry) as [string, ...string[]];
  return z.enum(names, {
    error: (iss) => `got ${show(iss.input)}; expected ${names.map((n) => `"${n}"`).join(" or ")}`,
  });
}

/** Every backend's secret config keys (`velero-dr:<key>`), with the backend reading each. */
export function backendSecretKeys(
  registry: Record<string, StorageBackend> = storageBackends,
): { key: string; backend: StorageBackend; schema: z.ZodType; set: string }[] {
  return Object.values(registry).flatMap((b) =>
    Object.entries(b.secretKeys ?? {}).map(([key, s]) => ({ key, backend: b, ...s })),
  );
}

/** `velero-dr:cloud` of a destination: a backend with a destination side. */
export function destinationCloudSchema(registry: Record<string, StorageBackend> = storageBackends) {
  const able = destinationBackends(registry);
  const unable = Object.values(registry).filter((b) => b.destination === undefined);
  const names = able.map((b) => b.name) as [string, ...string[]];
  const why = `a destination stack restores from ${able.map((b) => b.label).join(" or ")} storage only${
    unable.length > 0 ? `; ${unable.map((b) => b.label).join(" and ")} restore is not implemented` : ""
  }`;
  return z.enum(names, {
    error: (iss) => `got ${show(iss.input)}; expected ${names.map((n) => `"${n}"`).join(" or ")} (${why})`,
  });
}
