import { scriptBody } from "../shell/body";
import { Step } from "../model/step";
import { WAIT_LB } from "./provider";

// The DNS steps themselves come from the provider (providers.ts); their ids stay these.
export { DNS_PUBLISH, DNS_RECORDS, DNS_UNPUBLISH, WAIT_LB } from "./provider";

export function waitLoadBalancerStep(needs: string[], timeoutSeconds: number): Step {
  return {
    id: WAIT_LB,
    title: "Wait for the load balancer address",
    why: "The restored ingress Service gets a new external address in the new cluster; DNS must point there.",
    kind: "wait",
    script: {
      kubeconfig: true,
      env: ["LB_NAMESPACE", "LB_SERVICE", "LB_TIMEOUT_SECONDS"],
      body: scriptBody("wait-load-balancer"),
    },
    needs,
    timeoutSeconds,
    retry: { attempts: 1, delaySeconds: 0 },
    produces: "LB_ADDRESS",
    expected: "Prints the new load balancer address.",
  };
}
