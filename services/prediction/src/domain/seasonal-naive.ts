// Seasonal-naive forecasting: tomorrow looks like today (or next week like this week), with prediction
// intervals from how much the series actually differed from one season earlier. Simple, robust, and
// the baseline any later engine must beat (see `backtestMase`).
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
import type { SeriesSnapshot } from './series';
import { mean, quantileOfSorted, sortedCopy } from './stats';

export const MODEL_FLAT = 'flat-mean';
export const MODEL_DAILY = 'seasonal-naive-1d';
export const MODEL_WEEKLY = 'seasonal-naive-7d';

const DAY_SECONDS = 86_400;
/** Values beyond this magnitude are treated as gaps: differences of larger ones could overflow to ±Infinity. */
const MAX_ABS_VALUE = 1e100;
/** Above this share of filled gaps the forecast is `low` confidence; `high` needs at most `HIGH_MAX_GAPS`. */
const LOW_ABOVE_GAPS = 0.25;
const HIGH_MAX_GAPS = 0.05;

export interface GapFill {
  values: Float64Array;
  /** How many steps were gaps (NaN, ±Infinity or absurdly large) and got filled. */
  filled: number;
}

/**
 * Fills gaps in order, so a filled value can itself feed a later fill: first with the value one
 * `season` back, then one `fallbackSeason` back, else with the last valid value. The first element
 * must be valid (callers trim leading gaps).
 */
export function fillGaps(values: ArrayLike<number>, season: number, fallbackSeason = season): GapFill {
  const out = new Float64Array(values.length);
  let filled = 0;
  let last = Number.NaN;
  for (let t = 0; t < values.length; t += 1) {
    const v = values[t]!;
    if (isUsable(v)) {
      out[t] = v;
      last = v;
      continue;
    }
    filled += 1;
    out[t] = t >= season ? out[t - season]! : t >= fallbackSeason ? out[t - fallbackSeason]! : last;
  }
  return { values: out, filled };
}

/**
 * MASE of the seasonal-naive model with `season` on the last `season` steps held out: the model sees
 * only the earlier steps and repeats their last season. The error is scaled by the in-sample mean
 * absolute error of the `scaleSeason`-naive forecast on the training part (Hyndman & Koehler 2006, with
 * the daily season), so 1 means "as good as a day-ago forecast typically was". Falls back to the
 * one-step-naive scale when the training part repeats itself exactly. Undefined when the history is
 * shorter than `season + scaleSeason + 1` steps or the training part is constant while the held-out
 * part is not (no finite scale exists). Differences below 1e-9 of the series' magnitude count as zero.
 * Gap-filled steps count as observed, which flatters the score.
 */
export function backtestMase(values: ArrayLike<number>, season: number, scaleSeason: number): number | undefined {
  const n = values.length;
  const train = n - season;
  if (season < 1 || scaleSeason < 1 || train < scaleSeason + 1 || train < season) return undefined;
  // Differences this small are floating-point noise (sin(x + 2π) ≠ sin(x)), not forecast error.
  let magnitude = 0;
  for (let t = 0; t < n; t += 1) magnitude = Math.max(magnitude, Math.abs(values[t]!));
  const noise = magnitude * 1e-9;
  let errorSum = 0;
  for (let j = 0; j < season; j += 1) {
    errorSum += Math.abs(values[train + j]! - values[train - season + j]!);
  }
  const mae = errorSum / season;
  if (mae <= noise) return 0;
  for (const lag of [scaleSeason, 1]) {
    let scaleSum = 0;
    for (let t = lag; t < train; t += 1) scaleSum += Math.abs(values[t]! - values[t - lag]!);
    const scale = scaleSum / (train - lag);
    if (scale > noise) return mae / scale;
  }
  return undefined;
}

/**
 * Forecasts `request.horizon` from `history` (see `HORIZONS` for the output grids).
 *
 * - Model: with ≥ 2 weeks of history, weekly seasonal naive; with ≥ 1 day, daily; with less (cold
 *   start), a flat forecast at the history's mean, always `confidence: 'low'`.
 * - Quantiles: point + the empirical q-quantile of the seasonal differences y[t] − y[t−season] over the
 *   whole history, widened by √(k+1) for a step k whole seasons ahead (the seasonal random walk's
 *   variance grows linearly with k). With fewer than an hour of seasonal differences, and at cold start,
 *   the deviations of the history from its mean stand in for them (wide, on purpose).
 * - Gaps: filled with the value one season back, else the last valid value; leading gaps are dropped.
 * - Coarser output steps (7 d hourly, 30 d daily) are the mean of their sub-steps, for the point and for
 *   each quantile; averaging quantiles assumes errors move together within a step, so bands are a little
 *   wide rather than too narrow.
 * - `nonNegative` (default) clamps every value at 0. Output never holds NaN or ±Infinity.
 */
