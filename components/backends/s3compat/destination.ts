import type { DestinationBackend } from "../backend";
import { s3compatCredentialsFile } from "./credentials";

/**
 * The destination's read side of an S3-compatible store (loaded only by a destination stack): the
 * destination's own key pair (the BSL from the source's outputs, ReadOnly until promotion, and no
 * VSL: s3compatDestinationLocations). Velero holds one key pair, so while the restore runs
 * the bucket is read-only by the BSL's mode; a read-only key (`s3compat.readOnlyCredentials`,
 * without promotion) makes the store itself refuse writes.
 */
export const s3compatDestination: DestinationBackend = {
  // No grant to wait for: the key pair works as soon as Velero reads it.
  access: () => ({ credentialsFile: s3compatCredentialsFile(), storageAccess: [], restoreAccess: [] }),
};
