import { Inject, Injectable } from '@nestjs/common';
import { EntityKind, METRICS, PredictionEvent, ScalingDecision, TOPICS, entityKey } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, scalingDecisionCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { AutoscalerActuatorConfig } from '../config/autoscaler-actuator.config';
import { DecisionError, decideReplicas, decisionInputs, dayForecast, generatedAtMs, toRateForecast } from '../domain';
import { ConsumerGroupStore, observationOf } from './consumer-group-store.service';

/**
 * On each production-rate forecast of a consumer group: decide its replicas from the forecast, the
 * latest lag and the group's state, publish the decision to autoscaling.decisions.v1 (the feed), then
 * record it with the cooldown clock. Publish comes first: if recording fails the message is retried
 * and the same decision published again, never lost.
 */
@Injectable()
export class DecisionsService {
  private readonly decisions;
  private readonly failures;
  private readonly ignored;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AutoscalerActuatorConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly store: ConsumerGroupStore,
  ) {
    this.decisions = metrics.counter('decisions_total', 'Scaling decisions published, by action', ['action']);
    this.failures = metrics.counter('decision_failures_total', 'Predictions no decision could be made from, by reason', ['reason']);
    this.ignored = metrics.counter('predictions_ignored_total', 'Predictions not for this service or older than the decision in place, by reason', ['reason']);
  }

  async onPrediction(event: PredictionEvent): Promise<void> {
    const entity = event.entity!;
    const ignore = (reason: 'not_consumer_group' | 'other_metric' | 'not_newer' | 'group_limit') => void this.ignored.inc({ reason });
    if (entity.kind !== EntityKind.ENTITY_KIND_CONSUMER_GROUP) return ignore('not_consumer_group');
    if (event.metric !== METRICS.kafkaProductionRate) return ignore('other_metric');
    const key = { tenant: entity.tenant, cluster: entity.cluster, groupId: entity.name };
    const forecastAtMs = generatedAtMs(event);
    const row = await this.store.find(key);
    // A replayed or reordered event must not overwrite a decision made from a newer forecast.
    if (row?.forecastGeneratedAt && row.forecastGeneratedAt.getTime() >= forecastAtMs) return ignore('not_newer');
    if (!row && (await this.store.count(key.tenant)) >= this.config.AUTOSCALER_MAX_GROUPS_PER_TENANT) return ignore('group_limit');

    const nowMs = Date.now();
    const c = this.config;
    const inputs = decisionInputs(observationOf(row), row?.desiredReplicas ?? undefined, {
      nowMs, maxAgeMs: c.AUTOSCALER_OBSERVATION_MAX_AGE_SECONDS * 1000, defaultPerConsumerRate: c.AUTOSCALER_DEFAULT_CONSUMER_RATE, minReplicas: c.AUTOSCALER_MIN_REPLICAS,
    });
    let decision;
    try {
      decision = decideReplicas({
        predictedProduction: toRateForecast(dayForecast(event)),
        perConsumerRate: inputs.perConsumerRate,
        lag: inputs.lag,
        partitions: inputs.partitions,
        currentReplicas: inputs.currentReplicas,
        minReplicas: c.AUTOSCALER_MIN_REPLICAS,
        maxReplicas: c.AUTOSCALER_MAX_REPLICAS,
        targetDrainSeconds: c.AUTOSCALER_TARGET_DRAIN_SECONDS,
        leadTimeSeconds: c.AUTOSCALER_LEAD_TIME_SECONDS,
        nowMs,
        cooldown: { lastScaleAtMs: row?.lastScaleAt?.getTime(), scaleDownCooldownSeconds: c.AUTOSCALER_SCALE_DOWN_COOLDOWN_SECONDS },
        quantile: c.AUTOSCALER_QUANTILE,
      });
    } catch (error) {
      if (!(error instanceof DecisionError)) throw error;
      this.failures.inc({ reason: error.reason });
      this.logger.warn(`no decision for consumer group ${key.cluster}/${key.groupId} of tenant ${key.tenant} (${error.reason}): ${error.message}`, 'Decisions');
      return;
    }

    const reason = inputs.notes.length > 0 ? `${decision.reason} [${inputs.notes.join('; ')}]` : decision.reason;
    const message: ScalingDecision = {
      entity,
      currentReplicas: inputs.currentReplicas,
      desiredReplicas: decision.replicas,
      reason,
      // The contract's doubles are not optional: NaN says "not known" (no usable forecast, or nothing consumes).
      predictedProductionRate: decision.predictedProductionRate ?? Number.NaN,
      predictedLagSeconds: decision.predictedLagSeconds ?? Number.NaN,
      decidedAtMs: nowMs,
      forecastGeneratedAtMs: forecastAtMs,
    };
    await this.messaging.publish(TOPICS.autoscalingDecisions.name, scalingDecisionCodec, [{ key: entityKey(entity), tenant: entity.tenant, value: message }]);
    await this.store.saveDecision(key, {
      currentReplicas: inputs.currentReplicas,
      desiredReplicas: decision.replicas,
      action: decision.action,
      reason,
      predictedProductionRate: decision.predictedProductionRate,
      predictedLagSeconds: decision.predictedLagSeconds,
      decidedAtMs: nowMs,
      forecastGeneratedAtMs: forecastAtMs,
      lastScaleAtMs: decision.replicas !== inputs.currentReplicas ? nowMs : row?.lastScaleAt?.getTime(),
    });
    this.decisions.inc({ action: decision.action });
  }
}
