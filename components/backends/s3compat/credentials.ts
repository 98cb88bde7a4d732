import * as pulumi from "@pulumi/pulumi";
import { CREDENTIALS_KEY, S3CompatCredentials } from ".";

/**
 * Velero's credentials file (the AWS shared-credentials format velero-plugin-for-aws reads) from
 * the secret `velero-dr:s3compatCredentials`: read as a Pulumi secret and kept one, so the key
 * pair reaches the Velero Secret and never state, outputs or logs in plain text.
 */
export function s3compatCredentialsFile(): pulumi.Output<string> {
  return new pulumi.Config()
    .requireSecretObject<S3CompatCredentials>(CREDENTIALS_KEY)
    .apply(
      (c) =>
        `[default]\naws_access_key_id=${c.accessKeyId}\naws_secret_access_key=${c.secretAccessKey}\n${c.sessionToken ? `aws_session_token=${c.sessionToken}\n` : ""}`,
    );
}
