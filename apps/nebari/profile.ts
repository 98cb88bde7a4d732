import { z } from "zod";
import { duration, label } from "../../components/apps/options";
import { AppProfile } from "../../components/model/profile";

/**
 * Nebari (its RFD "Backup and restore"): its state lives in Keycloak (users, groups),
 * conda-store (a PostgreSQL database plus built environments in object storage) and the NFS
 * user volumes. The RFD's order is Keycloak first, then conda-store, then the user files, and a
 * backup is all or nothing.
 *
 * Keycloak and conda-store keep their state in PostgreSQL; a pg_dump runs in one transaction,
 * so it is consistent and either complete or failed (the RFD's "pg_dump behaves like that").
 * Every dump hook fails the backup when it fails (onError Fail): a backup with one component
 * missing ends PartiallyFailed and is never restored.
 */
export const nebariOptions = z.strictObject({
  /** Nebari's namespace (its `namespace`/environment, default dev). */
  namespace: label("dev").default("dev"),
  /** Keycloak realm whose users and groups are verified after the restore. */
  realm: label("nebari").default("nebari"),
  /** Helm release of Keycloak's PostgreSQL (keycloak-postgres-standalone in current Nebari). */
  keycloakPostgresRelease: label("keycloak-postgres-standalone").default("keycloak-postgres-standalone"),
  /** Helm release of Keycloak: its workload (StatefulSet `keycloak-keycloakx` today) is found by this release label. */
  keycloakRelease: label("keycloak").default("keycloak"),
  /** Helm release of conda-store's PostgreSQL. */
  condaStorePostgresRelease: label("nebari-conda-store-postgresql").default("nebari-conda-store-postgresql"),
  /** The NFS server Deployment holding the user volumes (home/, shared/ under /exports). */
  nfsServer: label("nfs-server-nfs").default("nfs-server-nfs"),
  /** The pod volume of the NFS server that holds /exports (its claim is <nfsServer>-storage). */
  nfsVolume: label("storage").default("storage"),
  /** Time each dump may take. */
  dumpTimeout: duration("20m").default("20m"),
});

export type NebariOptions = z.output<typeof nebariOptions>;

/** Where the dumps land: on each PostgreSQL's own data volume, which the backup carries. */
export const NEBARI_DUMP_DIR = "/bitnami/postgresql/velero-dr";

/**
 * The hook command of a PostgreSQL dump. It runs inside the Bitnami PostgreSQL container, with the
 * chart's own environment (password and database names); the password never leaves the container.
 * The dump is written to a temporary name and renamed, so a half-written dump is never mistaken for
 * a complete one, and the row counts the restore verifies are recorded next to it. `sync` then puts
 * the files and the renames on the disk: Velero snapshots the volume right after the hook returns,
 * and a disk snapshot holds only what reached the disk (file-system backup reads the page cache
 * and would not need it; the hook serves both).
 */
function pgDumpCommand(dump: string, countsSql: string): string[] {
  const script = [
    "set -euo pipefail",
    `mkdir -p ${NEBARI_DUMP_DIR}`,
    'db="${POSTGRES_DATABASE:-${POSTGRES_DB:-postgres}}"',
    'user="${POSTGRES_USER:-${POSTGRES_USERNAME:-postgres}}"',
    'export PGPASSWORD="${POSTGRES_PASSWORD:-${POSTGRESQL_PASSWORD:-}}"',
    `pg_dump --format=custom --no-owner -h 127.0.0.1 -U "$user" -d "$db" -f ${NEBARI_DUMP_DIR}/${dump}.tmp`,
    `psql -h 127.0.0.1 -U "$user" -d "$db" -Atc "${countsSql}" > ${NEBARI_DUMP_DIR}/${dump}.counts.tmp`,
    `mv ${NEBARI_DUMP_DIR}/${dump}.tmp ${NEBARI_DUMP_DIR}/${dump}`,
    `mv ${NEBARI_DUMP_DIR}/${dump}.counts.tmp ${NEBARI_DUMP_DIR}/${dump}.counts`,
    "sync",
  ].join("; ");
  return ["/bin/bash", "-c", script];
}

/** SQL that records what the restore verifies: the realm's users and groups. */
export const KEYCLOAK_COUNTS_SQL =
  "SELECT 'users', count(*) FROM user_entity u JOIN realm r ON r.id = u.realm_id WHERE r.name = :'realm' UNION ALL SELECT 'groups', count(*) FROM keycloak_group g JOIN realm r ON r.id = g.realm_id WHERE r.name = :'realm'";
/** conda-store: its namespaces, environments and builds. */
export const CONDA_STORE_COUNTS_SQL =
  "SELECT 'namespaces', count(*) FROM namespace UNION ALL SELECT 'environments', count(*) FROM environment UNION ALL SELECT 'builds', count(*) FROM build";

