import {
  CONDA_STORE_COUNTS_SQL as CONDA_COUNTS,
  KEYCLOAK_COUNTS_SQL,
  NebariOptions,
  NEBARI_DUMP_DIR,
} from "./profile";
import { AppChain, inSequence, workloadsReadyStep } from "../../components/apps/chain";
import { Step } from "../../components/restore/step";
import { scriptsIn } from "../../components/shell/body";

const scripts = scriptsIn(`${__dirname}/scripts`);
const scriptBodies = scripts.bodies;

/**
 * Nebari after each restore phase, in the RFD's order (Nebari's backup and restore RFD): Keycloak's
 * database from its
 * dump, then conda-store's, then the NFS user files - each verified against what the backup hook
 * recorded before the next component starts.
 */
const PG_FORMATS = { NEBARI_NAMESPACE: "label", PG_SELECTOR: "selector", PG_DUMP: "path" } as const;

function pgRestore(component: "keycloak" | "conda-store", o: NebariOptions, after: string[]): Step[] {
  const release = component === "keycloak" ? o.keycloakPostgresRelease : o.condaStorePostgresRelease;
  // Keycloak and conda-store must not write while their database is replaced. Found by labels: the
  // Keycloak chart's release label (its StatefulSet is `keycloak-keycloakx` in current Nebari).
  const users =
    component === "keycloak"
      ? `app.kubernetes.io/instance=${o.keycloakRelease}`
      : "role=nebari-conda-store-server role=nebari-conda-store-worker";
  return inSequence(after, [
    {
      id: `nebari-${component}-restore`,
      title: `Restore ${component}'s database from its dump`,
      why: `The volume copy of a running PostgreSQL is only crash-consistent; the pg_dump the hook took right before the backup is the consistent state of ${component}.`,
      kind: "repair",
      script: {
        kubeconfig: true,
        env: ["NEBARI_NAMESPACE", "PG_SELECTOR", "PG_DUMP", "PG_CLIENTS", "NEBARI_TIMEOUT_SECONDS"],
        formats: { ...PG_FORMATS, NEBARI_TIMEOUT_SECONDS: "count" },
        body: scriptBodies("ready-pod", "nebari-pg-restore"),
      },
      vars: {
        PG_SELECTOR: `app.kubernetes.io/instance=${release}`,
        PG_DUMP: `${NEBARI_DUMP_DIR}/${component}.dump`,
        PG_CLIENTS: users,
      },
      timeoutSeconds: 1800,
      retry: { attempts: 2, delaySeconds: 30 },
      expected: `pg_restore of ${component}.dump succeeded; ${component} is running again.`,
    },
    {
      id: `nebari-${component}-verify`,
      title: `Verify ${component}: the counts the backup recorded`,
      why:
        component === "keycloak"
          ? "Users and groups are what cannot be recreated (Nebari's backup and restore RFD); the realm must hold as many as when the backup was taken."
          : "Namespaces, environments and builds must be back before users' files refer to them.",
      kind: "verify",
      script: {
        kubeconfig: true,
        env: ["NEBARI_NAMESPACE", "PG_SELECTOR", "PG_DUMP", "PG_COUNTS_SQL"],
        formats: PG_FORMATS,
        body: scriptBodies("ready-pod", "nebari-pg-verify"),
      },
      vars: {
        PG_SELECTOR: `app.kubernetes.io/instance=${release}`,
        PG_DUMP: `${NEBARI_DUMP_DIR}/${component}.dump`,
        PG_COUNTS_SQL: component === "keycloak" ? keycloakCounts(o) : CONDA_COUNTS,
      },
      timeoutSeconds: 300,
      retry: { attempts: 3, delaySeconds: 20 },
      expected: `The counts in ${component}.dump.counts equal the restored database's.`,
    },
  ]);
}

const keycloakCounts = (o: NebariOptions) => KEYCLOAK_COUNTS_SQL.replace(/:'realm'/g, `'${o.realm}'`);

export const nebariChain: AppChain<NebariOptions> = {
  afterPhase(phaseId, after, ctx) {
    const o = ctx.options;
    if (phaseId === "keycloak") return pgRestore("keycloak", o, after);
    if (phaseId === "conda-store") return pgRestore("conda-store", o, after);
    if (phaseId === "all") {
      return inSequence(after, [
        {
          id: "nebari-nfs-verify",
          title: "Verify the NFS user files against the backup's manifest",
          why: "User files come last (Nebari's backup and restore RFD); every file the manifest lists must be back with its size.",
          kind: "verify",
          script: {
            kubeconfig: true,
            env: ["NEBARI_NAMESPACE", "NFS_SELECTOR", "NEBARI_TIMEOUT_SECONDS"],
            formats: { NEBARI_NAMESPACE: "label", NFS_SELECTOR: "selector", NEBARI_TIMEOUT_SECONDS: "count" },
            body: scriptBodies("ready-pod", "nebari-nfs-verify"),
          },
          vars: { NFS_SELECTOR: `role=${o.nfsServer}` },
          timeoutSeconds: 1200,
          retry: { attempts: 3, delaySeconds: 30 },
          expected: "The files under /exports match .velero-dr/manifest (paths and sizes).",
        },
      ]);
    }
    return [];
  },
  afterDns(after, ctx) {
    const o = ctx.options;
    return inSequence(after, [
      workloadsReadyStep(
        "nebari-health",
        "Nebari",
        o.namespace,
        "JupyterHub, Keycloak and conda-store serve users only when all their Deployments and StatefulSets are ready.",
      ),
    ]);
  },
  env(ctx) {
    const o = ctx.options;
    return {
      NEBARI_NAMESPACE: o.namespace,
      NEBARI_TIMEOUT_SECONDS: "900",
      HEALTH_TIMEOUT_SECONDS: String(ctx.healthSeconds),
    };
  },
};
