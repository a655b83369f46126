import { Args, Context, Float, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { Confidence, Forecast as ContractForecast, Horizon, workloadRef } from '@prescient/contracts';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { ForecastError, normalizeQuantiles } from '../domain';
import { selectQuantiles } from '../domain/to-contract';
import { ForecastStore } from './forecast-store.service';
import { Forecast, ForecastConfidence, ForecastHorizon, Workload } from './forecast.model';

const HORIZONS: Record<ForecastHorizon, Horizon> = {
  [ForecastHorizon.HOURS_24]: Horizon.HORIZON_24H,
  [ForecastHorizon.DAYS_7]: Horizon.HORIZON_7D,
  [ForecastHorizon.DAYS_30]: Horizon.HORIZON_30D,
};
const CONFIDENCE: Partial<Record<Confidence, ForecastConfidence>> = {
  [Confidence.CONFIDENCE_LOW]: ForecastConfidence.LOW,
  [Confidence.CONFIDENCE_MEDIUM]: ForecastConfidence.MEDIUM,
  [Confidence.CONFIDENCE_HIGH]: ForecastConfidence.HIGH,
};
const iso = (ms: number) => new Date(ms).toISOString();

export function toGraphQL(f: ContractForecast, horizon: ForecastHorizon): Forecast {
  return {
    metric: f.metric, horizon, model: f.model, confidence: CONFIDENCE[f.confidence] ?? ForecastConfidence.LOW,
    backtestMase: f.backtestMase, windowMax: f.windowMax, windowMin: f.windowMin, windowAvg: f.windowAvg,
    start: iso(f.startMs), stepSeconds: f.stepSeconds, generatedAt: iso(f.generatedAtMs), lastSampleAt: iso(f.lastSampleMs),
    points: f.points.map((p) => ({ timestamp: iso(p.timestampMs), mean: p.mean, quantiles: p.quantiles })),
  };
}

@Resolver(() => Workload)
export class ForecastResolver {
  constructor(private readonly store: ForecastStore) {}

  @ResolveReference()
  resolveReference(ref: Workload): Workload {
    return ref;
  }

  @ResolveField(() => Forecast, { nullable: true, description: 'The latest forecast of a metric (e.g. cpu_usage_cores); null until one exists.' })
  async forecast(
    @Parent() workload: Workload,
    @Context() ctx: SubgraphContext,
    @Args('metric') metric: string,
    @Args('horizon', { type: () => ForecastHorizon }) horizon: ForecastHorizon,
    @Args('quantiles', { type: () => [Float], nullable: true, description: 'Quantiles to return; default all published (0.1, 0.5, 0.9, 0.95, 0.99).' }) quantiles?: number[],
  ): Promise<Forecast | null> {
    const tenant = requireTenant(ctx);
    let wanted: number[] = [];
    try {
      if (quantiles && quantiles.length > 0) wanted = normalizeQuantiles(quantiles);
    } catch (error) {
      throw new GraphQLError((error as ForecastError).message, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    const stored = await this.store.find(workloadRef(tenant, workload.cluster, workload.namespace, workload.kind, workload.name), metric, HORIZONS[horizon]);
    if (!stored) return null;
    const missing = wanted.filter((q) => !stored.points[0]?.quantiles.some((v) => v.quantile === q));
    if (missing.length > 0) {
      throw new GraphQLError(`quantiles ${missing.join(', ')} are not published; ask the Forecast RPC for others`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return toGraphQL(selectQuantiles(stored, wanted), horizon);
  }
}
