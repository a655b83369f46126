// Exponential smoothing (Holt–Winters in its ETS state-space form, additive errors): level, optional
// trend (plain or damped) and optional season (additive or multiplicative) of period `m`. Smoothing
// parameters are fitted by least squares of the one-step errors (the Gaussian likelihood of additive
// errors) with Nelder–Mead; initial states come from the first seasons (a classical decomposition), not
// from the optimiser, which keeps a 288-step season cheap. Variants are compared by AICc.

import { nelderMead, toBounded, toUnbounded } from './optimize';

export type TrendKind = 'N' | 'A' | 'Ad';
export type SeasonKind = 'N' | 'A' | 'M';

export interface EtsSpec {
  trend: TrendKind;
  season: SeasonKind;
  /** Season length in steps (ignored when `season` is 'N'). */
  period: number;
}

export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface EtsFit {
  spec: EtsSpec;
  params: EtsParams;
  sse: number;
  aicc: number;
  /** Number of one-step errors the SSE sums. */
  n: number;
}

/** Bounds on φ, as in the ETS literature (Hyndman et al. 2008): a damped trend that still damps. */
const PHI_MIN = 0.8;
const PHI_MAX = 0.98;

export function etsName(spec: EtsSpec): string {
  return `ets(A,${spec.trend},${spec.season})`;
}

interface InitialState {
  level: number;
  trend: number;
  season: Float64Array;
}

/** Initial states from the first (up to three) seasons: level and slope of the season means, per-phase deviations. */
function initialState(y: ArrayLike<number>, spec: EtsSpec): InitialState {
  const n = y.length;
  const m = spec.season === 'N' ? 1 : spec.period;
  const cycles = spec.season === 'N' ? 0 : Math.min(3, Math.floor(n / m));
  const season = new Float64Array(m).fill(spec.season === 'M' ? 1 : 0);
  const firstLen = spec.season === 'N' ? Math.min(n, 12) : m;
  let level = 0;
  for (let i = 0; i < firstLen; i += 1) level += y[i]!;
  level /= Math.max(1, firstLen);
  let trend = 0;
  if (spec.trend !== 'N') {
    if (spec.season !== 'N' && cycles >= 2) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < m; i += 1) {
        a += y[i]!;
        b += y[m + i]!;
      }
      trend = (b - a) / m / m;
    } else if (n >= 2) trend = (y[Math.min(n, firstLen) - 1]! - y[0]!) / Math.max(1, Math.min(n, firstLen) - 1);
  }
  if (cycles >= 1) {
    const acc = new Float64Array(m);
    for (let c = 0; c < cycles; c += 1) {
      let mean = 0;
      for (let i = 0; i < m; i += 1) mean += y[c * m + i]!;
      mean /= m;
      for (let i = 0; i < m; i += 1) {
        const v = y[c * m + i]!;
        acc[i] += spec.season === 'M' ? (mean > 0 ? v / mean : 1) : v - mean;
      }
    }
    // A light circular smoothing: a few days of 5-minute values are noisy per phase.
    const w = Math.max(0, Math.round(m / 144));
    for (let i = 0; i < m; i += 1) {
      let s = 0;
      for (let k = -w; k <= w; k += 1) s += acc[(i + k + m) % m]!;
      season[i] = s / (2 * w + 1) / cycles;
    }
    // Normalise: additive deviations sum to 0, multiplicative factors average 1.
    let mean = 0;
    for (let i = 0; i < m; i += 1) mean += season[i]!;
    mean /= m;
    for (let i = 0; i < m; i += 1) season[i] = spec.season === 'M' ? (mean > 0 ? season[i]! / mean : 1) : season[i]! - mean;
  }
  return { level, trend, season };
}

interface Filtered {
  sse: number;
  level: number;
  trend: number;
  /** Seasonal states, indexed by phase `t mod m` of the step they apply to next. */
  season: Float64Array;
}

/** Runs the recursions over `y`; returns the SSE of the one-step errors and the final states. The
 * seasonal states evolve in `scratch` (a copy of the initial ones is made there), so the optimiser's
 * many evaluations allocate nothing. */
function filter(y: ArrayLike<number>, spec: EtsSpec, p: EtsParams, init: InitialState, scratch: Float64Array): Filtered {
  const n = y.length;
  const m = spec.season === 'N' ? 1 : spec.period;
  const s = scratch;
  s.set(init.season);
  let l = init.level;
  let b = init.trend;
  const phi = spec.trend === 'Ad' ? p.phi : 1;
  const hasTrend = spec.trend !== 'N';
  const { alpha, gamma } = p;
  const beta = hasTrend ? p.beta : 0;
  let sse = 0;
  if (spec.season === 'M') {
    for (let t = 0; t < n; t += 1) {
      const i = t % m;
      const base = l + phi * b;
      const si = s[i]!;
      const yt = y[t]!;
      const e = yt - base * si;
      sse += e * e;
      const safeS = Math.abs(si) > 1e-8 ? si : 1e-8;
      const nl = alpha * (yt / safeS) + (1 - alpha) * base;
      if (hasTrend) b = beta * (nl - l) + (1 - beta) * phi * b;
      s[i] = Math.abs(base) > 1e-8 ? gamma * (yt / base) + (1 - gamma) * si : si;
      l = nl;
    }
  } else if (spec.season === 'A') {
    for (let t = 0; t < n; t += 1) {
      const i = t % m;
      const base = l + phi * b;
      const si = s[i]!;
      const yt = y[t]!;
      const e = yt - base - si;
      sse += e * e;
      const nl = alpha * (yt - si) + (1 - alpha) * base;
      if (hasTrend) b = beta * (nl - l) + (1 - beta) * phi * b;
      s[i] = gamma * (yt - base) + (1 - gamma) * si;
      l = nl;
    }
  } else {
    for (let t = 0; t < n; t += 1) {
      const base = l + phi * b;
      const e = y[t]! - base;
      sse += e * e;
      const nl = base + alpha * e;
      if (hasTrend) b = beta * (nl - l) + (1 - beta) * phi * b;
      l = nl;
    }
  }
  return { sse, level: l, trend: b, season: s };
}

