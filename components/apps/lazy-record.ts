/**
 * A record whose values are loaded on first read: `record[key]` runs that key's loader once;
 * `Object.keys` needs none of them, `Object.values`/`entries` load all. The app registries use it
 * so a stack loads only its own application's modules (each module load costs every
 * `pulumi preview`/`up`, docs/PERFORMANCE.md), while tests and the policy pack still see them all.
 */
export function lazyRecord<T>(loaders: Readonly<Record<string, () => T>>): Readonly<Record<string, T>> {
  const record: Record<string, T> = {};
  for (const [key, load] of Object.entries(loaders)) {
    let loaded: { value: T } | undefined;
    Object.defineProperty(record, key, {
      enumerable: true,
      get: () => (loaded ??= { value: load() }).value,
    });
  }
  return Object.freeze(record);
}
