import { strict as assert } from "assert";
import {
  cronIntervalsSeconds,
  cronMaxIntervalSeconds,
  cronMaxIntervalSecondsByIteration,
  cronMinIntervalSecondsByIteration,
} from "../../components/config/cron";

/**
 * The longest gap between two runs of a schedule (alerting's period) is computed by walking the
 * calendar with the parsed fields; cron-parser's iterator is the reference. They must agree on
 * every expression, including the day-of-month OR day-of-week rule, the 20,000-run cap for
 * frequent schedules, and the cases the walk leaves to the iterator.
 */

/** A small deterministic generator, so a failure names an expression that can be rerun. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

function randomExpressions(count: number, seed: number): string[] {
  const r = lcg(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const field = (lo: number, hi: number): string => {
    const k = r();
    if (k < 0.3) return "*";
    if (k < 0.45) return `*/${pick(2, Math.max(2, Math.floor((hi - lo) / 2)))}`;
    if (k < 0.7) return String(pick(lo, hi));
    if (k < 0.85) {
      const a = pick(lo, hi);
      return `${a}-${pick(a, hi)}`;
    }
    return [...new Set(Array.from({ length: pick(2, 4) }, () => pick(lo, hi)))].join(",");
  };
  return Array.from({ length: count }, () =>
    [
      // Minutes and hours from short lists mostly, so the iterator (the slow reference) stays quick.
      r() < 0.8 ? String(pick(0, 59)) : field(0, 59),
      r() < 0.5 ? String(pick(0, 23)) : field(0, 23),
      r() < 0.6 ? "*" : field(1, 31),
      r() < 0.7 ? "*" : field(1, 12),
      r() < 0.6 ? "*" : field(0, 6),
    ].join(" "),
  );
}

const FROM = [new Date(Date.UTC(2030, 0, 1)), new Date(Date.UTC(2032, 1, 28, 23, 59, 30))];

const HAND_PICKED = [
  "0 0 * * *",
  "*/5 * * * *",
  "* * * * *", // capped at 20,000 runs
  "* * * 12 *", // every minute in December: the cap ends the walk inside December
  "30 2 * * 1-5",
  "0 9-17 * * MON-FRI",
  "0 3 1 * *",
  "0 0 1 1 *",
  "0 0 31 * *",
  "0 0 29 2 *", // leap days only: the next run is years away, left to the iterator
  "0 0 1,15 * 1", // day of month OR day of week
  "0 0 13 * 5",
  "0 12 * * 0",
  "0 0 * * 6,0",
  "15 */6 * * *",
  "0 0 * JAN,JUL *",
  "0 0 30 2,4 *",
];

function outcome(f: () => number): string {
  try {
    return String(f());
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

describe("cron: longest interval between runs", () => {
  it("agrees with cron-parser's iterator on hand-picked expressions", function () {
    this.timeout(120000);
    for (const e of HAND_PICKED) {
      for (const from of FROM) {
        assert.equal(
          outcome(() => cronMaxIntervalSeconds(e, from)),
          outcome(() => cronMaxIntervalSecondsByIteration(e, from)),
          `${e} from ${from.toISOString()}`,
        );
      }
    }
  });

  it("agrees with cron-parser's iterator on generated expressions", function () {
    this.timeout(120000);
    for (const e of randomExpressions(60, 7)) {
      assert.equal(
        outcome(() => cronMaxIntervalSeconds(e, FROM[0])),
        outcome(() => cronMaxIntervalSecondsByIteration(e, FROM[0])),
        e,
      );
    }
  });

  it("the shortest interval (the schedule floor's) agrees with the iterator too", function () {
    this.timeout(120000);
    for (const e of [...HAND_PICKED, ...randomExpressions(30, 11)]) {
      assert.equal(
        outcome(() => cronIntervalsSeconds(e, FROM[0]).min),
        outcome(() => cronMinIntervalSecondsByIteration(e, FROM[0])),
        e,
      );
    }
    assert.deepEqual(cronIntervalsSeconds("0,30 2 * * *"), { min: 1800, max: 84600 });
    assert.deepEqual(cronIntervalsSeconds("0 9-17 * * MON-FRI"), { min: 3600, max: 2 * 86400 + 16 * 3600 });
    assert.deepEqual(cronIntervalsSeconds("@every 6h"), { min: 21600, max: 21600 });
  });

  it("gives the expected periods for the usual schedules", () => {
    assert.equal(cronMaxIntervalSeconds("0 0 * * *"), 86400);
    assert.equal(cronMaxIntervalSeconds("0 * * * *"), 3600);
    assert.equal(cronMaxIntervalSeconds("30 2 * * 1-5"), 3 * 86400);
    assert.equal(cronMaxIntervalSeconds("0 0 1 * *"), 31 * 86400);
    assert.equal(cronMaxIntervalSeconds("@daily"), 86400);
    assert.equal(cronMaxIntervalSeconds("@every 6h"), 6 * 3600);
  });
});
