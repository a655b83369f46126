import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityKind, EntityRef, entityKey, SampleBatch, SampleBatches, TOPICS } from '@prescient/contracts';
import { EntitySeries, JsonLogger, KafkaMessaging, publishSamples, sampleBatchesCodec, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { expandQuery, matrixToBatches, planChunks, planRun, promqlString, workloadMatchers } from '../domain/backfill';
import { BackfillEnvConfig, BackfillQuery, BackfillSource, loadBackfillSources } from './backfill.config';
import { BackfillProgressStore, ProgressKey } from './backfill-progress.store';
import { BackfillQueryError, QueryRangeClient } from './query-range.client';

export type BackfillRunStatus = 'done' | 'paused' | 'failed' | 'busy' | 'up_to_date';

export interface BackfillRunSummary {
  source: string;
  query: string;
  /** '' for the all-series run, else the workload's entity key. */
  scope: string;
  status: BackfillRunStatus;
  fromMs?: number;
  toMs?: number;
  chunks: number;
  samples: number;
  error?: string;
}

export interface RunOptions {
  /** Backfill one workload only (its matchers go where the query says `$selector`). */
  workload?: EntityRef;
  /** Stop there (ms) instead of now: where the workload's live samples began. */
  endMs?: number;
  /** Stop after this many chunks, leaving the job paused and resumable. */
  maxChunks?: number;
}

const abortableDelay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** A job's lease: renewed with every chunk; another replica may take a job whose lease ran out. */
const LEASE_MS = 10 * 60_000;
/** Samples per message (~20 bytes each on the wire) and per produce call: far below Kafka's 1 MB. */
const MAX_SAMPLES_PER_MESSAGE = 5_000;
const MAX_SAMPLES_PER_PUBLISH = 20_000;
/** Workloads this process has already considered, bounded. */
const MAX_KNOWN_WORKLOADS = 100_000;

/**
 * History from Prometheus-compatible query_range APIs into metrics.samples.v2 (source `backfill`),
 * at the forecaster's step, so predictions need not wait 30 days of live samples:
 * - on start, every query of every source with `onStart`, from `now − lookback` or, on a later
 *   start, from just after the last chunk an earlier run published, to now;
 * - when a workload first shows up on metrics.samples.v2 (a consumer group of its own), its history
 *   up to its first live sample, for sources with `onNewWorkload` — once per workload, and only what
 *   the all-series run has not already covered.
 * A job's progress (the last evaluation timestamp Kafka acknowledged) is kept per tenant, source,
 * query and scope in PostgreSQL, so a stopped or crashed run resumes where it was and nothing is
 * fetched twice; a lease keeps two replicas off one job.
 */
@Injectable()
export class BackfillService implements OnApplicationShutdown {
  private sources: BackfillSource[] = [];
  private readonly clients = new Map<string, QueryRangeClient>();
  private readonly owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly abort = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly known = new Set<string>();
  private readonly runs;
  private readonly requests;
  private readonly chunksFetched;
  private readonly samplesPublished;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: BackfillEnvConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly store: BackfillProgressStore,
  ) {
    this.runs = metrics.counter('backfill_runs_total', 'Backfill job runs, by outcome', ['source', 'outcome']);
    this.requests = metrics.counter('backfill_requests_total', 'query_range requests, by HTTP status (0: network error or timeout)', ['source', 'code']);
    this.chunksFetched = metrics.counter('backfill_chunks_total', 'query_range windows fetched and published', ['source']);
    this.samplesPublished = metrics.counter('backfill_samples_published_total', 'Samples published from backfill', ['source']);
  }

  get sourceNames(): string[] {
    return this.sources.map((s) => s.name);
  }

  /**
   * Loads the sources (a bad file stops the start, naming the key), listens for new workloads, and
   * starts the on-start runs in the background (the service is ready meanwhile).
   */
  async start(options: { runOnStart?: boolean } = {}): Promise<void> {
    const file = this.config.INGESTION_BACKFILL_CONFIG_FILE;
    if (!file) return;
    this.sources = loadBackfillSources(file);
    for (const source of this.sources) {
      this.clients.set(source.name, new QueryRangeClient(source, { onAttempt: (status) => this.requests.inc({ source: source.name, code: String(status) }) }));
    }
    this.logger.log(`backfill from ${this.sources.map((s) => `${s.name} (${s.queries.length} queries)`).join(', ')}`, 'Backfill');
    if (this.sources.some((s) => s.onNewWorkload)) {
      await this.messaging.subscribe({
        topic: TOPICS.metricsSamples.name,
        groupId: 'ingestion-backfill',
        codec: sampleBatchesCodec,
        // Workloads seen before this group existed were covered by the on-start runs.
        fromBeginning: false,
        handle: async (message: SampleBatches) => message.batches.forEach((batch) => this.onBatch(batch)),
      });
    }
    if (options.runOnStart !== false) this.track(this.runOnStart());
  }

  /**
   * Every onStart source's every query (the client bounds concurrency and rate per source). A job
   * whose lease another owner holds — another replica, or this one before a crash — is tried again
   * once that lease has run out, so a crashed run is resumed without waiting for the next start.
   */
  async runOnStart(options: { maxChunks?: number } = {}): Promise<BackfillRunSummary[]> {
    const whenFree = async (source: string, query: string): Promise<BackfillRunSummary> => {
      for (let attempt = 1; ; attempt++) {
        const summary = await this.runJob(source, query, options);
        if (summary.status !== 'busy' || attempt >= 3 || this.abort.signal.aborted) return summary;
        await abortableDelay(LEASE_MS + 1000, this.abort.signal);
      }
    };
    return Promise.all(this.sources.filter((s) => s.onStart).flatMap((s) => s.queries.map((q) => whenFree(s.name, q.name))));
  }

  /** Resolves once every background run (on-start and new-workload) has ended. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track<T>(work: Promise<T>): void {
    const tracked = work.catch((e: Error) => this.logger.error(`backfill: ${e.message}`, 'Backfill')).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private onBatch(batch: SampleBatch): void {
    const entity = batch.entity;
    if (!entity || batch.source === 'backfill' || entity.kind !== EntityKind.ENTITY_KIND_WORKLOAD) return;
    const sources = this.sources.filter((s) => s.onNewWorkload && s.tenant === entity.tenant);
    if (sources.length === 0) return;
    const key = entityKey(entity);
    if (this.known.has(key)) return;
    if (this.known.size >= MAX_KNOWN_WORKLOADS) this.known.clear();
    this.known.add(key);
    const firstSampleMs = Math.min(...batch.series.flatMap((s) => s.samples.map((p) => p.timestampMs)));
    for (const source of sources) {
      for (const query of source.queries) {
        if (query.mapping.kind !== 'workload') continue;
        this.track(this.runJob(source.name, query.name, { workload: entity, endMs: Number.isFinite(firstSampleMs) ? firstSampleMs - 1 : undefined }));
      }
    }
  }

  /** Runs (or resumes) one job to its end, or until `maxChunks`; never throws for a failed query. */
  async runJob(sourceName: string, queryName: string, options: RunOptions = {}): Promise<BackfillRunSummary> {
    const source = this.sources.find((s) => s.name === sourceName);
    const query = source?.queries.find((q) => q.name === queryName);
    if (!source || !query) throw new Error(`no backfill query '${queryName}' in source '${sourceName}'`);
    const { workload } = options;
    const key: ProgressKey = { tenant: source.tenant, source: source.name, queryName: query.name, scope: workload ? entityKey(workload) : '' };
    const summary = (status: BackfillRunStatus, extra: Partial<BackfillRunSummary> = {}): BackfillRunSummary => {
      this.runs.inc({ source: source.name, outcome: status });
      return { source: source.name, query: query.name, scope: key.scope, status, chunks: 0, samples: 0, ...extra };
    };
    const stepSeconds = source.stepMs / 1000;
    const expanded = expandQuery(query.query, workload ? this.matchersFor(source, query, workload) : '');

    const row = await this.store.claim(key, this.owner, LEASE_MS, { query: expanded, stepSeconds });
    if (!row) return summary('busy');
    // A workload is backfilled once: after that its live samples flow.
    if (workload && row.status === 'done') {
      await this.store.finish(key, this.owner, 'done');
      return summary('up_to_date');
    }
    const sameJob = row.query === expanded && row.stepSeconds === stepSeconds;
    if (!sameJob && row.doneUntilMs !== undefined) this.logger.warn(`backfill ${source.name}/${query.name}: the query or step changed; starting over`, 'Backfill');
    let coveredUntilMs: number | undefined;
    if (workload) {
      const all = await this.store.get({ ...key, scope: '' });
      if (all && all.query === expandQuery(query.query, '') && all.stepSeconds === stepSeconds) coveredUntilMs = all.doneUntilMs;
    }
    const nowMs = Date.now();
    const plan = planRun({ nowMs, lookbackMs: source.lookbackMs, stepMs: source.stepMs, endMs: options.endMs, doneUntilMs: sameJob ? row.doneUntilMs : undefined, coveredUntilMs });
    await this.store.begin(key, this.owner, { query: expanded, stepSeconds, windowStartMs: plan?.fromMs ?? nowMs, windowEndMs: plan?.toMs ?? nowMs, restart: !sameJob });
    if (!plan) {
      await this.store.finish(key, this.owner, 'done');
      return summary('up_to_date');
    }

    const client = this.clients.get(source.name)!;
    const chunks = planChunks(plan.fromMs, plan.toMs, source.stepMs, source.maxPointsPerRequest);
    let fetched = 0;
    let samples = 0;
    const ended = (status: BackfillRunStatus, error?: string) => summary(status, { fromMs: plan.fromMs, toMs: plan.toMs, chunks: fetched, samples, ...(error ? { error } : {}) });
    try {
      for (const chunk of chunks) {
        if (this.abort.signal.aborted || (options.maxChunks !== undefined && fetched >= options.maxChunks)) {
          await this.store.finish(key, this.owner, 'paused');
          return ended('paused');
        }
        const result = await client.queryRange(expanded, chunk, this.abort.signal);
        if (result.warnings.length > 0) this.logger.warn(`backfill ${source.name}/${query.name}: the API warns: ${result.warnings.join('; ')}`, 'Backfill');
        const mapped = matrixToBatches({ tenant: source.tenant, cluster: source.cluster, metric: query.metric, mapping: query.mapping, combine: query.combine, maxSamplesPerBatch: MAX_SAMPLES_PER_MESSAGE }, result.series);
        const batches = workload ? mapped.batches.filter((b) => entityKey(b.entity) === key.scope) : mapped.batches;
        const published = await this.publish(source.tenant, batches);
        if (!(await this.store.advance(key, this.owner, chunk.endMs, published, LEASE_MS))) {
          this.logger.warn(`backfill ${source.name}/${query.name}: lease lost to another replica; stopping`, 'Backfill');
          return ended('busy');
        }
        fetched++;
        samples += published;
        this.chunksFetched.inc({ source: source.name });
        this.samplesPublished.inc({ source: source.name }, published);
      }
      await this.store.finish(key, this.owner, 'done');
      this.logger.log(`backfill ${source.name}/${query.name}${workload ? ` for ${workload.namespace}/${workload.name}` : ''}: ${samples} samples in ${fetched} chunks`, 'Backfill');
      return ended('done');
    } catch (error) {
      const aborted = error instanceof BackfillQueryError && error.reason === 'aborted';
      const message = (error as Error).message;
      await this.store.finish(key, this.owner, aborted ? 'paused' : 'failed', aborted ? undefined : message).catch(() => undefined);
      if (!aborted) this.logger.warn(`backfill ${source.name}/${query.name} failed: ${message}`, 'Backfill');
      return ended(aborted ? 'paused' : 'failed', aborted ? undefined : message);
    }
  }

  /** One workload's matchers, plus its cluster when the source serves several. */
  private matchersFor(source: BackfillSource, query: BackfillQuery, workload: EntityRef): string {
    if (query.mapping.kind !== 'workload') return '';
    const own = workloadMatchers(query.mapping, workload);
    return workload.cluster === source.cluster ? own : `${own},${query.mapping.clusterLabel}=${promqlString(workload.cluster)}`;
  }

  /** Publishes and resolves once Kafka has every batch; returns the samples published. */
  private async publish(tenant: string, batches: { entity: EntityRef; metric: string; samples: { timestampMs: number; value: number }[] }[]): Promise<number> {
    let total = 0;
    let group: EntitySeries[] = [];
    let inGroup = 0;
    const flush = async () => {
      if (group.length > 0) await publishSamples(this.messaging, tenant, 'backfill', group);
      group = [];
      inGroup = 0;
    };
    for (const b of batches) {
      if (inGroup + b.samples.length > MAX_SAMPLES_PER_PUBLISH) await flush();
      group.push({ entity: b.entity, series: [{ metric: b.metric, samples: b.samples }] });
      inGroup += b.samples.length;
      total += b.samples.length;
    }
    await flush();
    return total;
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.idle();
    for (const client of this.clients.values()) client.close();
  }
}
