import '../src/tracing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { z } from 'zod';
import { entityKey, HEADERS, METRICS, SampleBatch, TOPICS, workloadRef } from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { KafkaMessage } from 'kafkajs';
import { encodeSampleBatches, sampleBatchesOf, testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
// Relative: the launcher is not (yet) exported from @prescient/testing's index.
import { createBlocksFromOpenMetrics, LocalPrometheus, startLocalPrometheus } from '../../../libs/testing/src/infra/prometheus-local';
import { BackfillProgressStore } from '../src/backfill/backfill-progress.store';
import { backfillConfigShape } from '../src/backfill/backfill.config';
import { BackfillModule } from '../src/backfill/backfill.module';
import { BackfillService } from '../src/backfill/backfill.service';
import { ingestionConfigSchema } from '../src/config/ingestion.config';
import { histogramQuantile } from '../src/domain/exposition';
import { ingestionService, SERVICE_NAME } from '../src/service';

@Module({})
class BackfillIntModule {}

const STEP_S = 300;
const DAY_S = 86_400;
const CPU = 'namespace_workload:container_cpu_usage_seconds_total:sum_rate';
const MEMORY = 'namespace_workload:container_memory_working_set_bytes:sum';
const WORKLOADS = ['api', 'worker', 'late'];

/** The history Prometheus holds: 3 days at 5 minutes, on the step grid, ending an hour ago. */
const nowS = Math.floor(Date.now() / 1000);
const dataEndS = Math.floor(nowS / STEP_S) * STEP_S - 3600;
const dataStartS = dataEndS - 3 * DAY_S;
const grid = Array.from({ length: (dataEndS - dataStartS) / STEP_S + 1 }, (_, i) => dataStartS + i * STEP_S);
const cpuAt = (w: number, t: number) => Number((0.5 + 0.1 * w + 0.25 * Math.sin((2 * Math.PI * t) / DAY_S)).toFixed(6));
const memoryAt = (t: number) => 100_000_000 + (t % DAY_S) * 100;

const ORACLE_CASES: Record<string, [number, number][]> = {
  spread: [[0.1, 5], [0.5, 20], [1, 35], [5, 39], [Infinity, 40]],
  dip: [[1, 10], [2, 4], [3, 20], [Infinity, 20]],
  negative: [[-1, 3], [0, 6], [10, 9], [Infinity, 10]],
  overflow: [[1, 0], [2, 0], [Infinity, 7]],
  empty: [[1, 0], [Infinity, 0]],
};

function historyOpenMetrics(): string {
  const lines = [`# HELP ${CPU} CPU cores used per workload.`, `# TYPE ${CPU} gauge`];
  WORKLOADS.forEach((w, i) => {
    for (const t of grid) lines.push(`${CPU}{namespace="shop",workload="${w}",workload_type="deployment"} ${cpuAt(i, t)} ${t}`);
  });
  lines.push(`# TYPE ${MEMORY} gauge`);
  for (const t of grid) lines.push(`${MEMORY}{namespace="shop",workload="api",workload_type="deployment"} ${memoryAt(t)} ${t}`);
  // Buckets for checking our histogram_quantile against Prometheus' own.
  lines.push('# TYPE oracle_bucket gauge');
  for (const [name, buckets] of Object.entries(ORACLE_CASES)) {
    for (const [le, count] of buckets) lines.push(`oracle_bucket{case="${name}",le="${le === Infinity ? '+Inf' : le}"} ${count} ${dataEndS}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

describe('backfill through real Prometheus query_range', () => {
  const kafka = testKafka();
  const tenant = uniqueTenant('bf');
  const dir = mkdtempSync(join(tmpdir(), 'backfill-int-'));
  let prometheus: LocalPrometheus;
  let samples: TopicCollector;
  let service: RunningService | undefined;
  let pausedDoneUntilMs = 0;

  const source = (over: Record<string, unknown>) => ({
    name: 'prom', url: prometheus.url, tenant, cluster: 'test-cluster', lookbackDays: 4, stepSeconds: STEP_S,
    // 4 days at 5 minutes is 1,152 points: chunks of 300 make it four requests.
    maxPointsPerRequest: 300, maxConcurrentRequests: 2, requestsPerSecond: 10, timeoutSeconds: 20, retryBaseDelayMs: 50,
    queries: [
      { name: 'cpu', query: `${CPU}{$selector}`, metric: METRICS.cpuUsageCores },
      { name: 'memory', query: `${MEMORY}{$selector}`, metric: METRICS.memoryWorkingSetBytes },
    ],
    ...over,
  });
  const writeConfig = (name: string, sources: unknown[]) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({ sources }));
    return path;
  };
  /** Stops the running service, if any, and starts one with this config file. */
  const start = async (configFile: string): Promise<RunningService> => {
    await service?.stop();
    service = undefined;
    service = await startService({
      name: SERVICE_NAME,
      configSchema: ingestionConfigSchema.and(z.object(backfillConfigShape)),
      entities: ingestionService.entities,
      migrations: ingestionService.migrations,
      module: (platform) => ({ module: BackfillIntModule, imports: [platform, BackfillModule] }),
      afterStart: async (app) => app.get(BackfillService).start(),
      env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', INGESTION_BACKFILL_CONFIG_FILE: configFile },
    });
    return service;
  };

  const backfilled = () =>
    samples.sampleBatches((m) => m.headers?.[HEADERS.tenant]?.toString() === tenant).filter((b) => b.source === 'backfill');
  /** Every backfilled point of one workload and metric, in arrival order. */
  const points = (workload: string, metric: string) =>
    backfilled()
      .filter((b) => b.entity?.name === workload)
      .flatMap((b) => b.series.filter((s) => s.metric === metric).flatMap((s) => s.samples));
  const queryRangeRequests = async () => {
    const text = await (await fetch(`${prometheus.url}/metrics`)).text();
    return [...text.matchAll(/^prometheus_http_requests_total\{code="(\d+)",handler="\/api\/v1\/query_range"\} (\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
  };
  const store = () => service!.app.get(BackfillProgressStore);
  /** Kafka has acknowledged what the service published; the test's consumer may still be reading it. */
  const eventually = async (assertion: () => void, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return assertion();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  beforeAll(async () => {
    const input = join(dir, 'history.om');
    writeFileSync(input, historyOpenMetrics());
    const storagePath = join(dir, 'tsdb');
    createBlocksFromOpenMetrics(input, storagePath);
    prometheus = await startLocalPrometheus({
      storagePath,
      config: 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ["127.0.0.1:$PORT"]\n',
    });
    samples = await new TopicCollector(kafka, TOPICS.metricsSamples.name).start();
  });

  afterAll(async () => {
    await service?.stop();
    await samples?.stop();
    await prometheus?.stop();
  });

  it('fetches in chunks of at most maxPointsPerRequest, and stops resumably (progress stored) when interrupted', async () => {
    await start(writeConfig('first.json', [source({ onStart: false })]));
    const backfill = service!.app.get(BackfillService);
    // As if the process died after two chunks: the job is left paused with its progress.
    const run = await backfill.runJob('prom', 'cpu', { maxChunks: 2 });
    expect(run).toMatchObject({ status: 'paused', chunks: 2 });
    expect(await queryRangeRequests()).toBe(2);
    const row = await store().get({ tenant, source: 'prom', queryName: 'cpu', scope: '' });
    expect(row).toMatchObject({ status: 'paused', chunksDone: 2, stepSeconds: STEP_S, query: `${CPU}{}` });
    // Two windows of 300 points from the step-aligned start: the last evaluation published.
    expect(row!.doneUntilMs).toBe(run.fromMs! + (2 * 300 - 1) * STEP_S * 1000);
    pausedDoneUntilMs = row!.doneUntilMs!;
    // What the two chunks covered has arrived: the history's points up to there.
    await eventually(() => expect(points('api', METRICS.cpuUsageCores)).toHaveLength(grid.filter((t) => t * 1000 <= pausedDoneUntilMs).length));
  });

  it('resumes on the next start without refetching, and the 3 days arrive on metrics.samples.v2 exactly once', async () => {
    const requestsBefore = await queryRangeRequests();

    const backfill = (await start(writeConfig('second.json', [source({ onStart: true })]))).app.get(BackfillService);
    await backfill.idle();

    const cpuRow = await store().get({ tenant, source: 'prom', queryName: 'cpu', scope: '' });
    const memoryRow = await store().get({ tenant, source: 'prom', queryName: 'memory', scope: '' });
    expect(cpuRow).toMatchObject({ status: 'done', chunksDone: 4 });
    expect(memoryRow).toMatchObject({ status: 'done', chunksDone: 4 });
    // The resumed cpu job fetched its last two windows only; memory all four.
    expect(await queryRangeRequests()).toBe(requestsBefore + 2 + 4);
    expect(cpuRow!.windowStartMs).toBe(pausedDoneUntilMs + STEP_S * 1000);

    await eventually(() => {
      for (const [i, workload] of WORKLOADS.entries()) {
        const cpu = points(workload, METRICS.cpuUsageCores);
        const history = cpu.filter((p) => p.timestampMs <= dataEndS * 1000).sort((a, b) => a.timestampMs - b.timestampMs);
        expect(history).toEqual(grid.map((t) => ({ timestampMs: t * 1000, value: cpuAt(i, t) })));
      }
      const memory = points('api', METRICS.memoryWorkingSetBytes).filter((p) => p.timestampMs <= dataEndS * 1000);
      expect(memory).toHaveLength(grid.length);
      expect(memory.every((p) => p.value === memoryAt(p.timestampMs / 1000))).toBe(true);
    });
    for (const workload of WORKLOADS) {
      const ts = points(workload, METRICS.cpuUsageCores).map((p) => p.timestampMs);
      expect(new Set(ts).size).toBe(ts.length); // nothing twice, across the interrupted run and its resumption
    }
    const batch = backfilled().find((b) => b.entity?.name === 'api')!;
    expect(batch.entity).toEqual(workloadRef(tenant, 'test-cluster', 'shop', 'Deployment', 'api'));
    // At most 5,000 samples per message.
    const samplesIn = (m: KafkaMessage) => sampleBatchesOf(m).reduce((n, b) => n + b.series.reduce((k, s) => k + s.samples.length, 0), 0);
    expect(samples.messages.filter((m) => m.headers?.[HEADERS.tenant]?.toString() === tenant).every((m) => samplesIn(m) <= 5000)).toBe(true);

    // A third run finds everything done up to now: at most the step that has passed since.
    const again = await backfill.runOnStart();
    for (const r of again) {
      expect(['up_to_date', 'done']).toContain(r.status);
      expect(r.chunks).toBeLessThanOrEqual(1);
      if (r.fromMs !== undefined) expect(r.fromMs).toBeGreaterThan((r.query === 'cpu' ? cpuRow : memoryRow)!.doneUntilMs!);
    }
  });

  it('estimates histogram quantiles exactly as the Prometheus it reads from (histogram_quantile)', async () => {
    for (const q of [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
      const url = `${prometheus.url}/api/v1/query?${new URLSearchParams({ query: `histogram_quantile(${q}, oracle_bucket)`, time: String(dataEndS) })}`;
      const body = (await (await fetch(url)).json()) as { data: { result: { metric: { case: string }; value: [number, string] }[] } };
      expect(body.data.result.map((r) => r.metric.case).sort()).toEqual(Object.keys(ORACLE_CASES).sort());
      for (const r of body.data.result) {
        const theirs = Number(r.value[1]);
        const ours = histogramQuantile(q, ORACLE_CASES[r.metric.case].map(([upperBound, count]) => ({ upperBound, count })));
        if (Number.isNaN(theirs)) expect(ours).toBeNaN();
        else expect(ours).toBeCloseTo(theirs, 12);
      }
    }
  });

  it('refuses a query Prometheus cannot parse at once, storing its precise error', async () => {
    await start(writeConfig('broken.json', [source({ onStart: false, queries: [{ name: 'broken', query: 'sum(rate(x[5m]) by', metric: METRICS.cpuUsageCores }] })]));
    const before = await queryRangeRequests();
    const run = await service!.app.get(BackfillService).runJob('prom', 'broken');
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^prom: query_range answered 400 bad_data: .*parse error/);
    expect(await queryRangeRequests()).toBe(before + 1);
    const row = await store().get({ tenant, source: 'prom', queryName: 'broken', scope: '' });
    expect(row).toMatchObject({ status: 'failed', lastError: run.error });
  });

  it('backfills a workload when its first live samples arrive, only that workload, up to where they began', async () => {
    const discovering = await start(writeConfig('discover.json', [source({ name: 'prom-new', onStart: false, onNewWorkload: true, queries: [{ name: 'cpu', query: `${CPU}{$selector}`, metric: METRICS.cpuUsageCores }] })]));
    const late = workloadRef(tenant, 'test-cluster', 'shop', 'Deployment', 'late');
    const liveAt = Date.now();
    const producer = kafka.producer();
    await producer.connect();
    const key = { tenant, source: 'prom-new', queryName: 'cpu', scope: entityKey(late) };
    // The group joins in the background: offer the live batch until the backfill has picked it up.
    let row;
    for (let i = 0; i < 60 && !(row = await store().get(key)); i++) {
      const live = SampleBatch.fromPartial({ entity: late, series: [{ metric: METRICS.cpuUsageCores, samples: [{ timestampMs: liveAt, value: 0.7 }] }], source: 'remote_write', receivedAtMs: liveAt });
      await producer.send({ topic: TOPICS.metricsSamples.name, messages: [{ key: entityKey(late), value: encodeSampleBatches(live), headers: { [HEADERS.tenant]: tenant } }] });
      await new Promise((r) => setTimeout(r, 1000));
    }
    await producer.disconnect();
    await discovering.app.get(BackfillService).idle();
    row = await store().get(key);
    expect(row).toMatchObject({ status: 'done', query: `${CPU}{namespace="shop",workload="late",workload_type=~"(?i)Deployment"}` });
    // Only 'late' was fetched: its points up to the history's end (plus at most one evaluation
    // past it, which Prometheus 2.x still fills from the last sample within its 5-minute lookback).
    expect(row!.samplesPublished).toBeGreaterThanOrEqual(grid.length);
    expect(row!.samplesPublished).toBeLessThanOrEqual(grid.length + 1);
    expect(row!.windowEndMs).toBeLessThan(liveAt);
    expect(await store().get({ ...key, scope: entityKey(workloadRef(tenant, 'test-cluster', 'shop', 'Deployment', 'api')) })).toBeUndefined();
  });
});
