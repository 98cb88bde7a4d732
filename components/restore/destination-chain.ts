import { DestinationStackConfig } from "../config/validate";
import { ChainInput } from "./chain";

export const DESTINATION_BSL = "default";

/**
 * The restore chain input of a destination stack, from its validated config. The stack, the
 * runbook and the drill all build their chain through here, so they cannot drift apart.
 */
export function destinationChainInput(cfg: DestinationStackConfig): ChainInput {
  return {
    app: cfg.app,
    veleroNamespace: cfg.velero.namespace,
    bslName: DESTINATION_BSL,
    backup: cfg.backup,
    sourceApiServer: cfg.source.outputs?.cluster.apiServer,
    sourceClusterUid: cfg.source.outputs?.cluster.uid,
    dns: cfg.dns,
    loadBalancer: cfg.restore.loadBalancer,
    promoteToPrimary: cfg.restore.promoteToPrimary,
    allowPartiallyFailed: cfg.restore.allowPartiallyFailed,
    prerequisitesConfirmed: cfg.restore.prerequisitesConfirmed,
    timeouts: {
      bslSeconds: 600,
      backupSyncSeconds: cfg.restore.backupSyncTimeoutMinutes * 60,
      restoreSeconds: cfg.restore.restoreTimeoutMinutes * 60,
      loadBalancerSeconds: 900,
      healthSeconds: cfg.restore.healthTimeoutMinutes * 60,
    },
  };
}