export function forecastSeasonalNaive(history: SeriesSnapshot, request: ForecastRequest): Forecast {
  const horizon = parseHorizon(request.horizon);
  const quantiles = normalizeQuantiles(request.quantiles);
  const nonNegative = request.nonNegative ?? true;
  const { steps: outSteps, stepSeconds: outStepSeconds } = HORIZONS[horizon];
  const step = history.stepSeconds;
  if (!Number.isInteger(step) || step <= 0 || DAY_SECONDS % step !== 0 || outStepSeconds % step !== 0) {
    throw new ForecastError(
      'invalid_step',
      `history step ${String(step)} s must be a positive integer dividing one day and the ${horizon} output step of ${outStepSeconds} s`,
    );
  }

  const first = firstUsableIndex(history.values);
  if (first < 0) {
    throw new ForecastError('no_data', `no finite sample in ${history.values.length} steps of history for ${request.metric}`);
  }
  if (history.startMs === null || !Number.isFinite(history.startMs)) {
    throw new ForecastError('invalid_start', `history start ${String(history.startMs)} is not a finite timestamp`);
  }

  const daySteps = DAY_SECONDS / step;
  const weekSteps = 7 * daySteps;
  const raw = history.values.subarray(first);
  const n = raw.length;
  const stepMs = step * 1000;
  const lastStepMs = history.startMs + (first + n - 1) * stepMs;

  const season = n >= 2 * weekSteps ? weekSteps : n >= daySteps ? daySteps : 0;
  const model = season === weekSteps ? MODEL_WEEKLY : season === daySteps ? MODEL_DAILY : MODEL_FLAT;
  const { values: y, filled } = fillGaps(raw, season || daySteps, daySteps);
  const gapFraction = filled / n;

  // Residual pool and how the point forecast is built.
  const minResiduals = Math.max(2, Math.round(daySteps / 24));
  let residuals: Float64Array;
  const level = mean(y);
  if (season > 0 && n - season >= minResiduals) {
    residuals = new Float64Array(n - season);
    for (let t = season; t < n; t += 1) residuals[t - season] = y[t]! - y[t - season]!;
  } else {
    residuals = y.map((v) => v - level);
  }
  const sorted = sortedCopy(residuals);
  const offsets = quantiles.map((q) => quantileOfSorted(sorted, q));

  // Base-resolution forecast.
  const sub = outStepSeconds / step;
  const baseSteps = outSteps * sub;
  const baseMean = new Float64Array(baseSteps);
  const baseQuantiles = quantiles.map(() => new Float64Array(baseSteps));
  const clamp = nonNegative ? (v: number) => (v > 0 ? v : 0) : (v: number) => v;
  for (let h = 0; h < baseSteps; h += 1) {
    const point = season > 0 ? y[n - season + (h % season)]! : level;
    const widen = season > 0 ? Math.sqrt(Math.floor(h / season) + 1) : 1;
    baseMean[h] = clamp(point);
    for (let j = 0; j < quantiles.length; j += 1) baseQuantiles[j]![h] = clamp(point + offsets[j]! * widen);
  }

  // Aggregate to the output grid.
  const points: ForecastPoint[] = [];
  for (let i = 0; i < outSteps; i += 1) {
    const from = i * sub;
    const to = from + sub;
    const q: Record<string, number> = {};
    for (let j = 0; j < quantiles.length; j += 1) q[quantileKey(quantiles[j]!)] = mean(baseQuantiles[j]!.subarray(from, to));
    points.push({ timestampMs: lastStepMs + (from + 1) * stepMs, mean: mean(baseMean.subarray(from, to)), quantiles: q });
  }

  let windowMax = -Infinity;
  let windowMin = Infinity;
  for (const v of baseMean) {
    if (v > windowMax) windowMax = v;
    if (v < windowMin) windowMin = v;
  }

  const backtest = season > 0 ? backtestMase(y, season, daySteps) : undefined;
  const confidence = confidenceOf(model, n, daySteps, gapFraction, backtest);
  return {
    metric: request.metric,
    horizon,
    startMs: points[0]!.timestampMs,
    stepSeconds: outStepSeconds,
    points,
    windowMax,
    windowMin,
    windowAvg: mean(baseMean),
    model,
    ...(backtest === undefined ? {} : { backtestMase: backtest }),
    confidence,
  };
}

export const seasonalNaiveForecaster: Forecaster = { name: 'seasonal-naive', forecast: forecastSeasonalNaive };

function confidenceOf(model: string, n: number, daySteps: number, gapFraction: number, mase: number | undefined): Confidence {
  // Fewer than one season of seasonal differences: the band is a guess.
  if (model === MODEL_FLAT || n < 2 * daySteps || gapFraction > LOW_ABOVE_GAPS) return 'low';
  if (mase !== undefined && mase <= 1 && gapFraction <= HIGH_MAX_GAPS) return 'high';
  return 'medium';
}

function isUsable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= MAX_ABS_VALUE;
}

function firstUsableIndex(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i += 1) if (isUsable(values[i]!)) return i;
  return -1;
}
