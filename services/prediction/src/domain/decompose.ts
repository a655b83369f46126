// Multi-seasonal decomposition (MSTL-like, with moving averages instead of LOESS, so it costs O(n) per
// season): y = trend + daily season + weekly season + remainder. The seasonal profiles are robust
// (trimmed) means over the last few cycles, smoothed across neighbouring phases; the forecast repeats
// them on top of a model of the seasonally adjusted series (the "trend model on the remainder").

export interface Decomposition {
  /** One profile per period, indexed by absolute phase `t mod period`, each summing to zero. */
  profiles: Float64Array[];
  periods: number[];
  /** y minus every seasonal profile. */
  adjusted: Float64Array;
}

/** Centred moving average of odd width `w` (shrinking at the ends), via prefix sums. */
export function movingAverage(y: ArrayLike<number>, w: number): Float64Array {
  const n = y.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i += 1) prefix[i + 1] = prefix[i]! + y[i]!;
  const half = Math.floor(w / 2);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = (prefix[b]! - prefix[a]!) / (b - a);
  }
  return out;
}

/**
 * Seasonal profile of `x` for `period`: per absolute phase, the mean of its last `cycles` values with the
 * largest and smallest dropped when there are four or more (a trimmed mean: robust to one odd day), then
 * smoothed circularly over `2·smooth + 1` phases and centred to sum to zero.
 */
export function seasonalProfile(x: ArrayLike<number>, period: number, cycles: number, smooth: number): Float64Array {
  const n = x.length;
  const k = Math.max(1, Math.min(cycles, Math.floor(n / period)));
  const raw = new Float64Array(period);
  for (let p = 0; p < period; p += 1) {
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let c = 0;
    for (let t = n - 1 - ((((n - 1 - p) % period) + period) % period); t >= 0 && c < k; t -= period) {
      const v = x[t]!;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      c += 1;
    }
    raw[p] = c >= 3 ? (sum - lo - hi) / (c - 2) : c > 0 ? sum / c : 0;
  }
  const out = new Float64Array(period);
  let mean = 0;
  for (let p = 0; p < period; p += 1) {
    let s = 0;
    for (let j = -smooth; j <= smooth; j += 1) s += raw[(p + j + period * 4) % period]!;
    out[p] = s / (2 * smooth + 1);
    mean += out[p]!;
  }
  mean /= period;
  for (let p = 0; p < period; p += 1) out[p] = out[p]! - mean;
  return out;
}

/**
 * Decomposes `y` with the given periods (ascending; each should divide the next). Two passes: the trend
 * is a moving average over the longest full period, each profile is estimated from the series minus the
 * trend and the other profiles.
 */
export function decompose(y: ArrayLike<number>, periods: number[], cycles: number[], smooth: number): Decomposition {
  const n = y.length;
  const profiles: Float64Array[] = periods.map((p) => new Float64Array(p));
  // The trend window spans the longest period, so no seasonal wave (a weekend dip included) leaks into it.
  const longest = periods.length > 0 ? Math.min(periods[periods.length - 1]!, n) : 1;
  const trend = movingAverage(y, longest % 2 === 0 ? longest + 1 : longest);
  const detrended = new Float64Array(n);
  for (let t = 0; t < n; t += 1) detrended[t] = y[t]! - trend[t]!;
  const work = new Float64Array(n);
  for (let pass = 0; pass < 2; pass += 1) {
    for (let i = 0; i < periods.length; i += 1) {
      const period = periods[i]!;
      for (let t = 0; t < n; t += 1) {
        let v = detrended[t]!;
        for (let j = 0; j < periods.length; j += 1) if (j !== i) v -= profiles[j]![t % periods[j]!]!;
        work[t] = v;
      }
      profiles[i] = seasonalProfile(work, period, cycles[i]!, smooth);
    }
  }
  const adjusted = new Float64Array(n);
  for (let t = 0; t < n; t += 1) {
    let v = y[t]!;
    for (let j = 0; j < periods.length; j += 1) v -= profiles[j]![t % periods[j]!]!;
    adjusted[t] = v;
  }
  return { profiles, periods, adjusted };
}

/** The seasonal part of step `t` (absolute index). */
export function seasonalAt(d: Decomposition, t: number): number {
  let v = 0;
  for (let j = 0; j < d.periods.length; j += 1) v += d.profiles[j]![t % d.periods[j]!]!;
  return v;
}
