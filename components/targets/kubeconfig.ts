import * as pulumi from "@pulumi/pulumi";
import { apiServerOf } from "../cluster/kubeconfig";
import { accessTarget, clusterAccess } from "./access";
import { shellQuote } from "../shell/script";
import { ClusterTarget } from "./target";

/** Any cluster, reached with the kubeconfig in the secret `velero-dr:kubeconfig`. */
export const kubeconfig: ClusterTarget<"kubeconfig"> = {
  name: "kubeconfig",
  cloudKeys: [],
  path: ["kubeconfig"],
  chosen: (c) => c.kubeconfig !== undefined,
  hint: "a kubeconfig with `pulumi config set --secret velero-dr:kubeconfig < file`",
  short: "kubeconfig",
  choice: "a kubeconfig secret",
  checkResolved: (c, source, redacted) => {
    if (c.kubeconfig === undefined || redacted.includes("kubeconfig")) return [];
    let server: string;
    try {
      server = apiServerOf(c.kubeconfig);
    } catch (e) {
      // The content is secret: say what is wrong without echoing it.
      return [
        `velero-dr:kubeconfig: is not a usable kubeconfig (${(e as Error).message.split("\n")[0]}); set it from a file with \`pulumi config set --secret velero-dr:kubeconfig < kubeconfig.yaml\``,
      ];
    }
    return source && server === source.apiServer
      ? [
          `velero-dr:kubeconfig: points at the source cluster (${server}); restoring into the cluster a backup came from is not supported — use a new cluster`,
        ]
      : [];
  },
  describe: (ctx) => {
    const nodes = ctx.cluster.nodeResourceGroup;
    return {
      summary:
        "An existing cluster, reached with the kubeconfig in the secret `velero-dr:kubeconfig` (never shown): the stack changes nothing of the cluster itself. The guard (step 1) refuses it if it is the source cluster:",
      rows: [
        ["Kubeconfig", "the secret `velero-dr:kubeconfig`"],
        ...(nodes
          ? [
              ["Node resource group", `\`${nodes}\` (Velero creates the restored disks here)`] as [
                string,
                string,
              ],
            ]
          : []),
      ],
      commands: [
        `(umask 077 && pulumi config get --stack ${shellQuote(ctx.stack)} velero-dr:kubeconfig >"$KUBECONFIG")`,
      ],
      ...(nodes ? { nodeResourceGroup: nodes } : {}),
    };
  },
  open: (ctx) =>
    accessTarget(
      new (clusterAccess().ClusterAccess)("cluster", {
        aks: undefined,
        kubeconfig: new pulumi.Config().requireSecret("kubeconfig"),
        nodeResourceGroup: ctx.cluster.nodeResourceGroup,
      }),
    ),
};
