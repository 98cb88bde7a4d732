import { AppDefinition } from "./definition";
import { AppProfile } from "./profile";
import { lazyRecord } from "./lazy-record";

export * from "./profile";
export * from "./definition";

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use: a stack loads only its app */
/**
 * Every application the program knows, by config name (`velero-dr:profile`). Each has its own
 * option type; the registry only hands options its own schema parsed back to the same app.
 * An app's module is loaded when its entry is first read.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const apps: Readonly<Record<string, AppDefinition<any>>> = lazyRecord<AppDefinition<any>>({
  "dash-enterprise": () =>
    (require("./dash-enterprise") as typeof import("./dash-enterprise")).dashEnterpriseApp,
  codedx: () => (require("./codedx") as typeof import("./codedx")).codedxApp,
  nebari: () => (require("./nebari") as typeof import("./nebari")).nebariApp,
  eda: () => (require("./eda") as typeof import("./eda")).edaApp,
});
/* eslint-enable @typescript-eslint/no-require-imports */

/** Each app's profile with its default options (configured when first read). */
export const profiles: Readonly<Record<string, AppProfile>> = lazyRecord(
  Object.fromEntries(
    Object.keys(apps).map((name) => [
      name,
      () => {
        const a = apps[name];
        return a.configure(a.options.parse({}));
      },
    ]),
  ),
);

export function profileNames(): string[] {
  return Object.keys(apps).sort();
}
