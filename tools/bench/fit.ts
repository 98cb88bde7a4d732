/** Small statistics for the benchmark: medians and least-squares lines, as pure functions. */

export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error("median of no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination (1 when every point is on the line; 1 too when y is constant). */
  r2: number;
  /** Largest |y - fitted y|. */
  maxResidual: number;
}

/** Ordinary least squares y = slope * x + intercept. */
export function linearFit(xs: number[], ys: number[]): LinearFit {
  if (xs.length !== ys.length) throw new Error("linearFit: x and y differ in length");
  if (xs.length < 2) throw new Error("linearFit: needs at least two points");
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0) throw new Error("linearFit: all x are equal");
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const residuals = xs.map((x, i) => ys[i] - (slope * x + intercept));
  const sse = residuals.reduce((a, r) => a + r * r, 0);
  return {
    slope,
    intercept,
    r2: syy === 0 ? 1 : 1 - sse / syy,
    maxResidual: Math.max(...residuals.map(Math.abs)),
  };
}

export interface ExactLinearity {
  fit: LinearFit;
  ok: boolean;
}

/** Counts (resources): linear when every point is on the least-squares line within `tolerance`. */
export function checkExactLinear(xs: number[], ys: number[], tolerance = 0.5): ExactLinearity {
  const fit = linearFit(xs, ys);
  return { fit, ok: fit.maxResidual <= tolerance };
}

export interface GrowthCheck {
  fit: LinearFit;
  ok: boolean;
  /** y grew by less than `flat` of its smallest value: no measurable growth (noise only). */
  flat: boolean;
  /**
   * How far the inner points lie below the chord from the first to the last point, as a share of
   * the growth; 0 for a line, positive for a convex (faster than linear) curve.
   */
  convexity: number;
  /** The limit: half the convexity y = x² has at the same xs. */
  limit: number;
}

/**
 * Measured times: at most linear growth. A least-squares fit cannot tell: over x = 1, 20, 200
 * (orders of magnitude apart) even y = x² stays within 5% of its best line and has r² > 0.95.
 * Instead, an inner point must not lie below the chord between the end points by more than half
 * as much (as a share of the growth) as it would for y = x² — what a quadratic term does — and
 * not by more than timing noise either: `flat` of the smallest value (a few percent on 2 shared
 * cores). Growth smaller than that noise counts as none.
 */
export function checkAtMostLinear(xs: number[], ys: number[], flat = 0.1): GrowthCheck {
  const fit = linearFit(xs, ys);
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const [first, last] = [order[0], order[order.length - 1]];
  /** Largest distance of an inner point below the chord, absolute and as a share of the growth. */
  const below = (y: (i: number) => number) => {
    const growth = y(last) - y(first);
    let worst = 0;
    for (const i of order.slice(1, -1)) {
      const chord = y(first) + (growth * (xs[i] - xs[first])) / (xs[last] - xs[first]);
      worst = Math.max(worst, chord - y(i));
    }
    return { absolute: worst, share: growth > 0 ? worst / growth : 0, growth };
  };
  const measured = below((i) => ys[i]);
  const limit = below((i) => xs[i] * xs[i]).share / 2;
  const noise = flat * Math.min(...ys.map(Math.abs));
  const isFlat = Math.max(...ys) - Math.min(...ys) < noise;
  const ok = isFlat || measured.absolute <= Math.max(limit * measured.growth, noise);
  return { fit, ok, flat: isFlat, convexity: measured.share, limit };
}