export function nebariProfile(o: NebariOptions): AppProfile {
  const ns = o.namespace;
  const inst = (release: string) => ({ "app.kubernetes.io/instance": release });
  const keycloakCounts = KEYCLOAK_COUNTS_SQL.replace(/:'realm'/g, `'${o.realm}'`);
  return {
    name: "nebari",
    displayName: "Nebari",
    reference: "Nebari RFD 'Backup and restore' (GitHub #49) and nebari-docs how-tos/manual-backup",
    namespaces: [ns],
    excludedResources: [],
    defaultTtl: "720h",
    snapshotVolumes: true,
    schedules: [{ name: "nebari-daily", cron: "0 2 * * *" }],
    requirements: { differentCluster: true, sameOrNewerKubernetes: true },
    restore: {
      appNamespace: ns,
      loadBalancer: { namespace: ns, service: "nebari-traefik-ingress" },
      // The vendor's backup and restore guide leaves DNS alone: a stack opts in with `dns`.
      dnsCutOver: false,
      dnsRecordPrefixes: [],
    },
    hooks: {
      pre: [
        {
          name: "keycloak-dump",
          namespace: ns,
          selector: inst(o.keycloakPostgresRelease),
          command: pgDumpCommand("keycloak.dump", keycloakCounts),
          onError: "Fail",
          timeout: o.dumpTimeout,
        },
        {
          name: "conda-store-dump",
          namespace: ns,
          selector: inst(o.condaStorePostgresRelease),
          command: pgDumpCommand("conda-store.dump", CONDA_STORE_COUNTS_SQL),
          onError: "Fail",
          timeout: o.dumpTimeout,
        },
        {
          // The user files are copied as they are; the manifest lets the restore verify them.
          name: "nfs-manifest",
          namespace: ns,
          selector: { role: o.nfsServer },
          command: [
            "/bin/bash",
            "-c",
            "set -euo pipefail; cd /exports; find . -path ./.velero-dr -prune -o -type f -printf '%s %p\\n' | LC_ALL=C sort -k 2 > /tmp/velero-dr-manifest; mkdir -p .velero-dr; mv /tmp/velero-dr-manifest .velero-dr/manifest; sync",
          ],
          onError: "Fail",
          timeout: o.dumpTimeout,
        },
      ],
      post: [],
    },
    fsBackup: [
      { namespace: ns, kind: "StatefulSet", name: `${o.keycloakPostgresRelease}`, volumes: ["data"] },
      {
        namespace: ns,
        kind: "StatefulSet",
        name: `${o.condaStorePostgresRelease}-postgresql`,
        volumes: ["data"],
      },
      { namespace: ns, kind: "Deployment", name: o.nfsServer, volumes: [o.nfsVolume] },
    ],
    // The RFD backs Nebari up as files: dumps of Keycloak's and conda-store's PostgreSQL, and "the
    // nfs file system, which I think we can just do a tarball of"; nothing in it relies on disk
    // snapshots. Those three volumes are copied file by file. Other volumes of the namespace, which
    // the RFD does not name, are still snapshotted rather than silently left out.
    volumeBackup: {
      mode: "fs-backup",
      volumes: "listed",
      snapshotUnlisted: true,
      why: "Nebari's backup and restore RFD copies files (pg_dump of Keycloak and conda-store, a tarball of the NFS share), never disk snapshots: the two PostgreSQL data volumes and the NFS export file by file; the volumes the RFD does not name are still snapshotted.",
    },
    excludeVolumes: [],
    restorePhases: [
      {
        id: "supporting",
        title: "Restore secrets, config maps, service accounts and volumes",
        why: "The components restored one by one next need their credentials, configuration and volumes.",
        includedResources: [
          "secrets",
          "configmaps",
          "serviceaccounts",
          "persistentvolumeclaims",
          "persistentvolumes",
          "roles.rbac.authorization.k8s.io",
          "rolebindings.rbac.authorization.k8s.io",
        ],
      },
      {
        id: "keycloak",
        title: "Restore Keycloak and its database",
        why: "Users and groups come first: everything else refers to them (Nebari's backup and restore RFD).",
        labelSelectors: [inst(o.keycloakRelease), inst(o.keycloakPostgresRelease)],
      },
      {
        id: "conda-store",
        title: "Restore conda-store and its database",
        why: "Environments belong to users' namespaces, so they follow Keycloak (Nebari's backup and restore RFD).",
        labelSelectors: [
          inst(o.condaStorePostgresRelease),
          { role: "nebari-conda-store-server" },
          { role: "nebari-conda-store-worker" },
        ],
      },
      {
        id: "all",
        title: "Restore the NFS user volumes and everything else",
        why: "User files last: their owners and environments exist by now (Nebari's backup and restore RFD).",
      },
    ],
    backupLabels: {},
  };
}
