import { AppDefinition, configureApp, ConfiguredApp } from "../../components/apps/definition";
import { AppProfile } from "../../components/model/profile";
import { LocalCluster } from "../lib/kube";
import { PodVolumes } from "../lib/volumes";
import { Check } from "./check";

/** What an application's drill fixture gets to work with. */
export interface AppDrillContext {
  workDir: string;
  volumes: PodVolumes;
  /** Directory of the drill toolchain (kubectl, ...). */
  bin: string;
  log: (line: string) => void;
  /** The Velero CLI against a cluster's Velero (its standard output): `restore logs`, `backup describe`, ... */
  veleroCli: (c: LocalCluster, args: string[]) => string;
}

/**
 * One application in the local drill: its fixture on the source (objects, the local servers and
 * data its hooks dump, exec targets for its pods), what an operator has in place on a destination
 * before the chain runs, and what must hold once the chain is done. The drill itself (Velero,
 * schedules, backup, carrying volumes, the chain) is the same for every app (app-scenario.ts).
 */
export interface AppDrill {
  /** The app's config name (velero-dr:profile). */
  app: string;
  /** The app's definition (what the drill's destination config is validated against). */
  definition: AppDefinition<object>;
  /** The app's settings (velero-dr:app) as the drill's destination stack file holds them. */
  appConfig: Record<string, unknown>;
  /** Those settings as the app's schema resolves them. */
  options: object;
  /** The app configured from those options (its profile and its restore steps). */
  configured: ConfiguredApp;
  profile: AppProfile;
  /** The app's DNS name (its A record is moved to the new load balancer). */
  baseDomain: string;
  /** Local servers the hooks and steps talk to (databases); started before the source. */
  startServers(ctx: AppDrillContext): Promise<void>;
  /** The app on the source cluster, with its data; returns when its pods run and exec works. */
  installSource(c: LocalCluster, ctx: AppDrillContext): Promise<void>;
  /** Called once the source stack's preparation scripts ran (they may roll the app's pods). */
  sourcePrepared?(c: LocalCluster, ctx: AppDrillContext): Promise<void>;
  /** What must be in place on a new destination before the chain (exec targets, an operator's install). */
  prepareDestination(c: LocalCluster, ctx: AppDrillContext): Promise<void>;
  /** The app's own checks after a successful chain. */
  checks(c: LocalCluster, ctx: AppDrillContext): Promise<Check[]>;
  /** Before a cluster stops (the source lost, a destination done): stop what follows its pods. */
  clusterStopping?(c: LocalCluster): Promise<void>;
  /** Waits until a Job's pod may run its command (JobRunner's `before`). */
  beforeJob?(c: LocalCluster, pod: any): Promise<void>;
  stopServers(): Promise<void>;
}

/**
 * What every app's drill fixture starts with: the app's definition and its `velero-dr:app`
 * settings (as the drill's destination stack file holds them), the options its schema resolves
 * from them, the configured app and its profile, its DNS name.
 */
export abstract class AppDrillBase<O extends object> {
  readonly app: string;
  readonly options: O;
  readonly configured: ConfiguredApp;
  readonly profile: AppProfile;

  constructor(
    readonly definition: AppDefinition<O>,
    readonly appConfig: Record<string, unknown>,
    readonly baseDomain: string,
  ) {
    this.app = definition.name;
    this.options = definition.options.parse(appConfig) as O;
    this.configured = configureApp(definition, this.options);
    this.profile = this.configured.profile;
  }
}
