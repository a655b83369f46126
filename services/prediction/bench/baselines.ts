// The protocol's baselines, written straight from their definitions (not through the domain code), so
// that the engine under test and its yardsticks share nothing.
//
// Point forecasts:
// - seasonal naive (daily): repeats the last `d` steps before the origin; (weekly): the last `7d`.
// - Prometheus `predict_linear(v[6h], Δ)`: ordinary least squares over the samples of the 6 h range
//   that ends at the origin, extrapolated to each target time.
// - Prometheus `double_exponential_smoothing(v[6h], 0.3, 0.1)`: Holt's level and trend as the Prometheus
//   source computes them (the first trend is the first difference; the result is the smoothed level
//   only), held flat over the horizon.
// Intervals (the protocol scores q0.1/q0.9 for every model, and none of these has its own): the model's
// own errors on the last `H` training steps, forecast from `H` steps earlier (split conformal with one
// calibration origin): q = point + empirical q-quantile of those errors.
import type { WindowForecast } from './scoring';

const HOUR_SECONDS = 3600;

export type PointModel = (train: Float64Array, steps: number, stepSeconds: number, daySteps: number) => Float64Array | undefined;

/** Fills gaps: a day back when that exists (already filled), else the last valid value; leading gaps take the first valid. */
export function fillBaseline(values: ArrayLike<number>, daySteps: number): Float64Array {
  const out = new Float64Array(values.length);
  let firstValid = Number.NaN;
  for (let i = 0; i < values.length; i += 1) {
    if (Number.isFinite(values[i]!)) {
      firstValid = values[i]!;
      break;
    }
  }
  let last = firstValid;
  for (let t = 0; t < values.length; t += 1) {
    const v = values[t]!;
    if (Number.isFinite(v)) {
      out[t] = v;
      last = v;
    } else out[t] = t >= daySteps ? out[t - daySteps]! : last;
  }
  return out;
}

export function seasonalNaive(periodDays: number): PointModel {
  return (train, steps, _stepSeconds, daySteps) => {
    const season = periodDays * daySteps;
    if (train.length < season) return undefined;
    const y = fillBaseline(train, daySteps);
    const out = new Float64Array(steps);
    const base = y.length - season;
    for (let h = 0; h < steps; h += 1) out[h] = y[base + (h % season)]!;
    return out;
  };
}

/** `predict_linear(v[6h], Δ)`: the range holds the samples at times in (origin − 6 h, origin). */
export const predictLinear: PointModel = (train, steps, stepSeconds) => {
  const rangeSteps = Math.floor((6 * HOUR_SECONDS) / stepSeconds);
  const n = train.length;
  let sx = 0;
  let sy = 0;
  let count = 0;
  const from = Math.max(0, n - rangeSteps + 1);
  for (let t = from; t < n; t += 1) {
    if (!Number.isFinite(train[t]!)) continue;
    sx += t;
    sy += train[t]!;
    count += 1;
  }
  if (count === 0) return undefined;
  const mx = sx / count;
  const my = sy / count;
  let sxx = 0;
  let sxy = 0;
  for (let t = from; t < n; t += 1) {
    if (!Number.isFinite(train[t]!)) continue;
    sxx += (t - mx) ** 2;
    sxy += (t - mx) * (train[t]! - my);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const out = new Float64Array(steps);
  for (let h = 0; h < steps; h += 1) out[h] = my + slope * (n + h - mx);
  return out;
};

/** Holt's smoothed level as promql/functions.go computes it (`double_exponential_smoothing`, formerly
 * `holt_winters`): the first trend is the first difference, and only the level is returned. */
export function prometheusHolt(samples: readonly number[], sf: number, tf: number): number | undefined {
  if (samples.length < 2) return undefined; // Prometheus returns nothing for fewer than two samples
  let s0 = 0;
  let s1 = samples[0]!;
  let b = samples[1]! - samples[0]!;
  for (let i = 1; i < samples.length; i += 1) {
    const x = sf * samples[i]!;
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b; // calcTrendValue(i-1, …): unchanged at i-1 = 0
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

/** `double_exponential_smoothing(v[6h], 0.3, 0.1)`, held flat over the horizon. */
export const doubleExponentialSmoothing: PointModel = (train, steps, stepSeconds) => {
  const rangeSteps = Math.floor((6 * HOUR_SECONDS) / stepSeconds);
  const samples: number[] = [];
  for (let t = Math.max(0, train.length - rangeSteps + 1); t < train.length; t += 1) if (Number.isFinite(train[t]!)) samples.push(train[t]!);
  const level = prometheusHolt(samples, 0.3, 0.1);
  return level === undefined ? undefined : new Float64Array(steps).fill(level);
};

function empiricalQuantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Runs a point model and adds split-conformal quantiles from one calibration origin `steps` earlier. */
export function withConformalBand(model: PointModel, train: Float64Array, steps: number, stepSeconds: number, daySteps: number): WindowForecast | undefined {
  const started = performance.now();
  const point = model(train, steps, stepSeconds, daySteps);
  if (point === undefined) return undefined;
  // Calibration: forecast the last `calSteps` training steps from before them.
  let errors: number[] = [];
  for (const calSteps of [steps, daySteps, Math.ceil(daySteps / 4)]) {
    if (calSteps >= train.length) continue;
    const calTrain = train.subarray(0, train.length - calSteps);
    const cal = model(calTrain, calSteps, stepSeconds, daySteps);
    if (cal === undefined) continue;
    errors = [];
    for (let h = 0; h < calSteps; h += 1) {
      const y = train[train.length - calSteps + h]!;
      if (Number.isFinite(y)) errors.push(y - cal[h]!);
    }
    if (errors.length > 0) break;
  }
  errors.sort((a, b) => a - b);
  const [e10, e50, e90] = [0.1, 0.5, 0.9].map((q) => empiricalQuantile(errors, q)) as [number, number, number];
  const q10 = point.map((v) => v + e10);
  const q50 = point.map((v) => v + e50);
  const q90 = point.map((v) => v + e90);
  return { point, q10, q50, q90, seconds: (performance.now() - started) / 1000 };
}
