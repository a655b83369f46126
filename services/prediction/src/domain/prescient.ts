// Prescient: the forecasting engine, pure TypeScript, no I/O. For one series:
//
// 1. Hygiene. Leading gaps are dropped; gaps are filled (linear up to an hour, else a day back); values
//    are scaled by the largest magnitude (no overflow, whatever the units). Per training window (so a
//    backtest never sees its future): level shifts in the last week are detected (hourly block medians
//    of the deseasonalised series, refined to the step by least squares) and the history before a shift
//    is moved onto the new level (additively, or scaled when that fits the swing better), so the new
//    behaviour wins at once; outliers beyond 6 robust standard deviations from the daily profile are
//    clipped for fitting (the newest two hours are left alone). Backtest actuals stay unclipped.
// 2. Candidates: seasonal naive (1 d, 7 d), the two-week seasonal mean, a flat day mean, simple
//    exponential smoothing, Holt–Winters (ETS with a daily season: additive or multiplicative, none,
//    plain or damped trend, by AICc), and an MSTL-like decomposition (daily, or daily + weekly, profiles)
//    with a level model on the adjusted series (ETS(A,N,N) or ETS(A,Ad,N) by AICc, or the mean of the
//    last day or week).
// 3. Selection: a rolling-origin backtest at up to 4 origins (3 for horizons over a day; a whole week of
//    daily origins when the weekly models are in play), horizon-long where the history allows (else
//    shorter, flagged `short_backtest`). Parameters are tuned once at the earliest origin. The loss is
//    asymmetric (an under-forecast weighs UNDER_FORECAST_WEIGHT times an over-forecast), scaled like
//    MASE; the forecast is the mean of the best three, refitted on the whole history.
// 4. Intervals: conformal, from the backtest residuals of that combination per horizon step (see
//    conformal.ts), read at levels that lean up (see `safeLevel`); the leave-one-origin-out coverage is
//    reported as `measuredCoverage`.
// 5. Cold start (under two days, or too short to backtest twice): the median of the recent values with
//    the spread of the history as the band, `low` confidence. A constant history gives a flat,
//    zero-width forecast flagged `constant`; no usable value is a `no_data` ForecastError. Non-negative
//    quantities are clamped at zero (flagged). No NaN or Infinity ever leaves.
//
// State: none between calls; the only per-series memory is the history buffer (series.ts: 49.2 KiB at
// 35 days of 5-minute steps). A call allocates a few MB transiently (bench/README.md has the figures).
import { calibrate, bandOffset, type Calibration } from './conformal';
import { decompose, seasonalAt, type Decomposition } from './decompose';
import { autoEts, fitEts, forecastEts, type EtsFit } from './ets';
import {
  ForecastError,
  HORIZONS,
  normalizeQuantiles,
  parseHorizon,
  quantileKey,
  type Confidence,
  type Forecast,
  type Forecaster,
  type ForecastPoint,
  type ForecastRequest,
} from './forecast';
import { applyLevelShift, clipOutliers, detectLevelShift, fillGaps, isUsable } from './hygiene';
import type { SeriesSnapshot } from './series';
import { mean, quantileOfSorted, sortedCopy } from './stats';

const DAY_SECONDS = 86_400;
/** Under-forecasting (actual above the forecast) costs this many times more than over-forecasting. */
export const UNDER_FORECAST_WEIGHT = 1.5;
/** Gap share above which a forecast is `low` confidence; `high` allows at most `HIGH_MAX_GAPS`. */
const LOW_ABOVE_GAPS = 0.25;
const HIGH_MAX_GAPS = 0.05;
/** Outliers: further than this many robust standard deviations from the seasonal profile are clipped. */
const CLIP_SIGMAS = 6;
/** Share of the distance to 1 that upper quantile levels are moved out by (see `safeLevel`). */
const UPPER_MARGIN = 0.3;
/** Share by which lower quantile levels are moved in (see `safeLevel`). */
const LOWER_MARGIN = 0.1;
/** How many of the best candidates (by backtest loss) are averaged. */
const COMBINE_TOP = 3;

export type Flag = 'cold_start' | 'constant' | 'gaps_filled' | 'outliers_clipped' | 'level_shift' | 'clamped_at_zero' | 'short_backtest';

