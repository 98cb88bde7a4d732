import { AppChain, inSequence } from "../../components/apps/chain";
import { scriptsIn } from "../../components/shell/body";
import { CodedxOptions } from "./profile";

const scripts = scriptsIn(`${__dirname}/scripts`);
const scriptBody = scripts.body;

/**
 * Code Dx after the Velero restore (steps 2 and 3 of the Code Dx Kubernetes Backup & Restore Procedure,
 * as restart-db.ps1 and restore-db.ps1
 * do them): restart MariaDB on new data volumes, restore the database from the mariabackup on the
 * restored backup volume into the master and every subordinate, restart replication, start Code Dx.
 * With an external database both are the operator's job and only the health check runs.
 */
const ENV = ["CODEDX_NAMESPACE", "CODEDX_RELEASE", "CODEDX_SLAVE_REPLICAS"];
const NAMES = { CODEDX_NAMESPACE: "label", CODEDX_RELEASE: "label" } as const;
const DB_FORMATS = { ...NAMES, CODEDX_SLAVE_REPLICAS: "count", DB_TIMEOUT_SECONDS: "count" } as const;

export const codedxChain: AppChain<CodedxOptions> = {
  afterPhase(phaseId, after, ctx) {
    const o = ctx.options;
    if (phaseId !== "all" || o.externalDatabase) return [];
    return inSequence(after, [
      {
        id: "codedx-restart-db",
        title: "Restart MariaDB on new data volumes",
        why: "The data volumes were left out of the backup: the restored MariaDB pods wait for claims the StatefulSets only create for pods they start themselves (step 2 of the Code Dx Kubernetes Backup & Restore Procedure, restart-db.ps1).",
        kind: "repair",
        script: {
          kubeconfig: true,
          env: [...ENV, "DB_TIMEOUT_SECONDS"],
          formats: DB_FORMATS,
          body: scriptBody("codedx-restart-db"),
        },
        timeoutSeconds: 1200,
        retry: { attempts: 2, delaySeconds: 30 },
        expected:
          "codedx-mariadb-master and -slave pods are Running on new data volumes; Code Dx is scaled to 0.",
      },
      {
        id: "codedx-restore-db",
        title: "Restore the Code Dx database and restart replication",
        why: "The database comes back from the mariabackup the pre-backup hook took (step 3 of the Code Dx Kubernetes Backup & Restore Procedure, restore-db.ps1): prepared and copied back into the master and each subordinate, then replication restarts from the master's new position.",
        kind: "repair",
        script: {
          kubeconfig: true,
          env: [...ENV, "DB_TIMEOUT_SECONDS"],
          formats: DB_FORMATS,
          body: scriptBody("codedx-restore-db"),
        },
        timeoutSeconds: 3600,
        retry: { attempts: 1, delaySeconds: 0 },
        expected:
          "Each database pod was restored from the newest complete backup; SHOW SLAVE STATUS shows Slave_IO_Running and Slave_SQL_Running Yes.",
      },
    ]);
  },
  afterDns(after) {
    return inSequence(after, [
      {
        id: "codedx-health",
        title: "Health check: Code Dx running and ready",
        why: "Code Dx is usable once its Deployment is scaled up and ready on the restored database.",
        kind: "health",
        script: {
          kubeconfig: true,
          env: ["CODEDX_NAMESPACE", "CODEDX_RELEASE", "HEALTH_TIMEOUT_SECONDS"],
          formats: { ...NAMES, HEALTH_TIMEOUT_SECONDS: "count" },
          body: scriptBody("codedx-health"),
        },
        timeoutSeconds: 1800,
        retry: { attempts: 1, delaySeconds: 0 },
        expected: "Deployment codedx has its replicas ready.",
      },
    ]);
  },
  env(ctx) {
    const o = ctx.options;
    return {
      CODEDX_NAMESPACE: o.namespace,
      CODEDX_RELEASE: o.releaseName,
      CODEDX_SLAVE_REPLICAS: String(o.mariadbSlaveReplicas),
      DB_TIMEOUT_SECONDS: "1800",
      HEALTH_TIMEOUT_SECONDS: String(ctx.healthSeconds),
    };
  },
};
