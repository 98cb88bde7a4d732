import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./rules/all";

// Constructing the pack starts its gRPC server: only the Pulumi CLI runs this file, never a test.
new PolicyPack("velero-dr", {
  description: "Safety rules for Velero backup and disaster recovery stacks (velero-dr).",
  displayName: "velero-dr",
  tags: ["velero", "backup", "disaster-recovery"],
  policies: allPolicies,
});