/** A forecast at the history's own step, before any aggregation to an output grid. */
export interface NativeForecast {
  /** Index into the input of the first usable value (leading gaps are dropped). */
  firstIndex: number;
  /** Number of steps of history used (from `firstIndex` to the end). */
  historySteps: number;
  mean: Float64Array;
  quantileLevels: number[];
  /** One array per entry of `quantileLevels`. */
  quantiles: Float64Array[];
  model: string;
  /** MASE of the chosen model over the backtest origins (scaled as in the bench protocol). */
  backtestMase?: number;
  /** Share of backtest actuals at or below each quantile, leave-one-origin-out; keyed like `quantiles`. */
  measuredCoverage?: Record<string, number>;
  backtestOrigins: number;
  confidence: Confidence;
  flags: Flag[];
}

export interface PredictOptions {
  quantiles?: readonly number[];
  nonNegative?: boolean;
  /** Restricts the candidate models to these names (all by default); for specs and experiments. */
  candidates?: readonly string[];
  /** Receives every candidate's backtest scores (mean over origins), best first. */
  onBacktest?: (scores: { model: string; loss: number; mase: number }[]) => void;
}

/** Names of the candidate models, in the order they are tried. */
export function candidateNames(): string[] {
  return CANDIDATES.map((c) => c.name);
}

// ---------------------------------------------------------------------------------------------------
// Candidate models. Each `tune`s its parameters once (on the data before the earliest backtest origin,
// and again on the whole history for the final forecast) and then `run`s cheaply from any origin.

interface Context {
  day: number;
  week: number;
}

interface Candidate {
  name: string;
  /** Fewest training steps it needs. */
  minTrain(c: Context): number;
  tune(y: Float64Array, c: Context): unknown;
  run(y: Float64Array, steps: number, c: Context, tuned: unknown): Float64Array;
}

const seasonalNaive = (days: number): Candidate => ({
  name: `seasonal-naive-${days}d`,
  minTrain: (c) => days * c.day,
  tune: () => undefined,
  run: (y, steps, c) => {
    const season = days * c.day;
    const out = new Float64Array(steps);
    const base = y.length - season;
    for (let h = 0; h < steps; h += 1) out[h] = y[base + (h % season)]!;
    return out;
  },
});

/** The mean of the last two weeks, phase by phase: the weekly naive forecast with half its noise. */
const weeklyMean2: Candidate = {
  name: 'seasonal-mean-2w',
  minTrain: (c) => 2 * c.week,
  tune: () => undefined,
  run: (y, steps, c) => {
    const out = new Float64Array(steps);
    const n = y.length;
    for (let h = 0; h < steps; h += 1) {
      const back = c.week * Math.ceil((h + 1) / c.week);
      out[h] = (y[n + h - back]! + y[n + h - back - c.week]!) / 2;
    }
    return out;
  },
};

/** Flat at the mean of the last day: the "smoothed level" that noisy series are hard to beat with. */
const flatDay: Candidate = {
  name: 'flat-1d',
  minTrain: (c) => c.day,
  tune: () => undefined,
  run: (y, steps, c) => new Float64Array(steps).fill(mean(y.subarray(y.length - c.day))),
};

/** Simple exponential smoothing, α fitted: a flat forecast at the smoothed level. */
const ses: Candidate = {
  name: 'ses',
  minTrain: (c) => c.day,
  tune: (y) => fitEts(y, { trend: 'N', season: 'N', period: 1 }),
  run: (y, steps, _c, tuned) => forecastEts(y, { trend: 'N', season: 'N', period: 1 }, (tuned as EtsFit).params, steps),
};

/** Holt–Winters / ETS with the daily season: additive or multiplicative, (damped) trend or none, by AICc. */
const holtWinters: Candidate = {
  name: 'ets',
  minTrain: (c) => 2 * c.day,
  tune: (y, c) => autoEts(y, c.day, 120, true),
  run: (y, steps, _c, tuned) => {
    const fit = tuned as EtsFit;
    return forecastEts(y, fit.spec, fit.params, steps);
  },
};

interface DecompTuned {
  level: EtsFit;
}

/** The decompositions of one training window, shared by the variants that differ only in their level model. */
const decompositions = new WeakMap<Float64Array, Map<boolean, Decomposition>>();

