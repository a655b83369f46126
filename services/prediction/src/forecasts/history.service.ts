import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityKind, EntityRef, entityKey, Forecast, Horizon as ContractHorizon, PredictionEvent, TOPICS, METRICS, SampleBatch } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, predictionEventCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { PredictionConfig } from '../config/prediction.config';
import { ForecastError, ForecastRequest, HORIZONS, Horizon, prescientForecaster, SeriesBuffer } from '../domain';
import { forecastToContract } from '../domain/to-contract';
import { DriftMonitor, ForecastBand, refitDue } from '../domain/drift';
import { ForecastStore } from './forecast-store.service';
import { HistoryStore } from './history-store.service';

/** Quantiles every published forecast carries; a gRPC caller may ask for others. */
export const PUBLISHED_QUANTILES = [0.1, 0.5, 0.9, 0.95, 0.99];

interface TrackedSeries {
  entity: EntityRef;
  /** entityKey(entity), kept: the snapshot rows are keyed by it. */
  entityKey: string;
  metric: string;
  buffer: SeriesBuffer;
  refitTimer?: NodeJS.Timeout;
  /** Scores completed steps against the last 24 h forecast's band; undefined until the first fit. */
  monitor?: DriftMonitor;
  /** Newest step (start, ms) that has received a sample; scored once a newer step begins. */
  openStepMs?: number;
  /** Changed since its history was last saved. */
  dirty: boolean;
}

/**
 * Each entity's recent history, in memory and bounded, saved to PostgreSQL every
 * PREDICTION_SNAPSHOT_INTERVAL_MS and on shutdown, and loaded back when a series is next seen (after
 * a restart, or on the instance a rebalance hands it to). A series is refitted the first time, every
 * PREDICTION_REFIT_INTERVAL_MS while samples arrive, and as soon as its newest steps leave the last
 * forecast's band far more often than a calibrated band would (drift); refits are debounced, and
 * each publishes the forecasts of every horizon to predictions.v1, then stores them.
 */
