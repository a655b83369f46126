import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger, KafkaMessaging, publishSamples, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { EMPTY_SCRAPE_STATE, evaluateScrape, ExpositionError, negotiateFormat, parseExposition, SCRAPE_ACCEPT_HEADER, ScrapeState } from '../domain/exposition';
import { redact } from './config-file';
import { agentFor, HttpRequestError, sendRequest } from './http-client';
import { loadScrapeTargets, ScrapeEnvConfig, ScrapeTarget } from './scrape.config';

/** Every outcome a scrape can have: a closed set, as it is a metric label. */
export type ScrapeOutcome =
  | 'ok'
  | 'unauthorized'
  | 'http_error'
  | 'timeout'
  | 'network_error'
  | 'body_too_large'
  | 'unsupported_content_type'
  | 'parse_error'
  | 'too_many_series'
  | 'publish_failed';

export interface ScrapeResult {
  target: string;
  outcome: ScrapeOutcome;
  /** Samples in the exposition. */
  samplesScraped: number;
  /** Canonical samples published to metrics.samples.v2. */
  samplesPublished: number;
  /** What went wrong, for logs (never holds the token). */
  detail?: string;
}

interface TargetRuntime {
  target: ScrapeTarget;
  agent: HttpAgent | HttpsAgent;
  state: ScrapeState;
  timer?: NodeJS.Timeout;
  inFlight?: Promise<ScrapeResult>;
  lastOutcome?: ScrapeOutcome;
}

/**
 * Pulls Prometheus/OpenMetrics endpoints on their intervals and publishes what they mean in
 * canonical metrics as SampleBatches (source `scrape`) of the entity each target names.
 * Per target: the first scrape at a stable offset within the interval (a hash of its name, as
 * Prometheus spreads targets), never two at once (the next one is scheduled when one ends, missed
 * ticks are skipped), a timeout through an AbortController, and the Bearer token read for each
 * scrape and never logged.
 */
@Injectable()
export class ScrapeService implements OnApplicationShutdown {
  private readonly runtimes = new Map<string, TargetRuntime>();
  private stopped = false;
  private readonly shutdown = new AbortController();
  private readonly scrapes;
  private readonly duration;
  private readonly samplesScraped;
  private readonly samplesPublished;
  private readonly up;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ScrapeEnvConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.scrapes = metrics.counter('scrapes_total', 'Scrapes of configured targets, by outcome', ['target', 'outcome']);
    this.duration = metrics.histogram('scrape_duration_seconds', 'Time a scrape took, request to publish', ['target'], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
    this.samplesScraped = metrics.gauge('scrape_samples_scraped', 'Samples in the last exposition of a target', ['target']);
    this.samplesPublished = metrics.counter('scrape_samples_published_total', 'Canonical samples published from scrapes', ['target']);
    this.up = metrics.gauge('scrape_target_up', '1 if the last scrape of a target succeeded, else 0', ['target']);
  }

  get targets(): string[] {
    return [...this.runtimes.keys()];
  }

  /** Loads the targets (a bad config file stops the start, naming the key) and starts their loops. */
  async start(options: { schedule?: boolean } = {}): Promise<void> {
    const file = this.config.INGESTION_SCRAPE_CONFIG_FILE;
    if (!file) return;
    const targets = loadScrapeTargets(file);
    for (const target of targets) {
      this.runtimes.set(target.name, { target, agent: agentFor(target.url, target.tls), state: EMPTY_SCRAPE_STATE });
      this.up.set({ target: target.name }, 0);
    }
    this.logger.log(`scraping ${targets.length} target(s): ${targets.map((t) => `${t.name} every ${t.intervalMs / 1000} s`).join(', ')}`, 'Scrape');
    if (options.schedule === false) return;
    const now = Date.now();
    for (const runtime of this.runtimes.values()) {
      const offset = stableOffset(runtime.target.name, runtime.target.intervalMs);
      // The first tick at the target's offset within the interval grid, as Prometheus' scrape loop does.
      const first = Math.floor(now / runtime.target.intervalMs) * runtime.target.intervalMs + offset;
      this.schedule(runtime, first <= now ? first + runtime.target.intervalMs : first);
    }
  }

  private schedule(runtime: TargetRuntime, atMs: number): void {
    if (this.stopped) return;
    runtime.timer = setTimeout(() => {
      void this.scrapeTarget(runtime).finally(() => {
        // The next tick on the grid after this scrape ended: never overlapping, skipping missed ticks.
        let next = atMs + runtime.target.intervalMs;
        const now = Date.now();
        while (next <= now) next += runtime.target.intervalMs;
        this.schedule(runtime, next);
      });
    }, Math.max(0, atMs - Date.now()));
  }