function decomposed(y: Float64Array, weekly: boolean, make: () => Decomposition): Decomposition {
  let byKind = decompositions.get(y);
  if (byKind === undefined) {
    byKind = new Map();
    decompositions.set(y, byKind);
  }
  let d = byKind.get(weekly);
  if (d === undefined) {
    d = make();
    byKind.set(weekly, d);
  }
  return d;
}

/**
 * MSTL-like: daily (and weekly) profiles from the recent cycles plus a model of the seasonally
 * adjusted series: `level` 'ets' picks ETS(A,N,N) or ETS(A,Ad,N) by AICc, 'mean' holds the mean of the
 * last day of the adjusted series (a seasonal-mean forecast).
 */
function mstl(weekly: boolean, level: 'ets' | 'mean' | 'mean7'): Candidate {
  const periodsOf = (c: Context) => (weekly ? [c.day, c.week] : [c.day]);
  const cyclesOf = () => (weekly ? [7, 4] : [7]);
  const smooth = (c: Context) => Math.max(0, Math.round(c.day / 288));
  return {
    name: `mstl-${weekly ? 'dw' : 'd'}-${level}`,
    minTrain: (c) => (weekly ? 2 * c.week : level === 'mean7' ? c.week : 2 * c.day),
    tune: (y, c) => {
      if (level !== 'ets') return undefined;
      const d = decomposed(y, weekly, () => decompose(y, periodsOf(c), cyclesOf(), smooth(c)));
      const a = d.adjusted;
      const flat = fitEts(a, { trend: 'N', season: 'N', period: 1 });
      const damped = fitEts(a, { trend: 'Ad', season: 'N', period: 1 });
      return { level: damped.aicc < flat.aicc ? damped : flat } satisfies DecompTuned;
    },
    run: (y, steps, c, tuned) => {
      const d = decomposed(y, weekly, () => decompose(y, periodsOf(c), cyclesOf(), smooth(c)));
      const n = y.length;
      let base: Float64Array;
      if (level !== 'ets') {
        const win = level === 'mean' ? c.day : c.week;
        const seg = d.adjusted.subarray(n - win);
        base = new Float64Array(steps).fill(mean(seg));
      }
      else {
        const fit = (tuned as DecompTuned).level;
        base = forecastEts(d.adjusted, fit.spec, fit.params, steps);
      }
      for (let h = 0; h < steps; h += 1) base[h] = base[h]! + seasonalAt(d, n + h);
      return base;
    },
  };
}

const CANDIDATES: Candidate[] = [
  seasonalNaive(1),
  seasonalNaive(7),
  weeklyMean2,
  flatDay,
  ses,
  holtWinters,
  mstl(false, 'ets'),
  mstl(false, 'mean'),
  mstl(true, 'ets'),
  mstl(true, 'mean'),
  mstl(false, 'mean7'),
  mstl(true, 'mean7'),
];

// ---------------------------------------------------------------------------------------------------
// Hygiene per training window (so backtests never see data after their origin).

interface Cleaned {
  y: Float64Array;
  clipped: number;
  shifts: number;
}

function clean(filled: Float64Array, c: Context): Cleaned {
  const y = Float64Array.from(filled);
  let shifts = 0;
  const block = Math.max(1, Math.round(c.day / 24));
  // Only the last week is searched: older shifts are already absorbed by the recent cycles.
  const searchFrom = Math.max(0, y.length - c.week - 2 * c.day);
  for (let i = 0; i < 3; i += 1) {
    const tail = y.subarray(searchFrom);
    const shift = detectLevelShift(tail, c.day, { block, minAfter: 3, lookback: 48, threshold: 8 });
    if (shift === undefined) break;
    applyLevelShift(y, { ...shift, index: searchFrom + shift.index });
    shifts += 1;
  }
  const clipped = clipOutliers(y, c.day, CLIP_SIGMAS, Math.round(c.day / 12));
  return { y, clipped, shifts };
}

// ---------------------------------------------------------------------------------------------------

