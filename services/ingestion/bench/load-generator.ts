/**
 * remote_write load generator, run as its own process by ingest-bench.ts (fork, IPC):
 * `shards` concurrent senders, like Prometheus' remote_write shards — each series always goes
 * through the same shard, so one series' samples arrive in order — sending precomputed snappy bodies
 * of SERIES_PER_REQUEST one-sample series cycled over a FLEET_SERIES fleet. Every cycle rewrites the
 * samples in place (rising timestamps from now, changing values), so the receiver stores new samples,
 * not duplicates; no compression happens while sending. Bounded: a warm-up (at least two fleet
 * cycles, within a time cap), a measured window, a cap on requests, a per-request timeout.
 *
 * Messages: parent → {cmd:'start', config}; child → {type:'ready', bodies}, {type:'window-start'},
 * {type:'window-end'}, {type:'result', result}.
 */
import { Agent, request } from 'node:http';
import { cpuUsage } from 'node:process';
import { patchableRequests, patchSample, REQUESTS_PER_CYCLE, SERIES_PER_REQUEST, type FleetKind, type PatchableRequest } from './fleets';

export interface LoadConfig {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly fleet: FleetKind;
  readonly shards: number;
  readonly warmupMinMs: number;
  readonly warmupMaxMs: number;
  readonly warmupMinCycles: number;
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly requestTimeoutMs: number;
}

export interface LoadResult {
  readonly windowSeconds: number;
  readonly requestsOk: number;
  /** Non-2xx answers in the window, by status. */
  readonly non2xx: Record<string, number>;
  /** Transport errors and timeouts in the window. */
  readonly errors: number;
  readonly firstError?: string;
  readonly firstNon2xxBody?: string;
  readonly samplesAcked: number;
  readonly samplesPerSecond: number;
  /** Latency of every request that completed in the window (any status), in milliseconds. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly warmup: { readonly seconds: number; readonly requests: number; readonly non2xx: number; readonly errors: number };
  readonly bodyBytes: { readonly patchable: number; readonly library: number; readonly raw: number };
  readonly hitRequestCap: boolean;
  /** This process's own CPU over the window (process.cpuUsage). */
  readonly selfCpuSeconds: number;
}

type ParentMessage = { cmd: 'start'; config: LoadConfig };
export type LoadMessage =
  | { type: 'ready'; bodies: number }
  | { type: 'window-start' }
  | { type: 'window-end' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };

interface Outcome {
  readonly status: number;
  readonly latencyMs: number;
  readonly error?: string;
  readonly body?: string;
}

function send(message: LoadMessage): Promise<void> {
  return new Promise((resolveSent) => process.send!(message, undefined, undefined, () => resolveSent()));
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<Outcome> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolveOutcome) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (!settled) {
        settled = true;
        resolveOutcome(outcome);
      }
    };
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (status >= 300 && chunks.length < 4) chunks.push(chunk);
        });
        res.on('end', () => settle({ status, latencyMs: elapsed(), body: status >= 300 ? Buffer.concat(chunks).toString('utf8').slice(0, 300) : undefined }));
        res.on('error', (error) => settle({ status: 0, latencyMs: elapsed(), error: error.message }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => settle({ status: 0, latencyMs: elapsed(), error: error.message }));
    req.end(body);
  });
}

