import { buildS3CompatBslConfig } from "../../velero/locations";
import type { DestinationBackend } from "../backend";
import { s3compat, S3CompatSourceOutputs } from ".";
import { s3compatCredentialsFile } from "./credentials";

/**
 * The destination's read side of an S3-compatible store (loaded only by a destination stack): the
 * BSL from the source's outputs (the destination stack makes it ReadOnly until promotion), no
 * VSL, and the destination's own key pair. Velero holds one key pair, so while the restore runs
 * the bucket is read-only by the BSL's mode; a read-only key (`s3compat.readOnlyCredentials`,
 * without promotion) makes the store itself refuse writes.
 */
export const s3compatDestination: DestinationBackend = {
  targetContext: () => ({}),
  locations: (outputs) => {
    const s = outputs as unknown as S3CompatSourceOutputs;
    return {
      provider: "aws",
      pluginImage: s3compat.pluginImage,
      bsl: {
        bucket: s.storage.bucket,
        prefix: s.storage.prefix || undefined,
        config: buildS3CompatBslConfig({ ...s.s3compat, publicUrl: s.s3compat.publicUrl || undefined }),
      },
    };
  },
  // No grant to wait for: the key pair works as soon as Velero reads it.
  access: () => ({ credentialsFile: s3compatCredentialsFile(), storageAccess: [], restoreAccess: [] }),
};