/** In-sample mean |y[t] − y[t−d]| (the MASE denominator), falling back to lag 1, then to 1e-12. */
function maseScale(y: ArrayLike<number>, d: number): number {
  for (const lag of [d, 1]) {
    let s = 0;
    let count = 0;
    for (let t = lag; t < y.length; t += 1) {
      s += Math.abs(y[t]! - y[t - lag]!);
      count += 1;
    }
    if (count > 0 && s > 0) return s / count;
  }
  return 1e-12;
}

function asymmetricLoss(actual: ArrayLike<number>, mask: ArrayLike<number>, from: number, f: ArrayLike<number>): { loss: number; mae: number } {
  let loss = 0;
  let mae = 0;
  let count = 0;
  for (let h = 0; h < f.length; h += 1) {
    if (mask[from + h]) continue;
    const e = actual[from + h]! - f[h]!;
    loss += e > 0 ? UNDER_FORECAST_WEIGHT * e : -e;
    mae += Math.abs(e);
    count += 1;
  }
  return count === 0 ? { loss: 0, mae: 0 } : { loss: loss / count, mae: mae / count };
}

interface BacktestPlan {
  steps: number;
  origins: number[];
}

/** Backtest horizon and origins: the full horizon when two origins fit, else shorter ones. */
function planBacktest(n: number, horizon: number, c: Context): BacktestPlan {
  const minTrain = Math.round(1.5 * c.day);
  const options = [horizon, c.week, 3 * c.day, c.day, Math.round(c.day / 2), Math.round(c.day / 4)].filter((h) => h <= horizon && h >= 1);
  for (const steps of options) {
    if (n - 2 * steps < minTrain) continue;
    const maxOrigins = steps <= c.day ? 4 : 3;
    let k = Math.min(maxOrigins, Math.floor((n - minTrain) / steps));
    // With the weekly models in play, the backtest spans a whole week, so every weekday gets scored.
    const weekly = Math.ceil(c.week / steps);
    if (weekly > k && n - weekly * steps >= 2 * c.week) k = weekly;
    return { steps, origins: Array.from({ length: k }, (_, i) => n - (i + 1) * steps) };
  }
  return { steps: 0, origins: [] };
}

interface Scored {
  members: number[];
  loss: number;
  mase: number;
  forecasts: Float64Array[];
}

function combine(list: Float64Array[]): Float64Array {
  if (list.length === 1) return list[0]!;
  const out = new Float64Array(list[0]!.length);
  for (const f of list) for (let h = 0; h < out.length; h += 1) out[h] = out[h]! + f[h]! / list.length;
  return out;
}

/**
 * Forecasts `steps` steps of the history's own cadence. Throws `ForecastError` for a history without a
 * usable value or an invalid step; everything else gets a forecast (flagged when trivial), never NaN.
 */
