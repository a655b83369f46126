import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { entityKey, SampleBatch, TOPICS } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, sampleBatchesCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { IngestionConfig } from '../config/ingestion.config';
import { RollupAccumulator, rollUpMany } from '../domain/rollup';
import { foldSeen, restoreSeen, SeenEntitiesService, SeenRow } from '../workloads/seen-entities.service';
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
  private readonly pendingCells = new RollupAccumulator();
  private pendingSeen = new Map<string, SeenRow>();

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
    await this.messaging.subscribeBuffered({
      topic: TOPICS.metricsSamples.name,
      groupId: 'ingestion-rollups',
      codec: sampleBatchesCodec,
      add: (message) => this.fold(message.batches),
      flush: () => this.flush(),
      flushIntervalMs: this.config.ROLLUP_FLUSH_INTERVAL_MS,
      maxBufferedMessages: 5_000,
    });
    const expire = () => this.store.dropExpired(Date.now(), this.config.ROLLUP_RETENTION_DAYS).then(
      (dropped) => dropped.length > 0 && this.logger.log(`dropped expired rollup partitions ${dropped.join(', ')}`, 'Rollups'),
      (e: Error) => this.logger.warn(`rollup retention failed: ${e.message}`, 'Rollups'),
    );
    void expire();
    this.retentionTimer = setInterval(expire, 3_600_000);
  }

  /**
   * Folds one envelope's batches into memory: rollup cells and register rows. Written by `flush`,
   * after which (and only after which) the consumer group commits these messages' offsets; a crash
   * replays them, so `count` and `samples_total` may count a sample twice then, min/max/last never.
   */
  private fold(batches: readonly SampleBatch[]): void {
    const horizon = Date.now() - this.config.ROLLUP_RETENTION_DAYS * 86_400_000;
    let expired = 0;
    for (const batch of batches) {
      const entity = batch.entity!;
      const series = batch.series.map((s) => {
        const samples = s.samples.filter((p) => p.timestampMs >= horizon);
        expired += s.samples.length - samples.length;
        return { metric: s.metric, samples };
      });
      this.pendingCells.add(entity.tenant, rollUpMany([{ entityKey: entityKey(entity), series }]));
      foldSeen(this.pendingSeen, [{ entity, series }]);
    }
    if (expired > 0) this.tooOld.inc(expired);
  }

  /** Writes what was folded: one multi-row upsert per tenant (and per 5,000 cells), then the register. */
  private async flush(): Promise<void> {
    const cells = this.pendingCells.drain();
    const seen = this.pendingSeen;
    this.pendingSeen = new Map();
    const written: string[] = [];
    try {
      for (const [tenant, tenantCells] of cells) {
        await this.store.upsert(tenant, tenantCells);
        this.cells.inc(tenantCells.length);
        written.push(tenant);
      }
      await this.seen.write(seen);
    } catch (error) {
      for (const tenant of written) cells.delete(tenant);
      this.pendingCells.restore(cells);
      restoreSeen(this.pendingSeen, seen);
      throw error;
    }
  }

  onApplicationShutdown(): void {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
  }
}
