import * as pulumi from "@pulumi/pulumi";
import { buildS3CompatBslConfig } from "../../velero/locations";
import type { SourceBackend } from "../backend";
import { BSL_NAME } from "../kit/source-kit";
import { s3compat as backend, S3CompatSourceConfig } from ".";
import { s3compatCredentialsFile } from "./credentials";

/**
 * The s3compat source stack's part (loaded only for `velero-dr:cloud: s3compat`): no storage
 * resource (the bucket exists), no cloud identity (a static key pair), a BSL for the store and
 * no VSL; the outputs a destination reads.
 */
export const s3compatSource: SourceBackend<S3CompatSourceConfig> = {
  begin: (cfg) => ({
    targetContext: {},
    build: (cluster, withCommon) => {
      const s = cfg.s3compat;
      // What the Schedules would snapshot is not in the backups here: no snapshot API.
      if (cfg.profile.snapshotVolumes && !cfg.velero.defaultVolumesToFsBackup) {
        const which =
          cfg.fsBackup === "profile"
            ? "its persistent volumes other than the ones copied file by file (the profile's listed ones)"
            : "its persistent volumes";
        pulumi.log.warn(
          `velero-dr: the s3compat backend takes no volume snapshots: the contents of ${cfg.profile.displayName}'s ${which} are not in these backups (only their Kubernetes objects are); set velero-dr:velero.defaultVolumesToFsBackup: true to copy every pod volume`,
        );
      }
      return {
        values: withCommon({
          provider: "aws",
          pluginImage: backend.pluginImage,
          bsl: {
            name: BSL_NAME,
            bucket: s.bucket,
            prefix: cfg.storage.prefix,
            accessMode: "ReadWrite",
            config: buildS3CompatBslConfig(s),
          },
        }),
        credentialsFile: s3compatCredentialsFile(),
        outputs: {
          // Everything a destination stack needs to find and read these backups (no secret).
          s3compat: {
            endpoint: s.endpoint,
            region: s.region,
            forcePathStyle: s.forcePathStyle,
            publicUrl: s.publicUrl ?? "",
            ...(s.checksumAlgorithm !== undefined ? { checksumAlgorithm: s.checksumAlgorithm } : {}),
          },
          storage: { bucket: s.bucket, prefix: cfg.storage.prefix ?? "" },
          cluster: {
            apiServer: cluster.apiServer,
            uid: cluster.uid,
            kubernetesVersion: pulumi.output(cluster.kubernetesVersion).apply((v) => v ?? ""),
          },
          identity: { mode: "static-key" },
          alerting: { cloudAlert: "" },
        },
      };
    },
  }),
};
