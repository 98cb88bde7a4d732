import { apps } from "../../apps";
import { configureApp, ConfiguredApp } from "../../components/apps/definition";

/** An app of the registry configured from `velero-dr:app` options, as a stack would configure it. */
export function configured(name: string, options: Record<string, unknown> = {}): ConfiguredApp {
  const def = apps[name];
  return configureApp(def, def.options.parse(options));
}