async function run(config: LoadConfig): Promise<void> {
  const url = new URL(config.url);
  const baseTimestamp = Date.now();
  const templates: PatchableRequest[] = patchableRequests(config.fleet, baseTimestamp);
  const mean = (pick: (r: PatchableRequest) => number) => Math.round(templates.reduce((sum, r) => sum + pick(r), 0) / templates.length);
  const bodyBytes = { patchable: mean((r) => r.body.length), library: mean((r) => r.libraryBodyBytes), raw: mean((r) => r.rawBytes) };
  // Every send patches a private copy: a slow request must never see its body rewritten.
  const cycles = new Int32Array(templates.length);
  const nextBody = (index: number): Buffer => {
    const template = templates[index];
    const cycle = ++cycles[index];
    const body = Buffer.from(template.body);
    const timestampMs = baseTimestamp + cycle; // strictly rising per series; wall clock is never overtaken
    for (let i = 0; i < template.series; i++) {
      patchSample(body, template.patchOffsets[i], ((index * SERIES_PER_REQUEST + i) % 977) * 0.001 + (cycle % 60) * 0.01, timestampMs);
    }
    return body;
  };
  void send({ type: 'ready', bodies: templates.length });

  const agent = new Agent({ keepAlive: true, maxSockets: config.shards });
  type Phase = 'warmup' | 'window' | 'stopping';
  let phase: Phase = 'warmup';
  let issued = 0;
  const warm = { requests: 0, non2xx: 0, errors: 0 };
  const window = { ok: 0, non2xx: {} as Record<string, number>, errors: 0, latencies: [] as number[], firstError: undefined as string | undefined, firstNon2xxBody: undefined as string | undefined };
  let hitRequestCap = false;

  const shard = async (shardIndex: number) => {
    // Shard k owns the requests whose index ≡ k (mod shards): a series never changes shard.
    const own: number[] = [];
    for (let i = shardIndex; i < templates.length; i += config.shards) own.push(i);
    for (let turn = 0; phase !== 'stopping'; turn++) {
      if (issued >= config.maxRequests) {
        hitRequestCap = true;
        return;
      }
      issued++;
      const outcome = await post(agent, url, config.headers, nextBody(own[turn % own.length]), config.requestTimeoutMs);
      // Throughput and latency count the requests that completed inside the window.
      if (phase === 'window') {
        window.latencies.push(outcome.latencyMs);
        if (outcome.status >= 200 && outcome.status < 300) window.ok++;
        else if (outcome.status === 0) {
          window.errors++;
          window.firstError ??= outcome.error;
        } else {
          window.non2xx[outcome.status] = (window.non2xx[outcome.status] ?? 0) + 1;
          window.firstNon2xxBody ??= `${outcome.status} ${outcome.body ?? ''}`.trim();
        }
      } else if (phase === 'warmup') {
        warm.requests++;
        if (outcome.status === 0) warm.errors++;
        else if (outcome.status >= 300) warm.non2xx++;
      }
    }
  };
  const shards = Array.from({ length: Math.min(config.shards, templates.length) }, (_, k) => shard(k));

  // Warm-up: until every series was sent `warmupMinCycles` times and `warmupMinMs` passed (capped).
  const warmStart = Date.now();
  while (
    Date.now() - warmStart < config.warmupMaxMs &&
    (Date.now() - warmStart < config.warmupMinMs || warm.requests < config.warmupMinCycles * REQUESTS_PER_CYCLE)
  ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const warmupSeconds = (Date.now() - warmStart) / 1000;
  phase = 'window';
  const cpuStart = cpuUsage();
  const windowStart = process.hrtime.bigint();
  void send({ type: 'window-start' });
  await new Promise((r) => setTimeout(r, config.durationMs));
  phase = 'stopping';
  const windowSeconds = Number(process.hrtime.bigint() - windowStart) / 1e9;
  const cpu = cpuUsage(cpuStart);
  void send({ type: 'window-end' });
  // In-flight requests finish (each bounded by its timeout) but no longer count.
  await Promise.all(shards);
  agent.destroy();

  const sorted = window.latencies.sort((a, b) => a - b);
  const samplesAcked = window.ok * SERIES_PER_REQUEST;
  await send({
    type: 'result',
    result: {
      windowSeconds,
      requestsOk: window.ok,
      non2xx: window.non2xx,
      errors: window.errors,
      firstError: window.firstError,
      firstNon2xxBody: window.firstNon2xxBody,
      samplesAcked,
      samplesPerSecond: samplesAcked / windowSeconds,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p90: percentile(sorted, 0.9),
        p99: percentile(sorted, 0.99),
        max: sorted.length ? sorted[sorted.length - 1] : NaN,
        mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
      },
      warmup: { seconds: warmupSeconds, ...warm },
      bodyBytes,
      hitRequestCap,
      selfCpuSeconds: (cpu.user + cpu.system) / 1e6,
    },
  });
}

if (require.main === module) {
  if (!process.send) {
    process.stderr.write('load-generator.ts is started by ingest-bench.ts (it needs an IPC channel)\n');
    process.exit(2);
  }
  process.once('disconnect', () => process.exit(0)); // the bench is gone: stop sending
  process.once('message', (message: ParentMessage) => {
    run(message.config).then(
      () => process.exit(0),
      (error: Error) => send({ type: 'error', message: error.stack ?? error.message }).then(() => process.exit(1)),
    );
  });
}
