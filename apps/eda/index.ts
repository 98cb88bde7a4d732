import { defineApp } from "../../components/apps/definition";
import { edaChain } from "./chain";
import { edaCheck, edaOptions, edaProfile } from "./profile";

/**
 * Nokia EDA (its backup and restore documentation): `edactl platform backup` carried on a claim,
 * restored by `edactl platform restore`.
 */
export const edaApp = defineApp({
  name: "eda",
  options: edaOptions,
  configure: edaProfile,
  check: edaCheck,
  chain: edaChain,
});
