import { AppChain } from "./app-chain";
import { codedxChain } from "./codedx";
import { dashChain } from "./dash-enterprise";
import { edaChain } from "./eda";
import { nebariChain } from "./nebari";

export * from "./app-chain";

/** Post-restore steps by profile `restore.chain`. */
export const appChains: Readonly<Record<string, AppChain>> = {
  "dash-enterprise": dashChain,
  codedx: codedxChain,
  nebari: nebariChain,
  eda: edaChain,
};
