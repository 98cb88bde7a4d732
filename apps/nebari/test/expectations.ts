import { AppExpectations } from "../../../test/support/app-expectations";

/** What the cross-app tests (test/apps/, test/restore/) expect of Nebari. */
export const expectations: AppExpectations = {
  examples: {
    source: "example-source-nebari",
    destination: "example-destination-nebari",
    // The profile's default: its three volumes opted into file-system backup.
    sourcePreparation: ["app-fs-backup-annotations"],
    runbookLine: "`nebari-keycloak-verify` · verify",
  },
  steps: {
    prefix: "nebari-",
    variants: [{}],
    own: [
      "nebari-conda-store-restore",
      "nebari-conda-store-verify",
      "nebari-health",
      "nebari-keycloak-restore",
      "nebari-keycloak-verify",
      "nebari-nfs-verify",
    ],
  },
};
