import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { apiError, isRetryableStatus, parseQueryRangeResponse, parseRetryAfter, QueryRangeResult, RangeWindow, reserve, retryDelayMs, TokenBucket, fullBucket } from '../domain/backfill';
import { redact } from '../scrape/config-file';
import { agentFor, HttpRequestError, HttpResponse, sendRequest } from '../scrape/http-client';
import { BackfillSource } from './backfill.config';

/** A query that cannot succeed as asked (a 4xx other than 429, an answer that does not parse), or retries ran out. */
export class BackfillQueryError extends Error {
  override readonly name = 'BackfillQueryError';

  constructor(
    /** Closed set, for metrics: `bad_request`, `unauthorized`, `invalid_response`, `retries_exhausted`, `aborted`. */
    readonly reason: 'bad_request' | 'unauthorized' | 'invalid_response' | 'retries_exhausted' | 'aborted',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface QueryRangeClientHooks {
  /** Called for each HTTP attempt: its status (0 for a network failure or timeout). */
  onAttempt?(status: number): void;
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  random?(): number;
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * `/api/v1/query_range` of one source, shared by all of its jobs: at most `maxConcurrentRequests`
 * in flight and `requestsPerSecond` started (a token bucket), retried with backoff on 429, 5xx,
 * timeouts and network errors, and refused at once, with the API's own errorType and message, on
 * any other 4xx. POST with a form body, which Prometheus, Thanos and VictoriaMetrics all accept,
 * so long queries are not cut by URL limits.
 */
export class QueryRangeClient {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly url: URL;
  private bucket: TokenBucket;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly source: BackfillSource, private readonly hooks: QueryRangeClientHooks = {}) {
    this.url = new URL(`${source.baseUrl}/api/v1/query_range`);
    this.agent = agentFor(this.url, source.tls);
    this.bucket = fullBucket(Math.max(1, Math.ceil(source.requestsPerSecond)), Date.now());
  }

  async queryRange(query: string, window: RangeWindow, signal: AbortSignal): Promise<QueryRangeResult> {
    const sleep = this.hooks.sleep ?? abortableSleep;
    const random = this.hooks.random ?? Math.random;
    const form = new URLSearchParams({
      query,
      start: String(window.startMs / 1000),
      end: String(window.endMs / 1000),
      step: String(this.source.stepMs / 1000),
      timeout: `${Math.max(1, Math.floor(this.source.timeoutMs / 1000) - 1)}s`,
    }).toString();
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new BackfillQueryError('aborted', 'backfill stopped');
      let response: HttpResponse | undefined;
      let failure: string;
      let retryAfterMs: number | undefined;
      let token: string | undefined;
      await this.acquire(signal);
      try {
        token = await this.source.token();
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'accept-encoding': 'gzip', 'user-agent': 'prescient-ingestion' };
        if (token) headers.authorization = `Bearer ${token}`;
        response = await sendRequest(this.url, { method: 'POST', headers, body: form, timeoutMs: this.source.timeoutMs, maxBodyBytes: this.source.maxBodyBytes, agent: this.agent, signal });
      } catch (error) {
        if (error instanceof HttpRequestError && error.kind === 'aborted') throw new BackfillQueryError('aborted', 'backfill stopped');
        if (error instanceof HttpRequestError && error.kind === 'body_too_large') throw new BackfillQueryError('invalid_response', `${error.message}; use a smaller maxPointsPerRequest`);
        failure = redact((error as Error).message, token);
      } finally {
        this.release();
      }
      this.hooks.onAttempt?.(response?.status ?? 0);
      if (response) {
        const { status } = response;
        if (status >= 200 && status < 300) return this.parse(response);
        const api = safeJson(response.body);
        const detail = apiError(api);
        const said = detail ? `${detail.errorType}: ${detail.error}` : response.body.toString('utf8', 0, Math.min(response.body.length, 300)).trim();
        if (!isRetryableStatus(status)) {
          const reason = status === 401 || status === 403 ? 'unauthorized' : 'bad_request';
          throw new BackfillQueryError(reason, `${this.source.name}: query_range answered ${status} ${redact(said, token)}`, status);
        }
        failure = `HTTP ${status} ${redact(said, token)}`;
        retryAfterMs = parseRetryAfter(headerValue(response.headers['retry-after']), Date.now());
      }
      const delay = retryDelayMs(this.source.retry, attempt, random(), retryAfterMs);
      if (delay === undefined) throw new BackfillQueryError('retries_exhausted', `${this.source.name}: query_range failed ${attempt} times; last: ${failure!}`);
      await sleep(delay, signal);
    }
  }

  private parse(response: HttpResponse): QueryRangeResult {
    let body: unknown;
    try {
      body = JSON.parse(response.body.toString('utf8'));
    } catch (error) {
      throw new BackfillQueryError('invalid_response', `${this.source.name}: query_range answered with invalid JSON: ${(error as Error).message}`);
    }
    try {
      return parseQueryRangeResponse(body, { maxSeries: this.source.maxSeriesPerQuery, maxPointsPerSeries: this.source.maxPointsPerRequest });
    } catch (error) {
      throw new BackfillQueryError('invalid_response', `${this.source.name}: query_range answer refused at ${(error as Error).message}`);
    }
  }

  /** A concurrency slot, then a token (waiting for it if the rate says so). */
  private async acquire(signal: AbortSignal): Promise<void> {
    // A released slot is handed straight to the next waiter, so no newcomer can slip past the limit.
    if (this.active >= this.source.maxConcurrentRequests) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    const burst = Math.max(1, Math.ceil(this.source.requestsPerSecond));
    const r = reserve(this.bucket, Date.now(), this.source.requestsPerSecond, burst);
    this.bucket = r.bucket;
    if (r.waitMs > 0) await (this.hooks.sleep ?? abortableSleep)(r.waitMs, signal);
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  close(): void {
    this.agent.destroy();
  }
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
