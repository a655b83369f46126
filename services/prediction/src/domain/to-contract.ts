import { Confidence as ContractConfidence, EntityRef, Forecast as ContractForecast, Horizon as ContractHorizon } from '@prescient/contracts';
import { Confidence, Forecast, Horizon } from './forecast';

const HORIZON_TO_CONTRACT: Record<Horizon, ContractHorizon> = {
  '24h': ContractHorizon.HORIZON_24H,
  '7d': ContractHorizon.HORIZON_7D,
  '30d': ContractHorizon.HORIZON_30D,
};

const CONFIDENCE_TO_CONTRACT: Record<Confidence, ContractConfidence> = {
  low: ContractConfidence.CONFIDENCE_LOW,
  medium: ContractConfidence.CONFIDENCE_MEDIUM,
  high: ContractConfidence.CONFIDENCE_HIGH,
};

export function horizonToContract(horizon: Horizon): ContractHorizon {
  return HORIZON_TO_CONTRACT[horizon];
}

/** The domain horizon of a contract horizon, or undefined for UNSPECIFIED / unknown values. */
export function horizonFromContract(horizon: ContractHorizon): Horizon | undefined {
  return (Object.keys(HORIZON_TO_CONTRACT) as Horizon[]).find((h) => HORIZON_TO_CONTRACT[h] === horizon);
}

/** The wire form of a forecast (prediction.proto), quantiles as ordered (quantile, value) pairs. */
export function forecastToContract(entity: EntityRef, forecast: Forecast, generatedAtMs: number, lastSampleMs: number): ContractForecast {
  return {
    entity,
    metric: forecast.metric,
    horizon: horizonToContract(forecast.horizon),
    startMs: forecast.startMs,
    stepSeconds: forecast.stepSeconds,
    points: forecast.points.map((p) => ({
      timestampMs: p.timestampMs,
      mean: p.mean,
      quantiles: Object.entries(p.quantiles).map(([q, value]) => ({ quantile: Number(q), value })).sort((a, b) => a.quantile - b.quantile),
    })),
    windowMax: forecast.windowMax,
    windowMin: forecast.windowMin,
    windowAvg: forecast.windowAvg,
    model: forecast.model,
    backtestMase: forecast.backtestMase,
    confidence: CONFIDENCE_TO_CONTRACT[forecast.confidence],
    generatedAtMs,
    lastSampleMs,
    measuredCoverage: Object.entries(forecast.measuredCoverage ?? {}).map(([q, value]) => ({ quantile: Number(q), value })).sort((a, b) => a.quantile - b.quantile),
    flags: [...(forecast.flags ?? [])],
    parts: 0,
  };
}

/** Keeps only the requested quantiles of a stored forecast (all of them when `quantiles` is empty). */
export function selectQuantiles(forecast: ContractForecast, quantiles: readonly number[]): ContractForecast {
  if (quantiles.length === 0) return forecast;
  const wanted = new Set(quantiles);
  return { ...forecast, points: forecast.points.map((p) => ({ ...p, quantiles: p.quantiles.filter((q) => wanted.has(q.quantile)) })) };
}
