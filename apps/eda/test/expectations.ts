import { AppExpectations } from "../../../test/support/app-expectations";

/** What the cross-app tests (test/apps/, test/restore/) expect of Nokia EDA. */
export const expectations: AppExpectations = {
  examples: {
    source: "example-source-eda",
    destination: "example-destination-eda",
    // EDA checks the running version and mounts its backup claim.
    sourcePreparation: ["app-app-version-check", "app-backup-volume"],
    runbookLine: "`eda-platform-restore` · restore",
  },
  steps: {
    prefix: "eda-",
    variants: [{}],
    own: ["eda-health", "eda-mount-backup", "eda-platform-restore"],
  },
  badSettings: [
    {
      what: "eda without a version on a source",
      stack: "example-source-eda",
      edits: { "velero-dr:app": '{"namespace":"eda-system"}' },
      expected: /velero-dr:app\.version: is required for profile eda on a source stack/,
    },
  ],
};
