import { defineApp } from "../../components/apps/definition";
import { dashChain } from "./chain";
import { dashEnterprise, dashOptions } from "./profile";

/** Plotly Dash Enterprise 5: the reference application (Plotly's Dash Enterprise backup and restore guide). */
export const dashEnterpriseApp = defineApp({
  name: dashEnterprise.name,
  options: dashOptions,
  configure: () => dashEnterprise,
  chain: dashChain,
});
