import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { BackfillSource } from './backfill.config';
import { BackfillQueryError, QueryRangeClient } from './query-range.client';

const SECRET = 'prom-token-abcdef123456';
const matrix = (values: [number, string][]) => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { namespace: 'n' }, values }] } });

describe('QueryRangeClient against a local HTTP server', () => {
  let server: Server;
  let port: number;
  const seen: { body: URLSearchParams; auth?: string; at: number }[] = [];
  let respond: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_q, res) => res.end(matrix([]));

  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        seen.push({ body: new URLSearchParams(data), auth: req.headers.authorization, at: Date.now() });
        respond(req, res, seen.length);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  beforeEach(() => void seen.splice(0));

  const source = (over: Partial<BackfillSource> = {}): BackfillSource => ({
    name: 'prom', baseUrl: `http://127.0.0.1:${port}`, tenant: 't', cluster: 'c', token: async () => SECRET, lookbackMs: 0, stepMs: 300_000,
    maxPointsPerRequest: 100, maxConcurrentRequests: 2, requestsPerSecond: 1000, timeoutMs: 2000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1500 }, maxSeriesPerQuery: 10, maxBodyBytes: 1 << 20, onStart: true, onNewWorkload: false, queries: [],
    ...over,
  });
  const window = { startMs: 1_700_000_100_000, endMs: 1_700_000_400_000, points: 2 };
  const signal = new AbortController().signal;

  async function refusal(promise: Promise<unknown>): Promise<BackfillQueryError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof BackfillQueryError) return error;
      throw error;
    }
    throw new Error('expected a BackfillQueryError');
  }

  it('POSTs query, start, end and step in seconds with the Bearer token, and parses the matrix', async () => {
    respond = (_q, res) => res.end(matrix([[1_700_000_100, '1'], [1_700_000_400, '2']]));
    const client = new QueryRangeClient(source());
    const out = await client.queryRange('up{$x}', window, signal);
    client.close();
    expect(out.series[0].samples).toEqual([{ timestampMs: 1_700_000_100_000, value: 1 }, { timestampMs: 1_700_000_400_000, value: 2 }]);
    expect(Object.fromEntries(seen[0].body)).toEqual({ query: 'up{$x}', start: '1700000100', end: '1700000400', step: '300', timeout: '1s' });
    expect(seen[0].auth).toBe(`Bearer ${SECRET}`);
  });

  it('retries 503 and 429, honouring Retry-After, then succeeds', async () => {
    respond = (_q, res, n) => {
      if (n === 1) return void res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' }));
      if (n === 2) return void res.writeHead(429, { 'retry-after': '1' }).end('slow down');
      res.end(matrix([[1_700_000_100, '1']]));
    };
    const statuses: number[] = [];
    const client = new QueryRangeClient(source(), { onAttempt: (s) => statuses.push(s) });
    await client.queryRange('up', window, signal);
    client.close();
    expect(statuses).toEqual([503, 429, 200]);
    expect(seen[2].at - seen[1].at).toBeGreaterThanOrEqual(950);
  });

  it('gives up after maxAttempts with the last failure', async () => {
    respond = (_q, res) => void res.writeHead(502).end('bad gateway');
    const client = new QueryRangeClient(source());
    const error = await refusal(client.queryRange('up', window, signal));
    client.close();
    expect(error.reason).toBe('retries_exhausted');
    expect(error.message).toBe('prom: query_range failed 3 times; last: HTTP 502 bad gateway');
    expect(seen).toHaveLength(3);
  });

  it('fails at once on 400 with the API\'s errorType and message, and on 401, never echoing the token', async () => {
    respond = (_q, res) => void res.writeHead(400).end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: `1:5: parse error: unexpected "}" (token ${SECRET})` }));
    const client = new QueryRangeClient(source());
    const bad = await refusal(client.queryRange('up}', window, signal));
    expect([bad.reason, bad.status, seen.length]).toEqual(['bad_request', 400, 1]);
    expect(bad.message).toBe('prom: query_range answered 400 bad_data: 1:5: parse error: unexpected "}" (token <redacted>)');
    respond = (_q, res) => void res.writeHead(401).end('Unauthorized');
    expect((await refusal(client.queryRange('up', window, signal))).reason).toBe('unauthorized');
    client.close();
  });

  it('refuses an answer that does not parse, naming where', async () => {
    respond = (_q, res) => res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    const client = new QueryRangeClient(source());
    const error = await refusal(client.queryRange('up', window, signal));
    client.close();
    expect(error.reason).toBe('invalid_response');
    expect(error.message).toBe('prom: query_range answer refused at $.data.resultType: expected "matrix", got "vector"');
  });

  it('keeps to maxConcurrentRequests and requestsPerSecond', async () => {
    let active = 0;
    let most = 0;
    respond = (_q, res) => {
      active++;
      most = Math.max(most, active);
      setTimeout(() => {
        active--;
        res.end(matrix([]));
      }, 30);
    };
    const client = new QueryRangeClient(source({ maxConcurrentRequests: 2, requestsPerSecond: 20 }));
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, () => client.queryRange('up', window, signal)));
    client.close();
    expect(most).toBe(2);
    // 20/s with a burst of 20: ten requests fit in the burst; the concurrency of 2 spreads them.
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 30);
    const slow = new QueryRangeClient(source({ maxConcurrentRequests: 8, requestsPerSecond: 10 }));
    seen.splice(0);
    await Promise.all(Array.from({ length: 14 }, () => slow.queryRange('up', window, signal)));
    slow.close();
    // A burst of 10, then 10/s: the 14th starts ≥ 0.4 s after the first.
    expect(seen[13].at - seen[0].at).toBeGreaterThanOrEqual(350);
  });
});
