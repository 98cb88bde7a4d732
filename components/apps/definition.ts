import { z } from "zod";
import { AppChain, ChainSettings, ConfiguredChain } from "./chain";
import { AppProfile } from "../model/profile";

/** A problem with an app option, reported under `velero-dr:app.<key>`. */
export interface AppOptionProblem {
  key: string;
  message: string;
}

export type StackRole = "source" | "destination";

/**
 * An application the program can back up and restore: one folder under apps/ holds all of it.
 * Its options live under `velero-dr:app` (namespaces, release names, whether a database is
 * external, how its restore gates behave, ...), are typed by its own schema, and turn into a
 * profile and the app's part of the restore chain.
 */
export interface AppDefinition<O extends object = object> {
  name: string;
  /** Strict schema of `velero-dr:app`, with defaults; `{}` must parse. */
  options: z.ZodType<O, unknown>;
  configure(options: O): AppProfile;
  /** Cross-field or role-specific requirements (e.g. the version a source stack must record). */
  check?(options: O, role: StackRole): AppOptionProblem[];
  /** The app's own steps of the restore chain, built from its options. */
  chain: AppChain<O>;
}

export function defineApp<O extends object>(d: AppDefinition<O>): AppDefinition<O> {
  return d;
}

/** The registry's view of an app: whatever its option type, its options come from its own schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApp = AppDefinition<any>;

/** The applications a program knows, by config name (`velero-dr:profile`). */
export type AppRegistry = Readonly<Record<string, AnyApp>>;

/**
 * An application with its options parsed: the profile, and its chain bound to those options, so
 * nothing downstream handles an app's options without its type.
 */
export interface ConfiguredApp {
  name: string;
  profile: AppProfile;
  chain: ConfiguredChain;
}

export function configureApp<O extends object>(def: AppDefinition<O>, options: O): ConfiguredApp {
  const profile = def.configure(options);
  const ctx = (s: ChainSettings) => ({ ...s, profile, options });
  return {
    name: def.name,
    profile,
    chain: {
      afterPhase: (phaseId, after, s) => def.chain.afterPhase(phaseId, after, ctx(s)),
      afterDns: (after, s) => def.chain.afterDns(after, ctx(s)),
      env: (s) => def.chain.env(ctx(s)),
    },
  };
}

/** An app configured with its default options (`velero-dr:app` empty). */
export function withDefaults(def: AnyApp): ConfiguredApp {
  return configureApp(def, def.options.parse({}));
}