  /** Scrapes one target now (waits for a scrape already running instead of starting a second one). */
  async scrapeOnce(name: string): Promise<ScrapeResult> {
    const runtime = this.runtimes.get(name);
    if (!runtime) throw new Error(`no scrape target named '${name}'`);
    if (runtime.inFlight) await runtime.inFlight.catch(() => undefined);
    return this.scrapeTarget(runtime);
  }

  private scrapeTarget(runtime: TargetRuntime): Promise<ScrapeResult> {
    if (runtime.inFlight) return runtime.inFlight;
    const run = this.scrape(runtime).finally(() => {
      runtime.inFlight = undefined;
    });
    runtime.inFlight = run;
    return run;
  }

  private async scrape(runtime: TargetRuntime): Promise<ScrapeResult> {
    const { target } = runtime;
    const started = Date.now();
    const stopTimer = this.duration.startTimer({ target: target.name });
    let token: string | undefined;
    const done = (outcome: ScrapeOutcome, samplesScraped: number, samplesPublished: number, detail?: string): ScrapeResult => {
      stopTimer();
      this.scrapes.inc({ target: target.name, outcome });
      this.up.set({ target: target.name }, outcome === 'ok' ? 1 : 0);
      const safeDetail = detail === undefined ? undefined : redact(detail, token);
      // Logged when a target's outcome changes, so a target that is down does not flood the log.
      if (outcome !== runtime.lastOutcome) {
        if (outcome === 'ok') this.logger.log(`scrape target '${target.name}' is up`, 'Scrape');
        else this.logger.warn(`scrape of target '${target.name}' failed (${outcome}): ${safeDetail ?? ''}`, 'Scrape');
      }
      runtime.lastOutcome = outcome;
      return { target: target.name, outcome, samplesScraped, samplesPublished, ...(safeDetail !== undefined ? { detail: safeDetail } : {}) };
    };

    let response;
    try {
      token = await target.token();
      const headers: Record<string, string> = {
        accept: SCRAPE_ACCEPT_HEADER,
        'accept-encoding': 'gzip',
        'user-agent': 'prescient-ingestion',
        'x-prometheus-scrape-timeout-seconds': String(target.timeoutMs / 1000),
      };
      if (token) headers.authorization = `Bearer ${token}`;
      response = await sendRequest(target.url, { headers, timeoutMs: target.timeoutMs, maxBodyBytes: target.maxBodyBytes, agent: runtime.agent, signal: this.shutdown.signal });
    } catch (error) {
      if (error instanceof HttpRequestError) {
        const outcome: ScrapeOutcome = error.kind === 'timeout' ? 'timeout' : error.kind === 'body_too_large' ? 'body_too_large' : 'network_error';
        return done(outcome, 0, 0, error.message);
      }
      return done('network_error', 0, 0, (error as Error).message);
    }
    if (response.status === 401 || response.status === 403) return done('unauthorized', 0, 0, `HTTP ${response.status} from ${target.url.origin}${target.url.pathname}`);
    if (response.status < 200 || response.status > 299) return done('http_error', 0, 0, `HTTP ${response.status} from ${target.url.origin}${target.url.pathname}`);
    const negotiated = negotiateFormat(response.headers['content-type']);
    if ('unsupported' in negotiated) return done('unsupported_content_type', 0, 0, `Content-Type ${negotiated.unsupported} is neither OpenMetrics nor the Prometheus text format`);

    let exposition;
    try {
      exposition = parseExposition(response.body.toString('utf8'), negotiated.format, target.limits);
    } catch (error) {
      if (!(error instanceof ExpositionError)) throw error;
      return done(error.reason === 'too_many_series' ? 'too_many_series' : 'parse_error', 0, 0, `${negotiated.format}: ${error.message}`);
    }
    this.samplesScraped.set({ target: target.name }, exposition.sampleCount);

    const evaluation = evaluateScrape(target.rules, exposition, started, runtime.state);
    runtime.state = evaluation.state;
    if (evaluation.values.length === 0) return done('ok', exposition.sampleCount, 0);
    const series = evaluation.values.map((v) => ({ metric: v.metric, samples: [{ timestampMs: started, value: v.value }] }));
    const entity = target.entity;
    try {
      await publishSamples(this.messaging, entity.tenant, 'scrape', [{ entity, series }]);
    } catch (error) {
      return done('publish_failed', exposition.sampleCount, 0, `Kafka did not acknowledge: ${(error as Error).message}`);
    }
    this.samplesPublished.inc({ target: target.name }, series.length);
    return done('ok', exposition.sampleCount, series.length);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const runtime of this.runtimes.values()) if (runtime.timer) clearTimeout(runtime.timer);
    this.shutdown.abort();
    await Promise.all([...this.runtimes.values()].map((r) => r.inFlight?.catch(() => undefined)));
    for (const runtime of this.runtimes.values()) runtime.agent.destroy();
  }
}

/** A stable offset in [0, interval) from the target's name (FNV-1a), so restarts keep the spread. */
export function stableOffset(name: string, intervalMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % intervalMs;
}
