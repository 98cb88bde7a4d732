import { Policies } from "@pulumi/policy";
import { destinationPolicies } from "./destination";
import { destinationAwsPolicies } from "./destination-aws";
import { identityPolicies } from "./identity";
import { schedulePolicies } from "./schedules";
import { storagePolicies } from "./storage";
import { veleroPolicies } from "./velero";

/**
 * Every policy of the pack, in one list: policies/index.ts serves it, and the tests run exactly
 * this list (they must never import index.ts, which starts the pack's gRPC server).
 */
export const allPolicies: Policies = [
  ...storagePolicies,
  ...identityPolicies,
  ...veleroPolicies,
  ...schedulePolicies,
  ...destinationPolicies,
  ...destinationAwsPolicies,
];