function paramsFrom(u: number[], spec: EtsSpec): EtsParams {
  const alpha = toBounded(u[0]!, 1e-4, 0.9999);
  let k = 1;
  const beta = spec.trend !== 'N' ? toBounded(u[k++]!, 1e-4, 0.5) * alpha : 0;
  const gamma = spec.season !== 'N' ? toBounded(u[k++]!, 1e-4, 0.9999) * (1 - alpha) : 0;
  const phi = spec.trend === 'Ad' ? toBounded(u[k++]!, PHI_MIN, PHI_MAX) : 1;
  return { alpha, beta, gamma, phi };
}

/** Fits one variant. `y` must be finite (and positive for a multiplicative season). */
export function fitEts(y: ArrayLike<number>, spec: EtsSpec, maxEvaluations = 120): EtsFit {
  const init = initialState(y, spec);
  const start = [toUnbounded(0.3, 1e-4, 0.9999)];
  if (spec.trend !== 'N') start.push(toUnbounded(0.05, 1e-4, 0.5));
  if (spec.season !== 'N') start.push(toUnbounded(0.1, 1e-4, 0.9999));
  if (spec.trend === 'Ad') start.push(toUnbounded(0.9, PHI_MIN, PHI_MAX));
  const scratch = new Float64Array(init.season.length);
  const best = nelderMead((u) => filter(y, spec, paramsFrom(u, spec), init, scratch).sse, start, 1, maxEvaluations, 1e-6);
  const params = paramsFrom(best.x, spec);
  const n = y.length;
  const sse = best.value;
  // Parameters: the smoothing ones, the initial level and trend, and m − 1 free initial seasonal states.
  const k = start.length + 1 + (spec.trend !== 'N' ? 1 : 0) + (spec.season !== 'N' ? spec.period - 1 : 0);
  const ll = n * Math.log(Math.max(sse, 1e-300) / n);
  const aicc = n - k - 1 > 0 ? ll + 2 * k + (2 * k * (k + 1)) / (n - k - 1) : Number.POSITIVE_INFINITY;
  return { spec, params, sse, aicc, n };
}

/** Forecasts `steps` ahead from the end of `y` with fixed parameters (re-filtering `y` from its own start). */
export function forecastEts(y: ArrayLike<number>, spec: EtsSpec, params: EtsParams, steps: number): Float64Array {
  const init = initialState(y, spec);
  const f = filter(y, spec, params, init, new Float64Array(init.season.length));
  const n = y.length;
  const m = spec.season === 'N' ? 1 : spec.period;
  const out = new Float64Array(steps);
  const phi = spec.trend === 'Ad' ? params.phi : 1;
  let damp = 0;
  let pw = 1;
  for (let h = 1; h <= steps; h += 1) {
    if (spec.trend !== 'N') {
      pw *= phi;
      damp += spec.trend === 'Ad' ? pw : 1;
    }
    const base = f.level + damp * f.trend;
    const si = spec.season === 'N' ? 0 : f.season[(n + h - 1) % m]!;
    out[h - 1] = spec.season === 'M' ? base * si : base + si;
  }
  return out;
}

/** The variants worth trying on `y` with season `period`: seasonal ones need two full seasons. */
export function etsCandidates(y: ArrayLike<number>, period: number): EtsSpec[] {
  const specs: EtsSpec[] = [
    { trend: 'N', season: 'N', period: 1 },
    { trend: 'A', season: 'N', period: 1 },
    { trend: 'Ad', season: 'N', period: 1 },
  ];
  if (period > 1 && y.length >= 2 * period) {
    let positive = true;
    for (let i = 0; i < y.length; i += 1) if (!(y[i]! > 0)) positive = false;
    for (const season of positive ? (['A', 'M'] as const) : (['A'] as const)) {
      for (const trend of ['N', 'A', 'Ad'] as const) specs.push({ trend, season, period });
    }
  }
  return specs;
}

/**
 * Fits every candidate variant and keeps the one with the smallest AICc. `seasonalOnly` restricts the
 * choice to seasonal variants when there are any: on 1-step errors a fast-moving level without a season
 * can score close to a seasonal model yet forecast a day ahead far worse.
 */
export function autoEts(y: ArrayLike<number>, period: number, maxEvaluations = 120, seasonalOnly = false): EtsFit {
  let best: EtsFit | undefined;
  const specs = etsCandidates(y, period);
  const seasonal = specs.filter((s) => s.season !== 'N');
  for (const spec of seasonalOnly && seasonal.length > 0 ? seasonal : specs) {
    const fit = fitEts(y, spec, maxEvaluations);
    if (best === undefined || fit.aicc < best.aicc) best = fit;
  }
  return best!;
}
