/**
 * Public entry `velero-dr/apps`: the application framework (an application's definition, its
 * profile and chain types) and the preparation of its workloads for backup (buildPreparation, the
 * AppPreparation component). The built-in applications are `velero-dr/profiles`. Importing it
 * registers nothing.
 */
export { configureApp, defineApp, withDefaults } from "./definition";
export type { AnyApp, AppDefinition, AppRegistry, ConfiguredApp, StackRole } from "./definition";
export type { AppChain, AppChainContext, ChainSettings } from "./chain";
export { AppPreparation } from "./app-preparation";
export type { AppPreparationArgs } from "./app-preparation";
export { buildPreparation } from "./preparation";
export type { PreparationStep } from "./preparation";
export type { AppProfile, ProfileSchedule, RestoreRequirements } from "../model/profile";