export function predictPrescient(values: ArrayLike<number>, stepSeconds: number, steps: number, options: PredictOptions = {}): NativeForecast {
  if (!Number.isInteger(stepSeconds) || stepSeconds <= 0 || DAY_SECONDS % stepSeconds !== 0) {
    throw new ForecastError('invalid_step', `history step ${String(stepSeconds)} s must be a positive integer dividing one day`);
  }
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const quantileLevels = normalizeQuantiles(options.quantiles);
  const nonNegative = options.nonNegative ?? true;
  let first = -1;
  for (let i = 0; i < values.length; i += 1) {
    if (isUsable(values[i]!)) {
      first = i;
      break;
    }
  }
  if (first < 0) throw new ForecastError('no_data', `no finite sample in ${values.length} steps of history`);
  const raw = Float64Array.from({ length: values.length - first }, (_, i) => values[first + i]!);
  const n = raw.length;
  const day = DAY_SECONDS / stepSeconds;
  const c: Context = { day, week: 7 * day };

  // Work in units of the largest magnitude, so no square or sum can overflow.
  let scale = 0;
  for (const v of raw) if (isUsable(v)) scale = Math.max(scale, Math.abs(v));
  if (!(scale > 0)) scale = 1;
  const gaps = fillGaps(raw, day, Math.max(1, Math.round(day / 24)));
  const y = gaps.values.map((v) => v / scale);
  const mask = gaps.filled;
  const gapShare = gaps.count / n;
  const flags: Flag[] = [];
  if (gaps.count > 0) flags.push('gaps_filled');

  const finish = (meanF: Float64Array, bands: (q: number, h: number) => number, rest: Omit<NativeForecast, 'mean' | 'quantiles' | 'quantileLevels' | 'firstIndex' | 'historySteps' | 'flags'>): NativeForecast => {
    const outMean = new Float64Array(steps);
    const outQ = quantileLevels.map(() => new Float64Array(steps));
    let clamped = false;
    for (let h = 0; h < steps; h += 1) {
      let m = meanF[h]! * scale;
      if (!Number.isFinite(m)) m = 0;
      let prev = -Infinity;
      const qs = quantileLevels.map((q) => {
        let v = bands(q, h) * scale;
        if (!Number.isFinite(v)) v = m;
        if (v < prev) v = prev; // never cross
        prev = v;
        return v;
      });
      if (nonNegative) {
        if (m < 0) {
          m = 0;
          clamped = true;
        }
        for (let j = 0; j < qs.length; j += 1) if (qs[j]! < 0) qs[j] = 0;
      }
      outMean[h] = m;
      for (let j = 0; j < qs.length; j += 1) outQ[j]![h] = qs[j]!;
    }
    if (clamped) flags.push('clamped_at_zero');
    return { firstIndex: first, historySteps: n, mean: outMean, quantiles: outQ, quantileLevels, flags, ...rest };
  };

  // A constant history: the trivial forecast, flagged, with zero-width bands.
  let constant = true;
  for (let i = 1; i < n && constant; i += 1) if (Math.abs(y[i]! - y[0]!) > 1e-12) constant = false;
  if (constant) {
    flags.push('constant');
    if (n < 2 * day) flags.push('cold_start');
    const v = y[0]!;
    return finish(new Float64Array(steps).fill(v), () => v, {
      model: 'constant',
      backtestOrigins: 0,
      confidence: n < 2 * day || gapShare > LOW_ABOVE_GAPS ? 'low' : 'medium',
    });
  }

  // Cold start (less than two days): the robust fallback, flat at the recent median level, with the
  // spread of what was seen as the band (widened by a half, on purpose), low confidence.
  const plan = planBacktest(n, steps, c);
  if (n < 2 * day || plan.origins.length < 2) {
    flags.push('cold_start');
    const recent = sortedCopy(y.subarray(Math.max(0, n - Math.max(3, Math.round(day / 4)))));
    const level = quantileOfSorted(recent, 0.5);
    const dev = sortedCopy(y.map((v) => v - level));
    return finish(new Float64Array(steps).fill(level), (q) => level + 1.5 * quantileOfSorted(dev, q), {
      model: 'cold-start-median',
      backtestOrigins: 0,
      confidence: 'low',
    });
  }

  // Backtest every eligible candidate at the same origins.
  const earliest = plan.origins[plan.origins.length - 1]!;
  const cleanedAt = new Map<number, Cleaned>();
  const cleanedPrefix = (o: number): Cleaned => {
    let cl = cleanedAt.get(o);
    if (cl === undefined) {
      cl = clean(y.subarray(0, o), c);
      cleanedAt.set(o, cl);
    }
    return cl;
  };
  const scales = plan.origins.map((o) => maseScale(y.subarray(0, o), day));
  const eligible = CANDIDATES.filter((m) => earliest >= m.minTrain(c) && (options.candidates === undefined || options.candidates.includes(m.name)));
  if (eligible.length === 0) eligible.push(flatDay);
  const results: { candidate: Candidate; forecasts: Float64Array[] }[] = [];
  for (const candidate of eligible) {
    const tuned = candidate.tune(cleanedPrefix(earliest).y, c);
    const forecasts = plan.origins.map((o) => candidate.run(cleanedPrefix(o).y, plan.steps, c, tuned));
    results.push({ candidate, forecasts });
  }
  const score = (forecasts: Float64Array[]): { loss: number; mase: number } => {
    let loss = 0;
    let mase = 0;
    plan.origins.forEach((o, k) => {
      const s = asymmetricLoss(y, mask, o, forecasts[k]!);
      loss += s.loss / scales[k]!;
      mase += s.mae / scales[k]!;
    });
    return { loss: loss / plan.origins.length, mase: mase / plan.origins.length };
  };
  const singles: Scored[] = results.map((r, i) => ({ members: [i], forecasts: r.forecasts, ...score(r.forecasts) }));
  singles.sort((a, b) => a.loss - b.loss);
  options.onBacktest?.(singles.map((x) => ({ model: results[x.members[0]!]!.candidate.name, loss: x.loss, mase: x.mase })));
  // The forecast is the mean of the best three by backtest loss (fewer when fewer are eligible): a
  // combination is steadier than a single pick when a handful of origins decide.
  // The combination competes with the best single model on the same backtest: where one model is
  // clearly right (a clean periodic series), averaging it with worse ones would only blur it. The
  // single model must win by a clear margin: on few origins a small win is mostly noise.
  const members = singles.slice(0, COMBINE_TOP).map((x) => x.members[0]!);
  const combined = plan.origins.map((_, k) => combine(members.map((i) => results[i]!.forecasts[k]!)));
  const combination: Scored = { members, forecasts: combined, ...score(combined) };
  const best: Scored = singles[0] && singles[0].loss < SINGLE_MODEL_MARGIN * combination.loss ? singles[0] : combination;

  // Residuals of the chosen forecast, for the conformal bands and the measured coverage.
  const residuals = plan.origins.map((o, k) => {
    const f = best.forecasts[k]!;
    const r = new Float64Array(plan.steps);
    for (let h = 0; h < plan.steps; h += 1) r[h] = mask[o + h] ? Number.NaN : y[o + h]! - f[h]!;
    return r;
  });
  const halfWidth = Math.max(2, Math.round(day / 48));
  const calibration = calibrate(residuals, steps, halfWidth, day);

  // Final fit on the whole (cleaned) history.
  const full = clean(y, c);
  if (full.clipped > 0) flags.push('outliers_clipped');
  if (full.shifts > 0) flags.push('level_shift');
  if (plan.steps < steps) flags.push('short_backtest');
  const finals = best.members.map((i) => {
    const candidate = results[i]!.candidate;
    return candidate.run(full.y, steps, c, candidate.tune(full.y, c));
  });
  const point = combine(finals);
  const model = best.members.map((i) => results[i]!.candidate.name).join('+');
  const measuredCoverage = leaveOneOriginOut(residuals, quantileLevels, halfWidth, day);
  const coverage80 = measuredCoverage === undefined ? undefined : coverageOf(residuals, halfWidth, day);
  const confidence: Confidence =
    gapShare > LOW_ABOVE_GAPS || n < 3 * day
      ? 'low'
      : best.mase <= 1 && gapShare <= HIGH_MAX_GAPS && (coverage80 === undefined || Math.abs(coverage80 - 0.8) <= 0.1)
        ? 'high'
        : 'medium';
  return finish(point, (q, h) => point[h]! + (calibration ? bandOffset(calibration, h, safeLevel(q)) : 0), {
    model,
    backtestMase: best.mase,
    ...(measuredCoverage === undefined ? {} : { measuredCoverage }),
    backtestOrigins: plan.origins.length,
    confidence,
  });
}

