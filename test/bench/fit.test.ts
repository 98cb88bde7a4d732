import { strict as assert } from "assert";
import { checkAtMostLinear, checkExactLinear, linearFit, median } from "../../tools/bench/fit";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe("bench statistics", () => {
  it("medians of odd and even counts, unsorted input", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.throws(() => median([]), /no values/);
  });

  it("fits an exact line", () => {
    const f = linearFit([1, 20, 200], [35 + 2, 35 + 40, 35 + 400]);
    close(f.slope, 2);
    close(f.intercept, 35);
    close(f.r2, 1);
    close(f.maxResidual, 0, 1e-9);
  });

  it("treats a constant as a flat line (slope 0, r² 1)", () => {
    const f = linearFit([1, 20, 200], [54, 54, 54]);
    assert.equal(f.slope, 0);
    assert.equal(f.r2, 1);
  });

  it("refuses fits it cannot make", () => {
    assert.throws(() => linearFit([1], [1]), /two points/);
    assert.throws(() => linearFit([2, 2], [1, 3]), /all x are equal/);
    assert.throws(() => linearFit([1, 2], [1]), /differ in length/);
  });

  it("checks counts for exact linearity", () => {
    assert.ok(checkExactLinear([1, 5, 20], [35, 39, 54]).ok);
    assert.equal(checkExactLinear([1, 5, 20], [35, 40, 54]).ok, false);
  });

  it("calls linear growth with a few percent of noise at most linear", () => {
    for (const xs of [
      [1, 20, 200],
      [1, 5, 20],
    ]) {
      const ys = xs.map((x, i) => (250 + 3 * x) * [1.03, 0.97, 1.02][i]);
      const c = checkAtMostLinear(xs, ys);
      assert.ok(c.ok, `${xs}: convexity ${c.convexity} limit ${c.limit}`);
      assert.equal(c.flat, false);
    }
  });

  it("calls quadratic growth faster than linear, although r² is high and residuals small", () => {
    for (const xs of [
      [1, 20, 200],
      [1, 5, 20],
    ]) {
      const ys = xs.map((x) => 100 + x * x);
      const c = checkAtMostLinear(xs, ys);
      assert.ok(c.fit.r2 > 0.95, "r² alone would pass it");
      assert.equal(c.ok, false, `${xs}`);
    }
  });

  it("calls noise without growth flat, and sublinear growth fine", () => {
    const noisy = checkAtMostLinear([1, 20, 200], [800, 770, 812]);
    assert.ok(noisy.ok && noisy.flat);
    assert.ok(checkAtMostLinear([1, 20, 200], [100, 400, 500]).ok);
  });
});
