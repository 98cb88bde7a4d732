/**
 * The package's main entry (`velero-dr`): every component area at once. A program that needs one
 * area imports its subpath (`velero-dr/velero`, `velero-dr/storage`, ...), which loads only that
 * area's cloud SDK modules. Importing any of them registers no resource and reads no config.
 */
export * from "./apps";
export * from "./cluster";
export * from "./config";
export * from "./dns";
export * from "./identity";
export * from "./monitoring";
export * from "./restore";
export * from "./storage";
export * from "./velero";
