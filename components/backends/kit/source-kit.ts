import * as pulumi from "@pulumi/pulumi";

/**
 * What the backends' source parts share (and the source stack with them): location names, the
 * stack's tags, the alert webhooks secret. Loaded by source stacks only.
 */

export const BSL_NAME = "default";
export const VSL_NAME = "default";
/** Pod annotation whose change rolls Velero onto a rotated credential. */
export const CREDENTIALS_REVISION_ANNOTATION = "velero-dr/credentials-revision";

/** The tags of everything a source creates; the policy pack reads velero-dr-production. */
export function stackTags(cfg: {
  stack: string;
  production: boolean;
  tags: Record<string, string>;
}): Record<string, string> {
  return {
    "managed-by": "velero-dr",
    "velero-dr-stack": cfg.stack,
    "velero-dr-production": String(cfg.production),
    ...cfg.tags,
  };
}

/** Webhook URLs, read as the secret they are (validation only counted them). */
export function alertWebhooks(cfg: {
  alerting: { webhookCount: number };
}): pulumi.Output<string[]> | undefined {
  return cfg.alerting.webhookCount > 0
    ? new pulumi.Config().requireSecretObject<string[]>("alertWebhooks")
    : undefined;
}

export function noCloudAlert(why: string): undefined {
  pulumi.log.warn(`velero-dr: no storage-side alert: ${why}; the in-cluster rules still apply`);
  return undefined;
}
