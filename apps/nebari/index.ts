import { defineApp } from "../../components/apps/definition";
import { nebariChain } from "./chain";
import { nebariOptions, nebariProfile } from "./profile";

/**
 * Nebari (its backup and restore RFD): Keycloak's and conda-store's PostgreSQL dumped by hooks,
 * restored in phases.
 */
export const nebariApp = defineApp({
  name: "nebari",
  options: nebariOptions,
  configure: nebariProfile,
  chain: nebariChain,
});
