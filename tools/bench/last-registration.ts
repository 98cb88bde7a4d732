import { performance } from "perf_hooks";

/** The harness's Recorder class, as far as timing needs it (structural: the harness is not imported here). */
interface RecorderClass {
  prototype: object;
}

interface Mocks {
  newResource: (args: never) => unknown;
}

const lastSeen = { at: 0 };

/**
 * Makes every Recorder the harness creates note when its mocks saw a registration, and returns a
 * getter of the latest one (milliseconds since process start, as performance.now()).
 */
export function trackLastRegistration(recorder: RecorderClass): () => number {
  const proto = recorder.prototype as { mocks: (this: unknown) => Mocks; __vdrBench?: boolean };
  if (!proto.__vdrBench) {
    const original = proto.mocks;
    proto.mocks = function (this: unknown): Mocks {
      const m = original.call(this);
      return {
        ...m,
        newResource: (a: never) => {
          const r = m.newResource(a);
          lastSeen.at = performance.now();
          return r;
        },
      };
    };
    proto.__vdrBench = true;
  }
  return () => lastSeen.at;
}
