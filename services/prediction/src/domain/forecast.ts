// The forecaster's contract: the types every model produces and the errors every model throws. A later
// engine replaces the seasonal-naive model behind the same `Forecaster` interface.
import type { SeriesSnapshot } from './series';

/** Output grid of each horizon. Quantities are averaged over the sub-steps of a coarser output step. */
export const HORIZONS = {
  '24h': { steps: 288, stepSeconds: 300 },
  '7d': { steps: 168, stepSeconds: 3600 },
  '30d': { steps: 30, stepSeconds: 86_400 },
} as const;

export type Horizon = keyof typeof HORIZONS;

/** Used when a request names no quantiles (as in `ForecastRequest.quantiles` of prediction.proto). */
export const DEFAULT_QUANTILES: readonly number[] = [0.1, 0.5, 0.9];

export type Confidence = 'low' | 'medium' | 'high';

export interface ForecastPoint {
  /** Start of the interval this point covers. */
  timestampMs: number;
  mean: number;
  /** Keyed by `quantileKey(q)`, e.g. '0.9'. */
  quantiles: Record<string, number>;
}

export interface Forecast {
  metric: string;
  horizon: Horizon;
  /** Timestamp of the first point: one history step after the last observed step. */
  startMs: number;
  stepSeconds: number;
  points: ForecastPoint[];
  /** Max, min and mean of the point forecast over the horizon, at the history's own step (so a 7 d
   * forecast's windowMax is the 5-minute peak, not the peak of hourly means). */
  windowMax: number;
  windowMin: number;
  windowAvg: number;
  model: string;
  /** Mean absolute scaled error on the held-out last season (seasonal naive) or over the rolling-origin
   * backtest (prescient); absent when the history is too short. */
  backtestMase?: number;
  confidence: Confidence;
  /** Share of backtest actuals at or below each quantile (keyed like `quantiles`), each backtest origin
   * scored with bands calibrated on the others; absent when there was no such backtest. */
  measuredCoverage?: Record<string, number>;
  /** What the forecaster did to or noticed in the history ('gaps_filled', 'level_shift', 'constant', …). */
  flags?: string[];
}

export interface ForecastRequest {
  metric: string;
  /** One of `HORIZONS`' keys; anything else is refused with reason `unknown_horizon`. */
  horizon: string;
  /** Each strictly between 0 and 1; empty or absent means `DEFAULT_QUANTILES`. */
  quantiles?: readonly number[];
  /** Clamp every output value at ≥ 0 (CPU, memory and rates can't be negative). Default true. */
  nonNegative?: boolean;
}

export interface Forecaster {
  readonly name: string;
  forecast(history: SeriesSnapshot, request: ForecastRequest): Forecast;
}

export const FORECAST_ERROR_REASONS = [
  'no_data',
  'invalid_quantile',
  'unknown_horizon',
  'invalid_step',
  'invalid_start',
] as const;

export type ForecastErrorReason = (typeof FORECAST_ERROR_REASONS)[number];

/** The only exception a forecaster throws: `reason` is for machines (a bounded label), `message` for humans. */
export class ForecastError extends Error {
  override readonly name = 'ForecastError';

  constructor(
    readonly reason: ForecastErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** The record key of a quantile: its shortest decimal form ('0.9', '0.99'). */
export function quantileKey(q: number): string {
  return String(q);
}

export function parseHorizon(horizon: string): Horizon {
  if (!Object.prototype.hasOwnProperty.call(HORIZONS, horizon)) {
    throw new ForecastError(
      'unknown_horizon',
      `unknown horizon ${JSON.stringify(String(horizon).slice(0, 32))}; expected one of ${Object.keys(HORIZONS).join(', ')}`,
    );
  }
  return horizon as Horizon;
}

/** Validates, de-duplicates and sorts the requested quantiles. */
export function normalizeQuantiles(quantiles: readonly number[] | undefined): number[] {
  if (quantiles === undefined || quantiles.length === 0) return [...DEFAULT_QUANTILES];
  for (const q of quantiles) {
    if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0 || q >= 1) {
      throw new ForecastError('invalid_quantile', `quantile ${String(q)} is not strictly between 0 and 1`);
    }
  }
  return [...new Set(quantiles)].sort((a, b) => a - b);
}