/** Share of each origin's actuals at or below each quantile (as issued: read at `safeLevel`), with the
 * bands calibrated on the other origins. */
function leaveOneOriginOut(residuals: Float64Array[], levels: number[], halfWidth: number, season: number): Record<string, number> | undefined {
  if (residuals.length < 2) return undefined;
  const below = levels.map(() => 0);
  let total = 0;
  for (let k = 0; k < residuals.length; k += 1) {
    const others = residuals.filter((_, j) => j !== k);
    const cal: Calibration | undefined = calibrate(others, residuals[k]!.length, halfWidth, season);
    if (cal === undefined) continue;
    const r = residuals[k]!;
    for (let h = 0; h < r.length; h += 1) {
      if (!Number.isFinite(r[h]!)) continue;
      total += 1;
      levels.forEach((q, j) => {
        if (r[h]! <= bandOffset(cal, h, safeLevel(q))) below[j]! += 1;
      });
    }
  }
  if (total === 0) return undefined;
  const out: Record<string, number> = {};
  levels.forEach((q, j) => {
    out[quantileKey(q)] = below[j]! / total;
  });
  return out;
}

function coverageOf(residuals: Float64Array[], halfWidth: number, season: number): number | undefined {
  const cov = leaveOneOriginOut(residuals, [0.1, 0.9], halfWidth, season);
  return cov === undefined ? undefined : cov['0.9']! - cov['0.1']!;
}

