/**
 * The `velero` CLI of Velero 1.10.3 (the version the program installs), written down as data for
 * the tests to check the runbook's "Velero CLI equivalent" commands against: each command the
 * runbook uses, with every flag it accepts (long names; `-x` shorthands as their long name).
 * Upstream: github.com/vmware-tanzu/velero, tag v1.10.3, pkg/cmd/cli/<group>/<command>.go (each
 * command's BindFlags / Flags() calls), pkg/cmd/util/output/output.go (`output.BindFlags`:
 * -o/--output, --show-labels, -L/--label-columns), pkg/client/factory.go (the global -n/--namespace,
 * --kubeconfig, --kubecontext) and pkg/cmd/velero/velero.go (--features, --colorized). Nothing
 * reads these files at test time.
 */

const OUTPUT = ["output", "show-labels", "label-columns"];

/** Flags every command takes (pkg/client/factory.go and the root command, pkg/cmd/velero/velero.go). */
export const VELERO_1_10_3_GLOBAL_FLAGS: readonly string[] = [
  "namespace",
  "kubeconfig",
  "kubecontext",
  "features",
  "colorized",
];

export const VELERO_1_10_3_SHORTHANDS: Readonly<Record<string, string>> = {
  n: "namespace",
  l: "selector",
  o: "output",
  w: "wait",
  L: "label-columns",
};

/** Commands (`<group> <verb>`) and their own flags. */
export const VELERO_1_10_3_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  // pkg/cmd/cli/backuplocation/get.go
  "backup-location get": ["selector", "default", ...OUTPUT],
  // pkg/cmd/cli/backuplocation/set.go: no access-mode flag (only `backup-location create` has one).
  "backup-location set": ["cacert", "credential", "default"],
  // pkg/cmd/cli/backup/get.go
  "backup get": ["selector", ...OUTPUT],
  // pkg/cmd/cli/backup/describe.go
  "backup describe": ["selector", "details", "insecure-skip-tls-verify", "cacert"],
  // pkg/cmd/cli/restore/create.go: one --selector, no or-selector, no hooks.
  "restore create": [
    "from-backup",
    "from-schedule",
    "include-namespaces",
    "exclude-namespaces",
    "namespace-mappings",
    "labels",
    "include-resources",
    "exclude-resources",
    "existing-resource-policy",
    "status-include-resources",
    "status-exclude-resources",
    "selector",
    "restore-volumes",
    "preserve-nodeports",
    "include-cluster-resources",
    "allow-partially-failed",
    "wait",
    ...OUTPUT,
  ],
  // pkg/cmd/cli/restore/describe.go
  "restore describe": ["selector", "details", "insecure-skip-tls-verify", "cacert"],
  // pkg/cmd/cli/restore/logs.go
  "restore logs": ["timeout", "insecure-skip-tls-verify", "cacert"],
  // pkg/cmd/cli/version/version.go
  version: ["timeout", "client-only"],
};
