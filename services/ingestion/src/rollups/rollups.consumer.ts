import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityRef, entityKey, SampleBatch, TOPICS } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, sampleBatchesCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { IngestionConfig } from '../config/ingestion.config';
import { rollUpMany } from '../domain/rollup';
import { SeenEntitiesService } from '../workloads/seen-entities.service';
import { RollupStore } from './rollup-store.service';

/**
 * Keeps 5-minute rollups of every sample on metrics.samples.v2 (whatever its source: remote_write,
 * scrape, backfill, lag), as its own consumer group so the write path never waits on PostgreSQL.
 * Samples older than the retention are dropped and counted. It also keeps the register of entities
 * seen, so neither remote_write nor scraping waits on PostgreSQL before acknowledging.
 */
@Injectable()
export class RollupsConsumer implements OnApplicationShutdown {
  private retentionTimer: NodeJS.Timeout | undefined;
  private readonly cells;
  private readonly tooOld;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly store: RollupStore,
    private readonly seen: SeenEntitiesService,
  ) {
    this.cells = metrics.counter('rollup_cells_written_total', '5-minute rollup cells upserted');
    this.tooOld = metrics.counter('rollup_samples_expired_total', 'Samples older than the rollup retention, not rolled up');
  }

  async start(): Promise<void> {
    await this.messaging.subscribe({
      topic: TOPICS.metricsSamples.name,
      groupId: 'ingestion-rollups',
      codec: sampleBatchesCodec,
      handle: async (message) => this.fold(message.batches),
    });
    const expire = () => this.store.dropExpired(Date.now(), this.config.ROLLUP_RETENTION_DAYS).then(
      (dropped) => dropped.length > 0 && this.logger.log(`dropped expired rollup partitions ${dropped.join(', ')}`, 'Rollups'),
      (e: Error) => this.logger.warn(`rollup retention failed: ${e.message}`, 'Rollups'),
    );
    void expire();
    this.retentionTimer = setInterval(expire, 3_600_000);
  }

  /**
   * One envelope's batches (one tenant, usually) into the rollups and the entity register: a
   * multi-row upsert each, per tenant. Redelivery after a crash may count a sample twice in `count`
   * and `samples_total`; min, max and last are unaffected.
   */
  private async fold(batches: readonly SampleBatch[]): Promise<void> {
    const horizon = Date.now() - this.config.ROLLUP_RETENTION_DAYS * 86_400_000;
    const byTenant = new Map<string, { entityKey: string; entity: EntityRef; series: { metric: string; samples: { timestampMs: number; value: number }[] }[] }[]>();
    let expired = 0;
    for (const batch of batches) {
      const entity = batch.entity!;
      const series = batch.series.map((s) => {
        const samples = s.samples.filter((p) => p.timestampMs >= horizon);
        expired += s.samples.length - samples.length;
        return { metric: s.metric, samples };
      });
      let group = byTenant.get(entity.tenant);
      if (!group) byTenant.set(entity.tenant, (group = []));
      group.push({ entityKey: entityKey(entity), entity, series });
    }
    if (expired > 0) this.tooOld.inc(expired);
    for (const [tenant, group] of byTenant) {
      const cells = rollUpMany(group);
      await this.store.upsert(tenant, cells);
      this.cells.inc(cells.length);
      // The register of entities is a view for the API: derived here, off the write path, for every source.
      await this.seen.record(group);
    }
  }

  onApplicationShutdown(): void {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
  }
}
