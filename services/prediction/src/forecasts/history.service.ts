import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityKind, EntityRef, entityKey, Forecast, Horizon as ContractHorizon, PredictionEvent, TOPICS, METRICS, SampleBatch } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, predictionEventCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { PredictionConfig } from '../config/prediction.config';
import { ForecastError, ForecastRequest, HORIZONS, Horizon, prescientForecaster, SeriesBuffer } from '../domain';
import { forecastToContract } from '../domain/to-contract';
import { ForecastStore } from './forecast-store.service';

/** Quantiles every published forecast carries; a gRPC caller may ask for others. */
export const PUBLISHED_QUANTILES = [0.1, 0.5, 0.9, 0.95, 0.99];

interface TrackedSeries {
  entity: EntityRef;
  metric: string;
  buffer: SeriesBuffer;
  refitTimer?: NodeJS.Timeout;
}

/**
 * Each entity's recent history, in memory and bounded; refits a series shortly after new samples
 * arrive (debounced) and publishes the forecasts of every horizon to predictions.v1, then stores them.
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

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: PredictionConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly store: ForecastStore,
  ) {
    this.tracked = metrics.gauge('series_tracked', 'Series whose history is held in memory');
    this.evicted = metrics.counter('series_evicted_total', 'Series dropped from memory to stay under PREDICTION_MAX_SERIES');
    this.refits = metrics.counter('refits_total', 'Series refits, by outcome', ['outcome']);
    // What the "Node CPU load prediction is high" / "Node memory usage prediction is high" alerts watch.
    this.nodeCpuPredictedMax = metrics.gauge('node_cpu_predicted_max_ratio', 'Predicted maximum of node CPU use over allocatable in the next 24 h', ['cluster', 'node']);
    this.nodeMemoryPredictedMax = metrics.gauge('node_memory_predicted_max_ratio', 'Predicted maximum of node memory use over allocatable in the next 24 h', ['cluster', 'node']);
    this.refitSeconds = metrics.histogram('refit_duration_seconds', 'Time to fit and forecast every horizon of one series', [], [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]);
  }

  /** Adds a batch's samples to history and schedules the refit of each series it touched. */
  accept(batch: SampleBatch): void {
    const entity = batch.entity!;
    for (const s of batch.series) {
      const key = `${entityKey(entity)}#${s.metric}`;
      let tracked = this.series.get(key);
      if (!tracked) {
        tracked = { entity, metric: s.metric, buffer: new SeriesBuffer({ merge: s.metric === METRICS.memoryWorkingSetBytes ? 'max' : 'mean' }) };
        this.evictIfFull();
      } else {
        this.series.delete(key); // re-insert: Map order is the LRU order
      }
      this.series.set(key, tracked);
      for (const sample of s.samples) tracked.buffer.add(sample.timestampMs, sample.value);
      this.scheduleRefit(tracked);
    }
    this.tracked.set(this.series.size);
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
      await this.messaging.publish(TOPICS.predictions.name, predictionEventCodec, [{ key: entityKey(tracked.entity), tenant: tracked.entity.tenant, value: event }]);
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

  /** Drain: refits already running finish (their forecasts are published and stored). */
  async onApplicationShutdown(): Promise<void> {
    for (const tracked of this.series.values()) if (tracked.refitTimer) clearTimeout(tracked.refitTimer);
    await Promise.allSettled([...this.pendingRefits]);
  }
}
