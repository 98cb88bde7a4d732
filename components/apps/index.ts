import { AppDefinition } from "./definition";
import { AppProfile } from "./profile";
import { codedxApp } from "./codedx";
import { dashEnterpriseApp } from "./dash-enterprise";
import { edaApp } from "./eda";
import { nebariApp } from "./nebari";

export * from "./profile";
export * from "./definition";

/**
 * Every application the program knows, by config name (`velero-dr:profile`). Each has its own
 * option type; the registry only hands options its own schema parsed back to the same app.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const apps: Readonly<Record<string, AppDefinition<any>>> = {
  [dashEnterpriseApp.name]: dashEnterpriseApp,
  [codedxApp.name]: codedxApp,
  [nebariApp.name]: nebariApp,
  [edaApp.name]: edaApp,
};

/** Each app's profile with its default options. */
export const profiles: Readonly<Record<string, AppProfile>> = Object.fromEntries(
  Object.values(apps).map((a) => [a.name, a.configure(a.options.parse({}))]),
);

export function profileNames(): string[] {
  return Object.keys(apps).sort();
}
