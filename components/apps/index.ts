import { AppProfile } from "./profile";
import { dashEnterprise } from "./dash-enterprise";

export * from "./profile";

/** Every profile the program knows, by config name. */
export const profiles: Readonly<Record<string, AppProfile>> = {
  [dashEnterprise.name]: dashEnterprise,
};

export function profileNames(): string[] {
  return Object.keys(profiles).sort();
}
