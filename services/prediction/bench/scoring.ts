// The scores of PROTOCOL.md for one window, and their summaries.

/** What every model hands the scorer for one window, at the series' own step. */
export interface WindowForecast {
  /** Point forecast (scored by MASE). */
  point: ArrayLike<number>;
  q10: ArrayLike<number>;
  q50: ArrayLike<number>;
  q90: ArrayLike<number>;
  /** Wall time of fit + forecast. */
  seconds: number;
  /** Bytes measured for this fit (see the README for how, per model family). */
  bytes?: number;
  /** Model chosen inside the forecaster, when it chooses. */
  model?: string;
}

export interface WindowScore {
  mase: number;
  /** Mean over q ∈ {0.1, 0.5, 0.9} of the mean pinball loss, divided by the MASE denominator. */
  pinball: number;
  coverage80: number;
  underForecastShare: number;
}

/** In-sample mean |y[t] − y[t−d]| over the training part, pairs with a gap skipped; 1-step fallback if 0. */
export function maseScale(train: ArrayLike<number>, d: number): number {
  for (const lag of [d, 1]) {
    let sum = 0;
    let count = 0;
    for (let t = lag; t < train.length; t += 1) {
      const a = train[t]!;
      const b = train[t - lag]!;
      if (Number.isFinite(a) && Number.isFinite(b)) {
        sum += Math.abs(a - b);
        count += 1;
      }
    }
    if (count > 0 && sum > 0) return sum / count;
  }
  return Number.NaN;
}

function pinball(q: number, actual: number, predicted: number): number {
  const diff = actual - predicted;
  return diff >= 0 ? q * diff : (q - 1) * diff;
}

/** Scores a forecast against `actual` (gaps in `actual` are skipped). */
export function scoreWindow(actual: ArrayLike<number>, f: WindowForecast, scale: number): WindowScore {
  let abs = 0;
  let pin = 0;
  let inside = 0;
  let under = 0;
  let count = 0;
  for (let h = 0; h < actual.length; h += 1) {
    const y = actual[h]!;
    if (!Number.isFinite(y)) continue;
    count += 1;
    abs += Math.abs(y - f.point[h]!);
    pin += (pinball(0.1, y, f.q10[h]!) + pinball(0.5, y, f.q50[h]!) + pinball(0.9, y, f.q90[h]!)) / 3;
    if (y >= f.q10[h]! && y <= f.q90[h]!) inside += 1;
    if (y > f.q90[h]!) under += 1;
  }
  if (count === 0) return { mase: Number.NaN, pinball: Number.NaN, coverage80: Number.NaN, underForecastShare: Number.NaN };
  return { mase: abs / count / scale, pinball: pin / count / scale, coverage80: inside / count, underForecastShare: under / count };
}

export function geometricMean(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (ok.length === 0) return Number.NaN;
  return Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length);
}

export function arithmeticMean(xs: number[]): number {
  const ok = xs.filter(Number.isFinite);
  return ok.length === 0 ? Number.NaN : ok.reduce((a, x) => a + x, 0) / ok.length;
}
