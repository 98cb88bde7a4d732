import { AppChain, inSequence, workloadsReadyStep } from "../../components/apps/chain";
import { durationSeconds } from "../../components/model/durations";
import { scriptsIn } from "../../components/shell/body";
import { EDA_BACKUP_CLAIM, EDA_BACKUP_MOUNT, EdaOptions } from "./profile";

const scripts = scriptsIn(`${__dirname}/scripts`);
const { body: scriptBody, bodies: scriptBodies } = scripts;

/**
 * Nokia EDA after Velero brought the backup claim back (Nokia EDA's backup and restore documentation,
 * "Restoring backups"): the claim
 * is mounted into the destination's own eda-toolbox, and `edactl platform restore` runs there with
 * the newest tarball; EDA's ConfigEngine then restarts and rebuilds the platform from it.
 */
const TOOLBOX_FORMATS = {
  EDA_NAMESPACE: "label",
  EDA_TOOLBOX: "label",
  EDA_TOOLBOX_CONTAINER: "label",
  EDA_MOUNT: "path",
} as const;

export const edaChain: AppChain<EdaOptions> = {
  afterPhase(phaseId, after, ctx) {
    const o = ctx.options;
    if (phaseId !== "all") return [];
    return inSequence(after, [
      {
        id: "eda-mount-backup",
        title: "Mount the restored backup claim into the eda-toolbox",
        why: "Nokia EDA's backup and restore documentation: the backup must be in the eda-toolbox pod to restore it; the claim Velero restored holds it.",
        kind: "repair",
        script: {
          kubeconfig: true,
          env: [
            "EDA_NAMESPACE",
            "EDA_TOOLBOX",
            "EDA_TOOLBOX_CONTAINER",
            "EDA_CLAIM",
            "EDA_MOUNT",
            "EDA_TIMEOUT_SECONDS",
          ],
          formats: { ...TOOLBOX_FORMATS, EDA_CLAIM: "label", EDA_TIMEOUT_SECONDS: "count" },
          body: scriptBody("eda-mount-backup"),
        },
        timeoutSeconds: 900,
        retry: { attempts: 2, delaySeconds: 30 },
        expected: `The eda-toolbox pod runs with ${EDA_BACKUP_CLAIM} mounted at ${EDA_BACKUP_MOUNT}.`,
      },
      {
        id: "eda-platform-restore",
        title: "Run edactl platform restore with the newest platform backup",
        why: "EDA restores itself from the tarball: it unpacks it, pushes the repositories and restarts its ConfigEngine (Nokia EDA's backup and restore documentation).",
        kind: "restore",
        script: {
          kubeconfig: true,
          env: [
            "EDA_NAMESPACE",
            "EDA_TOOLBOX",
            "EDA_TOOLBOX_CONTAINER",
            "EDA_MOUNT",
            "EDA_RESTORE_TIMEOUT_SECONDS",
          ],
          formats: { ...TOOLBOX_FORMATS, EDA_RESTORE_TIMEOUT_SECONDS: "count" },
          body: scriptBodies("ready-pod", "eda-platform-restore"),
        },
        timeoutSeconds: durationSeconds(o.restoreTimeout) + 300,
        retry: { attempts: 1, delaySeconds: 0 },
        expected: "edactl platform restore ends successfully; the ConfigEngine restarts.",
      },
    ]);
  },
  afterDns(after, ctx) {
    const o = ctx.options;
    return inSequence(after, [
      workloadsReadyStep(
        "eda-health",
        "EDA",
        o.namespace,
        "After its restore EDA restarts its ConfigEngine; the platform is back when every workload is ready again.",
      ),
    ]);
  },
  env(ctx) {
    const o = ctx.options;
    return {
      EDA_NAMESPACE: o.namespace,
      EDA_TOOLBOX: o.toolbox,
      EDA_TOOLBOX_CONTAINER: o.toolboxContainer,
      EDA_CLAIM: EDA_BACKUP_CLAIM,
      EDA_MOUNT: EDA_BACKUP_MOUNT,
      EDA_TIMEOUT_SECONDS: "600",
      EDA_RESTORE_TIMEOUT_SECONDS: String(durationSeconds(o.restoreTimeout)),
      HEALTH_TIMEOUT_SECONDS: String(ctx.healthSeconds),
    };
  },
};
