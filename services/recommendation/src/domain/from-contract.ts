import { Confidence, Forecast, Recommendation as ContractRecommendation, EntityRef, ResourceAdvice as ContractAdvice } from '@prescient/contracts';
import { ForecastInput, Recommendation, ResourceAdvice } from './recommend';

const CONFIDENCE: Partial<Record<Confidence, ForecastInput['confidence']>> = {
  [Confidence.CONFIDENCE_LOW]: 'low',
  [Confidence.CONFIDENCE_MEDIUM]: 'medium',
  [Confidence.CONFIDENCE_HIGH]: 'high',
};

/** A wire forecast as the recommender reads it: quantiles keyed by their decimal form. */
export function forecastInput(forecast: Forecast): ForecastInput {
  return {
    points: forecast.points.map((p) => ({ mean: p.mean, quantiles: Object.fromEntries(p.quantiles.map((q) => [String(q.quantile), q.value])) })),
    confidence: CONFIDENCE[forecast.confidence] ?? 'low',
  };
}

function adviceToContract(a: ResourceAdvice): ContractAdvice {
  return { current: a.current, recommended: a.recommended, reason: a.reason };
}

export function recommendationToContract(entity: EntityRef, r: Recommendation, generatedAtMs: number, forecastGeneratedAtMs: number): ContractRecommendation {
  return {
    entity,
    cpuRequestMillicores: adviceToContract(r.cpuRequestMillicores),
    cpuLimitMillicores: adviceToContract(r.cpuLimitMillicores),
    memoryRequestBytes: adviceToContract(r.memoryRequestBytes),
    memoryLimitBytes: adviceToContract(r.memoryLimitBytes),
    replicas: adviceToContract(r.replicas),
    generatedAtMs,
    forecastGeneratedAtMs,
  };
}
