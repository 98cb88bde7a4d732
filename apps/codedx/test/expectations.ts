import { AppExpectations } from "../../../test/support/app-expectations";

/** What the cross-app tests (test/apps/, test/restore/) expect of Code Dx. */
export const expectations: AppExpectations = {
  examples: {
    source: "example-source-codedx",
    destination: "example-destination-codedx",
    // Code Dx leaves its MariaDB data out and opts volumes into fs-backup.
    sourcePreparation: ["app-fs-backup-annotations", "app-exclude-volumes"],
    runbookLine: "`codedx-restore-db` · repair",
  },
  steps: {
    prefix: "codedx-",
    variants: [{}, { mariadbSlaveReplicas: 3 }],
    own: ["codedx-health", "codedx-restart-db", "codedx-restore-db"],
  },
  badSettings: [
    {
      what: "a misspelt app key",
      stack: "example-source-codedx",
      edits: { "velero-dr:app": '{"relaseName":"codedx"}' },
      expected: /velero-dr:app\.relaseName: unknown key; did you mean "releaseName"\?/,
    },
    {
      what: "a release name that is no DNS label",
      stack: "example-source-codedx",
      edits: { "velero-dr:app": '{"releaseName":"Code_Dx"}' },
      expected: /velero-dr:app\.releaseName: got "Code_Dx"; expected a DNS-1123 label/,
    },
    {
      what: "fs-backup without the node agent",
      stack: "example-source-codedx",
      edits: { "velero-dr:velero": '{"nodeAgent":false}' },
      expected:
        /velero-dr:velero\.nodeAgent: got false, but Code Dx's profile copies volumes file by file by default .*: file-system backup needs the node agent; remove the key/,
    },
  ],
};