/**
 * The level a quantile is read at. The whole band leans up, because under-forecasting costs more than
 * over-forecasting and backtests understate how far the future can run above the past: upper quantiles
 * are read further out (q + (1 − q)·UPPER_MARGIN: 0.9 → 0.93, 0.99 → 0.993), lower ones a little further
 * in (q·(1 + LOWER_MARGIN): 0.1 → 0.11). The median is read as is.
 */
export function safeLevel(q: number): number {
  return q > 0.5 ? q + (1 - q) * UPPER_MARGIN : q < 0.5 ? q * (1 + LOWER_MARGIN) : q;
}

// ---------------------------------------------------------------------------------------------------
// The Forecaster: the horizon's output grid (at least the history's own step).

export function forecastPrescient(history: SeriesSnapshot, request: ForecastRequest): Forecast {
  const horizon = parseHorizon(request.horizon);
  const quantiles = normalizeQuantiles(request.quantiles);
  const { steps: outSteps, stepSeconds: outStepRequested } = HORIZONS[horizon];
  const step = history.stepSeconds;
  if (!Number.isInteger(step) || step <= 0 || DAY_SECONDS % step !== 0 || (outStepRequested % step !== 0 && step % outStepRequested !== 0)) {
    throw new ForecastError(
      'invalid_step',
      `history step ${String(step)} s must be a positive integer dividing one day and dividing or multiple of the ${horizon} output step of ${outStepRequested} s`,
    );
  }
  if (history.startMs === null || !Number.isFinite(history.startMs)) {
    let any = false;
    for (const v of history.values) if (isUsable(v)) any = true;
    if (!any) throw new ForecastError('no_data', `no finite sample in ${history.values.length} steps of history for ${request.metric}`);
    throw new ForecastError('invalid_start', `history start ${String(history.startMs)} is not a finite timestamp`);
  }
  const outStep = Math.max(outStepRequested, step);
  const sub = outStep / step;
  const horizonSeconds = outSteps * outStepRequested;
  const points = horizonSeconds / outStep;
  const baseSteps = points * sub;
  let native: NativeForecast;
  try {
    native = predictPrescient(history.values, step, baseSteps, { quantiles, nonNegative: request.nonNegative ?? true });
  } catch (e) {
    if (e instanceof ForecastError && e.reason === 'no_data') {
      throw new ForecastError('no_data', `no finite sample in ${history.values.length} steps of history for ${request.metric}`);
    }
    throw e;
  }
  const stepMs = step * 1000;
  const lastStepMs = history.startMs + (history.values.length - 1) * stepMs;
  const out: ForecastPoint[] = [];
  for (let i = 0; i < points; i += 1) {
    const from = i * sub;
    const to = from + sub;
    const q: Record<string, number> = {};
    native.quantileLevels.forEach((level, j) => {
      q[quantileKey(level)] = mean(native.quantiles[j]!.subarray(from, to));
    });
    out.push({ timestampMs: lastStepMs + (from + 1) * stepMs, mean: mean(native.mean.subarray(from, to)), quantiles: q });
  }
  let windowMax = -Infinity;
  let windowMin = Infinity;
  for (const v of native.mean) {
    if (v > windowMax) windowMax = v;
    if (v < windowMin) windowMin = v;
  }
  return {
    metric: request.metric,
    horizon,
    startMs: out[0]!.timestampMs,
    stepSeconds: outStep,
    points: out,
    windowMax,
    windowMin,
    windowAvg: mean(native.mean),
    model: native.model,
    ...(native.backtestMase === undefined ? {} : { backtestMase: native.backtestMase }),
    confidence: native.confidence,
    ...(native.measuredCoverage === undefined ? {} : { measuredCoverage: native.measuredCoverage }),
    flags: native.flags,
  };
}

/** A single model replaces the combination only when its backtest loss is below this share of the combination's. */
const SINGLE_MODEL_MARGIN = 0.5;

export const prescientForecaster: Forecaster = { name: 'prescient', forecast: forecastPrescient };
