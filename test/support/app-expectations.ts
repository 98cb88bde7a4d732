import { existsSync } from "fs";
import * as path from "path";
import { apps } from "../../apps";
import { APPS_DIR } from "../../components/config/example-stacks";

/**
 * What the cross-app tests expect of each app, kept in the app's folder
 * (`apps/<app>/test/expectations.ts`, exporting `expectations`); an app without that file is left
 * out of those tests. Keyed by the registry (apps/index.ts): the generic tests name no app.
 */
export interface AppExpectations {
  /** The app's example pair, run under mocks and the policy pack, and its runbook. */
  examples?: {
    source: string;
    destination: string;
    /** The source preparation Commands the source example registers (their resource names), in order. */
    sourcePreparation: string[];
    /** Text only this app's runbook has (its own steps are in it). */
    runbookLine: string;
  };
  /** The app's own restore steps (ids starting with `prefix`), over chains built from these option sets. */
  steps?: { prefix: string; variants: Record<string, unknown>[]; own: string[] };
  /** Bad `velero-dr:app` settings on one of the app's examples, and the message each must fail with. */
  badSettings?: { what: string; stack: string; edits: Record<string, string>; expected: RegExp }[];
}

/** The expectations of every registered app that has some, by the app's config name. */
export function appExpectations(): [string, AppExpectations][] {
  const out: [string, AppExpectations][] = [];
  for (const name of Object.keys(apps)) {
    const file = path.join(APPS_DIR, name, "test", "expectations.ts");
    if (!existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    out.push([name, (require(file) as { expectations: AppExpectations }).expectations]);
  }
  return out;
}

/** The folder of an app's tests (snapshots live there too). */
export function appTestDir(name: string): string {
  return path.join(APPS_DIR, name, "test");
}
