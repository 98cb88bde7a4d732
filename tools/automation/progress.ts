import type { EngineEvent } from "@pulumi/pulumi/automation";
import { REPORT_MARK } from "../../components/shell/script";
import type { Step } from "../../components/restore/step";

/** What the update showed of one chain step. */
export interface StepOutcome {
  started?: boolean;
  succeeded?: boolean;
  failed?: boolean;
  failedAt?: string;
  /** The engine's error for the step (its first lines). */
  message?: string;
  /** Report marks the step wrote while it ran (the state has none for a step that failed). */
  marks: string[];
}

const STEP_COMMAND = /::restore-([a-z0-9-]+)$/;
const CHAIN_TYPE = "velero-dr:restore:RestoreChain";

/**
 * Turns the engine's events of an update into the operator's progress lines — a step starting, its
 * end with the time it took, Velero's "items restored N/M" — and remembers each step's outcome.
 */
export class Progress {
  readonly outcomes = new Map<string, StepOutcome>();
  private readonly titles: Map<string, string>;
  private readonly startedAt = new Map<string, number>();
  private readonly t0: number;
  private lastProgress = "";

  constructor(
    private readonly io: { say(line: string): void; now(): Date },
    steps: Step[],
  ) {
    this.titles = new Map(steps.map((s) => [s.id, s.title]));
    this.t0 = io.now().getTime();
  }

  /** The chain step a resource URN names, if it is one of this chain's Commands. */
  stepOf(urn: string | undefined): string | undefined {
    if (!urn || !urn.includes(CHAIN_TYPE)) return undefined;
    const id = STEP_COMMAND.exec(urn)?.[1];
    return id && this.titles.has(id) ? id : undefined;
  }

  private outcome(id: string): StepOutcome {
    let o = this.outcomes.get(id);
    if (!o) this.outcomes.set(id, (o = { marks: [] }));
    return o;
  }

  private elapsed(): string {
    const s = Math.round((this.io.now().getTime() - this.t0) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }

  onEvent(e: EngineEvent): void {
    const pre = e.resourcePreEvent;
    if (pre && !pre.planning) {
      const id = this.stepOf(pre.metadata.urn);
      if (id && pre.metadata.op !== "same") {
        this.outcome(id).started = true;
        this.startedAt.set(id, this.io.now().getTime());
        this.io.say(`[${this.elapsed()}] ▶ ${id}: ${this.titles.get(id)}`);
      }
    }
    const out = e.resOutputsEvent;
    if (out && !out.planning) {
      const id = this.stepOf(out.metadata.urn);
      if (id && this.startedAt.has(id)) {
        this.outcome(id).succeeded = true;
        const secs = (this.io.now().getTime() - (this.startedAt.get(id) ?? 0)) / 1000;
        this.io.say(`[${this.elapsed()}] ✔ ${id} (${secs.toFixed(0)} s)`);
      }
    }
    const failed = e.resOpFailedEvent;
    if (failed) {
      const id = this.stepOf(failed.metadata.urn);
      if (id) {
        const o = this.outcome(id);
        o.failed = true;
        o.failedAt = new Date(e.timestamp * 1000).toISOString();
        this.io.say(`[${this.elapsed()}] ✘ ${id} failed`);
      }
    }
    const diag = e.diagnosticEvent;
    if (diag) {
      const id = this.stepOf(diag.urn);
      if (!id) return;
      for (const raw of diag.message.split("\n")) {
        const line = raw.trim();
        if (line.startsWith(`${REPORT_MARK} `)) {
          this.outcome(id).marks.push(line);
        } else if (/items restored \d+\/\d+/.test(line) && line !== this.lastProgress) {
          this.lastProgress = line;
          this.io.say(`[${this.elapsed()}]   ${line}`);
        }
      }
      if (diag.severity === "error") {
        const o = this.outcome(id);
        o.failed = true;
        o.failedAt ??= new Date(e.timestamp * 1000).toISOString();
        o.message ??= diag.message.trim().split("\n").slice(0, 3).join("\n");
      }
    }
  }
}
