import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { entityKey, TOPICS } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, sampleBatchCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { IngestionConfig } from '../config/ingestion.config';
import { rollUp } from '../domain/rollup';
import { RollupStore } from './rollup-store.service';

/**
 * Keeps 5-minute rollups of every sample on metrics.samples.v1 (whatever its source: remote_write,
 * scrape, backfill, lag), as its own consumer group so the write path never waits on PostgreSQL.
 * Samples older than the retention are dropped and counted.
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
  ) {
    this.cells = metrics.counter('rollup_cells_written_total', '5-minute rollup cells upserted');
    this.tooOld = metrics.counter('rollup_samples_expired_total', 'Samples older than the rollup retention, not rolled up');
  }

  async start(): Promise<void> {
    await this.messaging.subscribe({
      topic: TOPICS.metricsSamples.name,
      groupId: 'ingestion-rollups',
      codec: sampleBatchCodec,
      handle: async (batch) => {
        const horizon = Date.now() - this.config.ROLLUP_RETENTION_DAYS * 86_400_000;
        const series = batch.series.map((s) => ({ metric: s.metric, samples: s.samples.filter((p) => p.timestampMs >= horizon) }));
        const dropped = batch.series.reduce((n, s) => n + s.samples.length, 0) - series.reduce((n, s) => n + s.samples.length, 0);
        if (dropped > 0) this.tooOld.inc(dropped);
        const cells = rollUp(entityKey(batch.entity!), series);
        await this.store.upsert(batch.entity!.tenant, cells);
        this.cells.inc(cells.length);
      },
    });
    const expire = () => this.store.dropExpired(Date.now(), this.config.ROLLUP_RETENTION_DAYS).then(
      (dropped) => dropped.length > 0 && this.logger.log(`dropped expired rollup partitions ${dropped.join(', ')}`, 'Rollups'),
      (e: Error) => this.logger.warn(`rollup retention failed: ${e.message}`, 'Rollups'),
    );
    void expire();
    this.retentionTimer = setInterval(expire, 3_600_000);
  }

  onApplicationShutdown(): void {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
  }
}
