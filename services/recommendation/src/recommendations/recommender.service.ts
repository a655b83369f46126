import { Inject, Injectable } from '@nestjs/common';
import { EntityKind, EntityRef, Forecast, Horizon, METRICS, Recommendation, TOPICS, entityKey } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, recommendationCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { RecommendationConfig } from '../config/recommendation.config';
import { recommend, RecommendationError, requiredQuantiles } from '../domain';
import { forecastInput, recommendationToContract } from '../domain/from-contract';
import { PredictionClient } from './prediction.client';
import { RecommendationStore } from './recommendation-store.service';

export type RecomputeOutcome = { recommendation: Recommendation } | { skipped: string };

/**
 * Turns a workload's 24 h CPU and memory forecasts into requests, limits and replicas; the forecast
 * that triggered the work is used as received, the other metric's is asked of prediction over gRPC.
 * Publishes to recommendations.v1 (acks=all) before storing, so the store never runs ahead of the feed.
 */
@Injectable()
export class RecommenderService {
  private readonly outcomes;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: RecommendationConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly prediction: PredictionClient,
    private readonly store: RecommendationStore,
  ) {
    this.outcomes = metrics.counter('recommendations_total', 'Recommendation computations by outcome', ['outcome']);
  }

  async recompute(entity: EntityRef, received: Forecast[] = []): Promise<RecomputeOutcome> {
    if (entity.kind !== EntityKind.ENTITY_KIND_WORKLOAD) return this.skip('not_a_workload');
    const policy = { scaling: this.config.RECOMMENDATION_SCALING };
    const wanted = requiredQuantiles(policy);
    const pick = (metric: string) => received.find((f) => f.metric === metric && f.horizon === Horizon.HORIZON_24H);
    const [cpu, memory] = await Promise.all([
      pick(METRICS.cpuUsageCores) ?? this.prediction.forecast24h(entity, METRICS.cpuUsageCores, wanted.cpu),
      pick(METRICS.memoryWorkingSetBytes) ?? this.prediction.forecast24h(entity, METRICS.memoryWorkingSetBytes, wanted.memory),
    ]);
    if (!cpu) return this.skip('no_cpu_forecast');
    let advice;
    try {
      advice = recommend({ cpuTotalCores: forecastInput(cpu), memoryMaxPerReplicaBytes: memory ? forecastInput(memory) : undefined }, {}, policy);
    } catch (error) {
      if (!(error instanceof RecommendationError)) throw error;
      this.logger.warn(`no recommendation for ${entityKey(entity)}: ${error.message}`, 'Recommender');
      return this.skip(error.reason);
    }
    const recommendation = recommendationToContract(entity, advice, Date.now(), Math.max(cpu.generatedAtMs, memory?.generatedAtMs ?? 0));
    await this.messaging.publish(TOPICS.recommendations.name, recommendationCodec, [{ key: entityKey(entity), tenant: entity.tenant, value: recommendation }]);
    await this.store.save(recommendation);
    this.outcomes.inc({ outcome: 'published' });
    return { recommendation };
  }

  private skip(reason: string): RecomputeOutcome {
    this.outcomes.inc({ outcome: reason });
    return { skipped: reason };
  }
}
