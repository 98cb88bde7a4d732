import { lazyRecord } from "../../apps/lazy-record";
import { AppChain } from "./app-chain";

export * from "./app-chain";

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use: a stack loads only its app's chain */
/** Post-restore steps by profile `restore.chain`, each module loaded when its entry is first read. */
export const appChains: Readonly<Record<string, AppChain>> = lazyRecord({
  "dash-enterprise": () => (require("./dash-enterprise") as typeof import("./dash-enterprise")).dashChain,
  codedx: () => (require("./codedx") as typeof import("./codedx")).codedxChain,
  nebari: () => (require("./nebari") as typeof import("./nebari")).nebariChain,
  eda: () => (require("./eda") as typeof import("./eda")).edaChain,
});
/* eslint-enable @typescript-eslint/no-require-imports */
