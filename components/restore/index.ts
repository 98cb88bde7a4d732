/**
 * Public entry `velero-dr/restore`: the restore chain (buildRestoreChain: the steps, as plain data,
 * for an application; RestoreChain: one Command per step, in order) and the runbook renderer.
 * Importing it registers nothing.
 */
export { buildRestoreChain } from "./chain";
export type { Chain, ChainInput } from "./chain";
export { lastLine, RestoreChain } from "./restore-chain";
export type { ChainView, ExternalWait, RestoreChainArgs } from "./restore-chain";
export { stepScript, validateChain } from "./step";
export type { Gate, Step, StepEnv, StepKind, StepRetry, VeleroCli } from "./step";
export { renderRunbook } from "./runbook";
export type { RunbookMeta } from "./runbook";
