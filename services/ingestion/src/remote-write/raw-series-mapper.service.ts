import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntitySeries, JsonLogger, KafkaMessaging, publishSamples, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { IngestionConfig } from '../config/ingestion.config';
import { EntityMapper, EntitySample, MappingInputSeries, MappingStats, toEntityBatches, UNMAPPED_REASONS, UnreadSamples } from '../domain/mapping';

/** Closed steps kept for a retry when Kafka did not take them; beyond it the oldest are dropped, counted. */
const MAX_OUTBOX_SAMPLES = 200_000;

/**
 * The series users already have (cAdvisor, kube-state-metrics owner chains, node-exporter, DCGM,
 * kafka-exporter) mapped to entities on the 5-minute grid (src/domain/mapping, MAPPING.md).
 *
 * A step of an entity is emitted once it is complete, and published before the request that closed
 * it is acknowledged. The open step of each entity is in memory: a crash loses at most that step of
 * derived values (the raw series were acknowledged), as a recording rule skips an evaluation. Values
 * Kafka did not take wait in a bounded outbox and go out with the next flush. One receiver should see
 * all of a cluster's series (pods of a workload meet in one step sum); with several receivers, shard
 * remote_write by cluster or map upstream with recording rules.
 */
@Injectable()
export class RawSeriesMapper implements OnApplicationShutdown {
  private readonly mapper: EntityMapper;
  private readonly outbox: EntitySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly outcomes;
  private readonly held;
  private readonly stepsClosed;
  private readonly outboxDropped;
  private readonly valuesPublished;

  constructor(
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.mapper = new EntityMapper({ defaultCluster: config.CLUSTER_NAME });
    this.outcomes = metrics.counter('mapping_samples_total', 'Raw samples handed to the entity mapper, by what became of them (used, or why not)', ['outcome']);
    this.held = metrics.gauge('mapping_samples_held', 'Samples waiting for their pod\'s owner or their node');
    this.stepsClosed = metrics.counter('mapping_steps_closed_total', 'Entity steps completed and emitted by the mapper');
    this.valuesPublished = metrics.counter('mapping_values_published_total', 'Entity values derived by the mapper and acknowledged by Kafka on metrics.samples.v2');
    this.outboxDropped = metrics.counter('mapping_outbox_dropped_total', 'Mapped values dropped because Kafka stayed unavailable and the outbox was full');
  }

  /** Maps one request's raw series (and counts what was left out as unread); returns the entity batches of the steps it completed. */
  map(tenant: string, series: readonly MappingInputSeries[], unread: readonly UnreadSamples[] = []): EntitySeries[] {
    if (series.length === 0 && unread.length === 0) return [];
    const result = this.mapper.ingest(tenant, series, unread);
    this.count(result.stats);
    return toEntityBatches(result.samples);
  }

  /** Counts values the broker acknowledged (published with a request, or by the flush). */
  acknowledged(batches: readonly EntitySeries[]): void {
    let values = 0;
    for (const b of batches) for (const s of b.series) values += s.samples.length;
    if (values > 0) this.valuesPublished.inc(values);
  }

  /** Keeps values Kafka did not take for the next flush. */
  requeue(batches: readonly EntitySeries[]): void {
    for (const b of batches) for (const s of b.series) for (const p of s.samples) this.outbox.push({ entity: b.entity, metric: s.metric, timestampMs: p.timestampMs, value: p.value });
    if (this.outbox.length > MAX_OUTBOX_SAMPLES) this.outboxDropped.inc(this.outbox.splice(0, this.outbox.length - MAX_OUTBOX_SAMPLES).length);
  }

  /** Closes steps of entities that stopped reporting, and publishes them with the outbox, every 15 s. */
  start(): void {
    this.timer = setInterval(() => void this.flush(Date.now() - this.mapper.options.closeDelayMs), 15_000);
    this.timer.unref();
  }

  async flush(nowMs: number): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      const result = this.mapper.flush(nowMs);
      this.count(result.stats);
      const samples = [...this.outbox.splice(0), ...result.samples];
      const byTenant = new Map<string, EntitySample[]>();
      for (const s of samples) {
        let list = byTenant.get(s.entity.tenant);
        if (!list) byTenant.set(s.entity.tenant, (list = []));
        list.push(s);
      }
      for (const [tenant, list] of byTenant) {
        const batches = toEntityBatches(list);
        await publishSamples(this.messaging, tenant, 'remote_write', batches).then(() => this.acknowledged(batches), (e: Error) => {
          this.logger.warn(`mapped values of tenant ${tenant} not published (${e.message}); kept for the next flush`, 'Mapping');
          this.requeue(batches);
        });
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private count(stats: MappingStats): void {
    if (stats.used > 0) this.outcomes.inc({ outcome: 'used' }, stats.used);
    for (const reason of UNMAPPED_REASONS) if (stats.unmapped[reason] > 0) this.outcomes.inc({ outcome: reason }, stats.unmapped[reason]);
    this.held.set(stats.held);
    if (stats.stepsClosed > 0) this.stepsClosed.inc(stats.stepsClosed);
  }

  /** Emits every open step and publishes it while the producer is still up. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.flush(Infinity);
  }
}
