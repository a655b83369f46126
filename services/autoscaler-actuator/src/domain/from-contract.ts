import { Forecast, Horizon, PredictionEvent } from '@prescient/contracts';
import { RateForecast } from './decide-replicas';

/** The 24 h forecast of an event (5-minute steps: the one that covers a lead time of minutes). */
export function dayForecast(event: PredictionEvent): Forecast | undefined {
  return event.forecasts.find((f) => f.horizon === Horizon.HORIZON_24H);
}

/** The wire forecast as decideReplicas reads it: quantiles keyed by String(q), e.g. '0.9'. */
export function toRateForecast(forecast: Forecast | undefined): RateForecast | undefined {
  if (!forecast) return undefined;
  return {
    stepSeconds: forecast.stepSeconds,
    points: forecast.points.map((p) => ({
      timestampMs: p.timestampMs,
      mean: p.mean,
      quantiles: Object.fromEntries(p.quantiles.map((q) => [String(q.quantile), q.value])),
    })),
  };
}

/** When the newest forecast of the event was computed: decisions from older forecasts are not replayed over newer ones. */
export function generatedAtMs(event: PredictionEvent): number {
  return dayForecast(event)?.generatedAtMs ?? Math.max(0, ...event.forecasts.map((f) => f.generatedAtMs));
}
