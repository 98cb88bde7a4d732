import { defineApp } from "../../components/apps/definition";
import { codedxChain } from "./chain";
import { codedxOptions, codedxProfile } from "./profile";

/**
 * Code Dx (its Kubernetes Backup & Restore Procedure): MariaDB backed up by the vendor's own hook,
 * restored with mariabackup.
 */
export const codedxApp = defineApp({
  name: "codedx",
  options: codedxOptions,
  configure: codedxProfile,
  chain: codedxChain,
});
