import { strict as assert } from "assert";
import { apps } from "../../apps";
import { configureApp } from "../../components/apps/definition";
import { AppProfile } from "../../components/model/profile";
import { buildRestoreChain, ChainInput } from "../../components/restore/chain";
import { buildProfileSchedules } from "../../components/velero/specs";
import { stackFileConfig } from "./harness";

/** Helpers of the app profile tests (apps/<app>/test/profile.test.ts and test/apps/). */

/** An app of the registry configured from `velero-dr:app` options: its profile, its options, the app. */
export function configured(name: string, options: Record<string, unknown> = {}) {
  const def = apps[name];
  const parsed = def.options.parse(options) as Record<string, unknown>;
  return { profile: def.configure(parsed) as AppProfile, options: parsed, app: configureApp(def, parsed) };
}

/**
 * The app's restore chain as a destination stack without `dns` builds it (DNS moved by hand, the
 * `manual` provider, where the vendor's procedure moves it; left alone elsewhere), from the
 * profile's first schedule.
 */
export function chainFor(
  name: string,
  options: Record<string, unknown> = {},
  overrides: Partial<ChainInput> = {},
) {
  const { profile, app } = configured(name, options);
  const input: ChainInput = {
    app,
    veleroNamespace: "velero",
    bslName: "default",
    backup: { schedule: profile.schedules[0].name },
    sourceApiServer: "https://source.example:443",
    ...(profile.restore.dnsCutOver
      ? {
          dns: {
            provider: "manual",
            baseDomain: "app.example.com",
            zone: "example.com",
            ttlSeconds: 60,
            recordPrefixes: [],
            unpublishConfirmed: true,
          },
          loadBalancer: profile.restore.loadBalancer,
        }
      : { dns: { provider: "none" } }),
    promoteToPrimary: true,
    allowPartiallyFailed: false,
    timeouts: {
      bslSeconds: 600,
      backupSyncSeconds: 900,
      restoreSeconds: 3600,
      loadBalancerSeconds: 900,
      healthSeconds: 900,
    },
  };
  return buildRestoreChain({ ...input, ...overrides });
}

/** The profile's first schedule as the Velero Schedule the source stack creates. */
export function scheduleOf(profile: AppProfile) {
  const s = profile.schedules[0];
  const [built] = buildProfileSchedules(
    [
      {
        name: s.name,
        cron: s.cron,
        ttl: profile.defaultTtl,
        paused: false,
        namespaces: profile.namespaces,
        excludedResources: profile.excludedResources,
      },
    ],
    profile,
    { storageLocation: "default", volumeSnapshotLocation: "default", defaultVolumesToFsBackup: false },
  );
  return {
    apiVersion: "velero.io/v1",
    kind: "Schedule",
    metadata: { name: built.name, namespace: "velero" },
    spec: built.spec,
  };
}

/** Every id of `order` is in `steps`, in that order (other steps may come between). */
export function assertInOrder(steps: string[], order: string[]): void {
  const at = order.map((id) => steps.indexOf(id));
  assert.ok(
    at.every((i) => i >= 0),
    `missing from ${steps.join(", ")}`,
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
    `out of order: ${steps.join(", ")}`,
  );
}

/** The step ids of the app's chain. */
export const ids = (name: string, options: Record<string, unknown> = {}) =>
  chainFor(name, options).steps.map((s) => s.id);

/** The `velero-dr:app` options of a stack file. */
export function stackOptions(stack: string): Record<string, unknown> {
  const raw = stackFileConfig(stack).config["velero-dr:app"];
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}
