import { Inject, Injectable } from '@nestjs/common';
import { EntityKind, SampleBatch } from '@prescient/contracts';
import { JsonLogger, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { AutoscalerActuatorConfig } from '../config/autoscaler-actuator.config';
import { latestValues, mergeObservation } from '../domain';
import { ConsumerGroupStore, observationOf } from './consumer-group-store.service';

/**
 * Keeps the latest lag, consumption rate, replicas and partitions of each consumer group, one row
 * per tenant and group in PostgreSQL (so whichever instance decides for a group sees them), and the
 * per-consumer rate measured from them. Groups per tenant are capped.
 */
@Injectable()
export class ObservationsService {
  private readonly recorded;
  private readonly rejected;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AutoscalerActuatorConfig,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly store: ConsumerGroupStore,
  ) {
    this.recorded = metrics.counter('observations_recorded_total', 'Consumer-group sample batches whose lag, consumption rate, replicas or partitions were recorded');
    this.rejected = metrics.counter('observations_rejected_total', 'Consumer-group samples not recorded, by reason', ['reason']);
  }

  async accept(batch: SampleBatch): Promise<void> {
    const entity = batch.entity!;
    if (entity.kind !== EntityKind.ENTITY_KIND_CONSUMER_GROUP) return;
    const { values, invalid } = latestValues(batch.series);
    if (invalid > 0) this.rejected.inc({ reason: 'invalid_value' }, invalid);
    if (Object.keys(values).length === 0) return;
    const key = { tenant: entity.tenant, cluster: entity.cluster, groupId: entity.name };
    const row = await this.store.find(key);
    if (!row && (await this.store.count(key.tenant)) >= this.config.AUTOSCALER_MAX_GROUPS_PER_TENANT) {
      this.rejected.inc({ reason: 'group_limit' });
      this.logger.warn(`tenant ${key.tenant} has ${this.config.AUTOSCALER_MAX_GROUPS_PER_TENANT} consumer groups (AUTOSCALER_MAX_GROUPS_PER_TENANT): samples of a new group dropped`, 'Observations');
      return;
    }
    await this.store.saveObservation(key, mergeObservation(observationOf(row), values));
    this.recorded.inc();
  }
}
