import { Inject, Injectable } from '@nestjs/common';
import { Cloud as ContractCloud, CloudCost, EntityKind, Recommendation } from '@prescient/contracts';
import { JsonLogger, PoisonMessageError, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { CostConfig } from '../config/cost.config';
import { microUsdToUsd, PriceError, priceRecommendation, type Caveat, type Cloud } from '../domain';
import { CostStore, PricedWorkload } from './cost-store.service';

/** 9999-12-31T23:59:59.999Z. */
const LATEST_TIMESTAMP_MS = 253_402_300_799_999;

export const CONTRACT_CLOUD: Record<Cloud, ContractCloud> = { aws: ContractCloud.CLOUD_AWS, azure: ContractCloud.CLOUD_AZURE, gcp: ContractCloud.CLOUD_GCP };

/**
 * A recommendation → the workload's monthly cost now and as recommended on each cloud, stored as
 * the workload's latest. A recommendation that can never be priced (not a workload, a negative or
 * absurd figure) is a poison message: it goes to the dead-letter topic and is counted.
 */
@Injectable()
export class PricingService {
  private readonly priced;
  private readonly failures;
  private readonly caveats;
  private readonly stale;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: CostConfig,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly store: CostStore,
  ) {
    this.priced = metrics.counter('workloads_priced_total', 'Recommendations priced on every cloud and stored as the workload\'s latest cost');
    this.failures = metrics.counter('pricing_failures_total', 'Recommendations that could not be priced, by reason (they go to the dead-letter topic)', ['reason']);
    this.caveats = metrics.counter('pricing_caveats_total', 'Resources priced without a current figure, by resource and kind (current_assumed, unknown)', ['resource', 'kind']);
    this.stale = metrics.counter('stale_recommendations_total', 'Recommendations older than the one already priced for the workload, not stored');
  }

  /** Prices `recommendation` with the configured table and regions (pure but for the clock). */
  price(recommendation: Recommendation, nowMs = Date.now()): { priced: PricedWorkload; caveats: Caveat[] } {
    const entity = recommendation.entity!;
    if (entity.kind !== EntityKind.ENTITY_KIND_WORKLOAD) {
      throw new PoisonMessageError('not_a_workload', `cost prices workloads; entity.kind ${EntityKind[entity.kind] ?? entity.kind} is not ENTITY_KIND_WORKLOAD`);
    }
    const generatedAtMs = recommendation.generatedAtMs;
    if (!Number.isSafeInteger(generatedAtMs) || generatedAtMs < 0 || generatedAtMs > LATEST_TIMESTAMP_MS) {
      // Stored as timestamptz: a value no date can hold would fail the insert on every redelivery.
      throw new PoisonMessageError('invalid_timestamp', `generated_at_ms ${generatedAtMs} is not a time between 1970 and 9999`);
    }
    let result;
    try {
      result = priceRecommendation(recommendation, { table: this.config.priceTable, regions: this.config.regions });
    } catch (error) {
      if (error instanceof PriceError) throw new PoisonMessageError(error.reason, error.message);
      throw error;
    }
    const clouds: CloudCost[] = result.comparisons.map((c) => ({
      cloud: CONTRACT_CLOUD[c.cloud],
      region: c.region,
      currentMonthlyUsd: microUsdToUsd(c.current.monthly),
      recommendedMonthlyUsd: microUsdToUsd(c.recommended.monthly),
      savingsMonthlyUsd: microUsdToUsd(c.savings.monthly),
    }));
    return {
      priced: { cost: { entity, clouds, computedAtMs: nowMs }, caveats: result.caveats.map((c) => c.message), recommendationGeneratedAtMs: generatedAtMs },
      caveats: result.caveats,
    };
  }

  /** Prices and stores one recommendation from recommendations.v1. */
  async accept(recommendation: Recommendation): Promise<void> {
    let priced: PricedWorkload;
    let caveats: Caveat[];
    try {
      ({ priced, caveats } = this.price(recommendation));
    } catch (error) {
      if (error instanceof PoisonMessageError) this.failures.inc({ reason: error.reason });
      throw error;
    }
    const stored = await this.store.save(priced);
    if (!stored) {
      this.stale.inc();
      this.logger.debug(`recommendation of ${new Date(priced.recommendationGeneratedAtMs).toISOString()} is older than the one priced; not stored`, 'Pricing');
      return;
    }
    for (const c of caveats) this.caveats.inc({ resource: c.resource, kind: c.kind });
    this.priced.inc();
  }
}
