import { z } from "zod";
import { AppProfile } from "./profile";

/** A problem with an app option, reported under `velero-dr:app.<key>`. */
export interface AppOptionProblem {
  key: string;
  message: string;
}

/**
 * An application the program can back up and restore. Its options live under `velero-dr:app`
 * (namespaces, release names, whether a database is external, ...) and turn into a profile.
 */
export interface AppDefinition<O extends object = object> {
  name: string;
  /** Strict schema of `velero-dr:app`, with defaults; `{}` must parse. */
  options: z.ZodType<O, unknown>;
  configure(options: O): AppProfile;
  /** Cross-field or role-specific requirements (e.g. the version a source stack must record). */
  check?(options: O, role: "source" | "destination"): AppOptionProblem[];
}

export function defineApp<O extends object>(d: AppDefinition<O>): AppDefinition<O> {
  return d;
}