@Injectable()
export class HistoryService implements OnApplicationShutdown {
  private readonly series = new Map<string, TrackedSeries>();
  private readonly forecaster = prescientForecaster;
  private readonly pendingRefits = new Set<Promise<void>>();
  private readonly tracked;
  private readonly evicted;
  private readonly refits;
  private readonly refitSeconds;
  private readonly nodeCpuPredictedMax;
  private readonly nodeMemoryPredictedMax;
  private readonly triggers;
  private readonly restored;
  private snapshotTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: PredictionConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly store: ForecastStore,
    private readonly histories: HistoryStore,
  ) {
    this.triggers = metrics.counter('refit_triggers_total', 'Why series were scheduled for a refit', ['reason']);
    this.restored = metrics.counter('series_history_restored_total', 'Series whose history was loaded back from PostgreSQL');
    this.tracked = metrics.gauge('series_tracked', 'Series whose history is held in memory');
    this.evicted = metrics.counter('series_evicted_total', 'Series dropped from memory to stay under PREDICTION_MAX_SERIES');
    this.refits = metrics.counter('refits_total', 'Series refits, by outcome', ['outcome']);
    // What the "Node CPU load prediction is high" / "Node memory usage prediction is high" alerts watch.
    this.nodeCpuPredictedMax = metrics.gauge('node_cpu_predicted_max_ratio', 'Predicted maximum of node CPU use over allocatable in the next 24 h', ['cluster', 'node']);
    this.nodeMemoryPredictedMax = metrics.gauge('node_memory_predicted_max_ratio', 'Predicted maximum of node memory use over allocatable in the next 24 h', ['cluster', 'node']);
    this.refitSeconds = metrics.histogram('refit_duration_seconds', 'Time to fit and forecast every horizon of one series', [], [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]);
  }

  /** Starts saving changed histories every PREDICTION_SNAPSHOT_INTERVAL_MS. */
  startSnapshots(): void {
    this.snapshotTimer = setInterval(() => {
      this.saveHistories().catch((e: Error) => this.logger.warn(`history snapshot failed: ${e.message}; retrying next interval`, 'History'));
    }, this.config.PREDICTION_SNAPSHOT_INTERVAL_MS);
    this.snapshotTimer.unref();
  }

  /**
   * Adds batches' samples to history, loading back the saved history of series not held yet, and
   * schedules a refit of each series that is due (first fit, schedule, drift).
   */
  async accept(batches: readonly SampleBatch[]): Promise<void> {
    await this.restoreMissing(batches);
    const now = Date.now();
    for (const batch of batches) {
      const entity = batch.entity!;
      const key = entityKey(entity);
      for (const s of batch.series) {
        const tracked = this.touch(key, entity, s.metric);
        for (const sample of s.samples) {
          if (tracked.buffer.add(sample.timestampMs, sample.value) !== 'accepted') continue;
          tracked.dirty = true;
          this.scoreClosedSteps(tracked, sample.timestampMs);
        }
        const reason = refitDue(tracked.monitor, now, this.config.PREDICTION_REFIT_INTERVAL_MS);
        if (reason && !tracked.refitTimer) this.triggers.inc({ reason });
        if (reason) this.scheduleRefit(tracked);
      }
    }
    this.tracked.set(this.series.size);
  }

  /** The tracked series (created empty if new), moved to the most recently used end. */
  private touch(entityKeyText: string, entity: EntityRef, metric: string, buffer?: SeriesBuffer): TrackedSeries {
    const key = `${entityKeyText}#${metric}`;
    let tracked = this.series.get(key);
    if (!tracked) {
      this.evictIfFull();
      tracked = { entity, entityKey: entityKeyText, metric, buffer: buffer ?? new SeriesBuffer({ merge: metric === METRICS.memoryWorkingSetBytes ? 'max' : 'mean' }), dirty: false };
    } else {
      this.series.delete(key); // re-insert: Map order is the LRU order
    }
    this.series.set(key, tracked);
    return tracked;
  }

  /** A sample in a newer step closes the open one: its merged value is scored against the band. */
  private scoreClosedSteps(tracked: TrackedSeries, timestampMs: number): void {
    const stepMs = tracked.buffer.stepSeconds * 1000;
    const step = Math.floor(timestampMs / stepMs) * stepMs;
    if (tracked.openStepMs === undefined || step < tracked.openStepMs) {
      tracked.openStepMs ??= step;
      return;
    }
    if (step > tracked.openStepMs) {
      tracked.monitor?.score(tracked.openStepMs, tracked.buffer.valueAt(tracked.openStepMs));
      tracked.openStepMs = step;
    }
  }

  private async restoreMissing(batches: readonly SampleBatch[]): Promise<void> {
    const byTenant = new Map<string, Map<string, { entityKey: string; metric: string; entity: EntityRef }>>();
    for (const batch of batches) {
      const entity = batch.entity!;
      const key = entityKey(entity);
      for (const s of batch.series) {
        if (this.series.has(`${key}#${s.metric}`)) continue;
        let wanted = byTenant.get(entity.tenant);
        if (!wanted) byTenant.set(entity.tenant, (wanted = new Map()));
        wanted.set(`${key}#${s.metric}`, { entityKey: key, metric: s.metric, entity });
      }
    }
    for (const [tenant, wanted] of byTenant) {
      const saved = await this.histories.load(tenant, [...wanted.values()]);
      for (const row of saved) {
        const entity = wanted.get(`${row.entityKey}#${row.metric}`)!.entity;
        try {
          this.touch(row.entityKey, entity, row.metric, SeriesBuffer.fromBytes(row.buffer));
          this.restored.inc();
        } catch (error) {
          this.logger.warn(`saved history of ${row.metric} unreadable, starting afresh: ${(error as Error).message}`, 'History');
        }
      }
    }
  }

  /** Saves every history changed since its last save. */
  async saveHistories(): Promise<number> {
    const dirty = [...this.series.values()].filter((t) => t.dirty);
    for (const t of dirty) t.dirty = false;
    try {
      await this.histories.save(dirty.map((t) => ({ tenant: t.entity.tenant, entityKey: t.entityKey, metric: t.metric, buffer: t.buffer.toBytes() })));
    } catch (error) {
      for (const t of dirty) t.dirty = true;
      throw error;
    }
    return dirty.length;
  }

  /** Forecasts from memory for arbitrary quantiles (gRPC); undefined when the series is not held. */
  forecastNow(entity: EntityRef, metric: string, horizon: Horizon, quantiles: number[]): Forecast | undefined {
    const tracked = this.series.get(`${entityKey(entity)}#${metric}`);
    if (!tracked) return undefined;
    const request: ForecastRequest = { metric, horizon, quantiles };
    const domain = this.forecaster.forecast(tracked.buffer.toArray(), request);
    return forecastToContract(entity, domain, Date.now(), tracked.buffer.lastSampleMs ?? 0);
  }

  private scheduleRefit(tracked: TrackedSeries): void {
    if (tracked.refitTimer) clearTimeout(tracked.refitTimer);
    tracked.refitTimer = setTimeout(() => {
      tracked.refitTimer = undefined;
      const run = this.refit(tracked).finally(() => this.pendingRefits.delete(run));
      this.pendingRefits.add(run);
    }, this.config.PREDICTION_REFIT_DEBOUNCE_MS);
  }

  private async refit(tracked: TrackedSeries): Promise<void> {
    const end = this.refitSeconds.startTimer();
    const generatedAtMs = Date.now();
    const snapshot = tracked.buffer.toArray();
    const forecasts: Forecast[] = [];
    try {
      for (const horizon of Object.keys(HORIZONS) as Horizon[]) {
        const domain = this.forecaster.forecast(snapshot, { metric: tracked.metric, horizon, quantiles: PUBLISHED_QUANTILES });
        forecasts.push(forecastToContract(tracked.entity, domain, generatedAtMs, tracked.buffer.lastSampleMs ?? 0));
      }
      tracked.monitor = new DriftMonitor(bandOf(forecasts.find((f) => f.horizon === ContractHorizon.HORIZON_24H)!, generatedAtMs));
    } catch (error) {
      const outcome = error instanceof ForecastError ? error.reason : 'error';
      this.refits.inc({ outcome });
      if (!(error instanceof ForecastError)) this.logger.error(`refit of ${tracked.metric} failed: ${(error as Error).message}`, 'History');
      end();
      return;
    }
    end();
    try {
      const event: PredictionEvent = { entity: tracked.entity, metric: tracked.metric, forecasts };
      await this.messaging.publish(TOPICS.predictions.name, predictionEventCodec, [{ key: tracked.entityKey, tenant: tracked.entity.tenant, value: event }]);
      await this.store.save(forecasts);
      this.exportNodePrediction(tracked, forecasts);
      this.refits.inc({ outcome: 'published' });
    } catch (error) {
      this.refits.inc({ outcome: 'publish_failed' });
      this.logger.warn(`forecast of ${tracked.metric} not published: ${(error as Error).message}; retrying on the next batch`, 'History');
    }
  }

  private exportNodePrediction(tracked: TrackedSeries, forecasts: Forecast[]): void {
    if (tracked.entity.kind !== EntityKind.ENTITY_KIND_NODE) return;
    const gauge = tracked.metric === METRICS.nodeCpuUtilisationRatio ? this.nodeCpuPredictedMax : tracked.metric === METRICS.nodeMemoryUtilisationRatio ? this.nodeMemoryPredictedMax : undefined;
    const day = forecasts.find((f) => f.horizon === ContractHorizon.HORIZON_24H);
    if (gauge && day) gauge.set({ cluster: tracked.entity.cluster, node: tracked.entity.name }, day.windowMax);
  }

  private evictIfFull(): void {
    while (this.series.size >= this.config.PREDICTION_MAX_SERIES) {
      const [oldestKey, oldest] = this.series.entries().next().value as [string, TrackedSeries];
      if (oldest.refitTimer) clearTimeout(oldest.refitTimer);
      this.series.delete(oldestKey);
      this.evicted.inc();
    }
  }

  /** Drain: refits already running finish (their forecasts are published and stored), then histories are saved. */
  async onApplicationShutdown(): Promise<void> {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    for (const tracked of this.series.values()) if (tracked.refitTimer) clearTimeout(tracked.refitTimer);
    await Promise.allSettled([...this.pendingRefits]);
    const saved = await this.saveHistories().catch((e: Error) => {
      this.logger.error(`history not saved on shutdown: ${e.message}`, {}, 'History');
      return 0;
    });
    this.logger.log(`saved the history of ${saved} series`, 'History');
  }
}

/** The 0.1–0.9 band of a 24 h forecast, what drift is measured against. */
function bandOf(day: Forecast, fittedAtMs: number): ForecastBand {
  const at = (q: number) => Float64Array.from(day.points, (p) => p.quantiles.find((v) => v.quantile === q)?.value ?? Number.NaN);
  return { fittedAtMs, startMs: day.startMs, stepMs: day.stepSeconds * 1000, lower: at(0.1), upper: at(0.9) };
}
