import '../src/tracing';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { z } from 'zod';
import { EntityKind, HEADERS, SampleBatch, TOPICS } from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { sampleBatchesOf, testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
import { KafkaMessage } from 'kafkajs';
// Relative: the launcher is not (yet) exported from @prescient/testing's index.
import { LocalProcess, startNodeExporter } from '../../../libs/testing/src/infra/prometheus-local';
import { ingestionConfigSchema } from '../src/config/ingestion.config';
import { SCRAPE_METRICS } from '../src/domain/exposition';
import { scrapeConfigShape } from '../src/scrape/scrape.config';
import { ScrapeModule } from '../src/scrape/scrape.module';
import { ScrapeService } from '../src/scrape/scrape.service';
import { ingestionService, SERVICE_NAME } from '../src/service';

@Module({})
class ScrapeIntModule {}

const TOKEN = `dapi${'7f3a9c'.repeat(6)}`;
const WRONG_TOKEN = `dapi${'0badc0de'.repeat(4)}`;

/**
 * A model-serving endpoint's /metrics as seed 004 describes it (Databricks serving endpoint export),
 * in OpenMetrics, behind a Bearer token. Its counters grow with wall-clock time at fixed rates, so
 * the rates and latency quantiles a scraper derives are known whatever its timing.
 */
function servingExposition(upMs: number): string {
  // Counters start at 0 when the endpoint starts, as a real process's do (and stay small: exact).
  const s = upMs / 1000;
  const bucket = (le: string, perSecond: number) => `request_latency_ms_bucket{le="${le}"} ${perSecond * s}`;
  return [
    '# TYPE request_count counter',
    '# HELP request_count Requests served.',
    `request_count_total ${10 * s}`,
    '# TYPE request_4xx_count counter',
    `request_4xx_count_total ${0.5 * s}`,
    '# TYPE request_5xx_count counter',
    `request_5xx_count_total ${0.1 * s}`,
    '# TYPE request_latency_ms histogram',
    '# UNIT request_latency_ms ms',
    // Per second: 0 requests ≤ 10 ms, 4 ≤ 50 ms, 8 ≤ 100 ms, 9.95 ≤ 500 ms, 10 in all.
    bucket('10', 0), bucket('50', 4), bucket('100', 8), bucket('500', 9.95), bucket('+Inf', 10),
    `request_latency_ms_sum ${600 * s}`,
    `request_latency_ms_count ${10 * s}`,
    '# TYPE cpu_usage_percentage gauge',
    'cpu_usage_percentage{replica="0"} 40',
    'cpu_usage_percentage{replica="1"} 60',
    '# TYPE mem_usage_percentage gauge',
    'mem_usage_percentage 72.5',
    '# TYPE provisioned_concurrent_requests gauge',
    'provisioned_concurrent_requests 8',
    '# TYPE gpu_usage_percentage gauge',
    'gpu_usage_percentage{gpu="gpu0"} 90',
    'gpu_usage_percentage{gpu="gpu1"} 70',
    '# TYPE gpu_memory_usage_percentage gauge',
    'gpu_memory_usage_percentage{gpu="gpu0"} 50',
    'gpu_memory_usage_percentage{gpu="gpu1"} 30',
    '# EOF',
    '',
  ].join('\n');
}

describe('scraping real endpoints into metrics.samples.v2', () => {
  const kafka = testKafka();
  const tenant = uniqueTenant('scrape');
  const dir = mkdtempSync(join(tmpdir(), 'scrape-int-'));
  let endpoint: Server;
  let endpointUrl: string;
  let nodeExporter: LocalProcess;
  let service: RunningService;
  let samples: TopicCollector;
  const logs: string[] = [];
  let writeSpy: jest.SpyInstance;
  const slow = { active: 0, most: 0 };
  const unauthorizedAnswers = { count: 0 };

  const endpointStartedMs = Date.now();

  beforeAll(async () => {
    endpoint = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/slow/metrics') {
        slow.active++;
        slow.most = Math.max(slow.most, slow.active);
        req.socket.once('close', () => slow.active--);
        setTimeout(() => res.end('late 1\n'), 3000).unref();
        return;
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        unauthorizedAnswers.count++;
        res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('Unauthorized');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }).end(servingExposition(Date.now() - endpointStartedMs));
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', () => r()));
    endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
    nodeExporter = await startNodeExporter();

    const tokenFile = join(dir, 'pat');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const serving = { kind: 'workload', tenant, cluster: 'prod', namespace: 'ml', workloadKind: 'Deployment', name: 'churn-model' };
    const configFile = join(dir, 'scrape.json');
    writeFileSync(configFile, JSON.stringify({
      targets: [
        { name: 'serving', url: `${endpointUrl}/api/2.0/serving-endpoints/churn-model/metrics`, intervalSeconds: 1, timeoutSeconds: 1, bearerTokenFile: tokenFile, entity: serving, preset: 'serving-endpoint' },
        { name: 'node', url: nodeExporter.url, intervalSeconds: 1, timeoutSeconds: 1, entity: { kind: 'node', tenant, cluster: 'prod', name: 'worker-1' }, preset: 'node-exporter' },
        { name: 'wrong-token', url: `${endpointUrl}/api/2.0/serving-endpoints/churn-model/metrics`, intervalSeconds: 1, timeoutSeconds: 1, bearerTokenEnv: 'SCRAPE_INT_WRONG_PAT', entity: { ...serving, name: 'other' }, preset: 'serving-endpoint' },
        { name: 'slow', url: `${endpointUrl}/slow/metrics`, intervalSeconds: 1, timeoutSeconds: 0.5, entity: { ...serving, name: 'slow' }, preset: 'serving-endpoint' },
      ],
    }));

    samples = await new TopicCollector(kafka, TOPICS.metricsSamples.name).start();
    const original = process.stdout.write.bind(process.stdout);
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(chunk.toString());
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
    // The token variable is read from the process environment, as in production.
    process.env.SCRAPE_INT_WRONG_PAT = WRONG_TOKEN;
    service = await startService({
      name: SERVICE_NAME,
      configSchema: ingestionConfigSchema.and(z.object(scrapeConfigShape)),
      entities: ingestionService.entities,
      migrations: ingestionService.migrations,
      module: (platform) => ({ module: ScrapeIntModule, imports: [platform, ScrapeModule] }),
      afterStart: async (app) => app.get(ScrapeService).start(),
      env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', INGESTION_SCRAPE_CONFIG_FILE: configFile },
    });
  });

  afterAll(async () => {
    delete process.env.SCRAPE_INT_WRONG_PAT;
    await service?.stop();
    writeSpy?.mockRestore();
    await samples?.stop();
    await nodeExporter?.stop();
    endpoint?.closeAllConnections();
    await new Promise<void>((r) => (endpoint ? endpoint.close(() => r()) : r()));
  });

  const ofTenant = (m: KafkaMessage) => m.headers?.[HEADERS.tenant]?.toString() === tenant;
  const batchOf = async (predicate: (b: SampleBatch) => boolean) => (await samples.waitForSampleBatch((b, m) => m.headers?.[HEADERS.tenant]?.toString() === tenant && predicate(b), 20_000)).batch;
  const valueOf = (b: SampleBatch, metric: string) => b.series.find((s) => s.metric === metric)?.samples[0]?.value;
  const metricsText = async () => (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();

  it('the endpoint refuses a request without the token', async () => {
    expect((await fetch(`${endpointUrl}/api/2.0/serving-endpoints/churn-model/metrics`)).status).toBe(401);
  });

  it('publishes a serving endpoint\'s latency P50/P99, request and error rates, CPU, memory, GPU and GPU memory as Workload samples', async () => {
    const batch = await batchOf((b) => b.entity?.name === 'churn-model' && b.series.some((s) => s.metric === SCRAPE_METRICS.latencyP99Seconds));
    expect(batch.entity).toEqual({ tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'prod', namespace: 'ml', workloadKind: 'Deployment', name: 'churn-model' });
    expect(batch.source).toBe('scrape');
    // Rates: the endpoint's counters grow at 10, 0.5 and 0.1 per second of wall-clock time. The
    // scrape's timestamp is taken when it starts and the endpoint reads its clock a moment later,
    // so on a busy machine the rate is 10 give or take that jitter over a 1 s interval.
    expect(valueOf(batch, SCRAPE_METRICS.requestRate)).toBeGreaterThan(7);
    expect(valueOf(batch, SCRAPE_METRICS.requestRate)).toBeLessThan(13);
    expect(valueOf(batch, SCRAPE_METRICS.errorRate4xx)).toBeCloseTo(valueOf(batch, SCRAPE_METRICS.requestRate)! / 20, 6);
    expect(valueOf(batch, SCRAPE_METRICS.errorRate5xx)).toBeCloseTo(valueOf(batch, SCRAPE_METRICS.requestRate)! / 100, 6);
    // P50: rank 5 of 10 falls in (50, 100] holding 4 of them, 1 in: 50 + 50 · 1/4 ms.
    expect(valueOf(batch, SCRAPE_METRICS.latencyP50Seconds)).toBeCloseTo(0.0625, 6);
    // P99: rank 9.9 in (100, 500] holding 1.95, 1.9 in: 100 + 400 · 1.9/1.95 ms.
    expect(valueOf(batch, SCRAPE_METRICS.latencyP99Seconds)).toBeCloseTo((100 + (400 * 1.9) / 1.95) / 1000, 6);
    expect(valueOf(batch, SCRAPE_METRICS.cpuUtilisationRatio)).toBeCloseTo(0.5, 12);
    expect(valueOf(batch, SCRAPE_METRICS.memoryUtilisationRatio)).toBeCloseTo(0.725, 12);
    expect(valueOf(batch, SCRAPE_METRICS.gpuUtilisationRatio)).toBeCloseTo(0.8, 12);
    expect(valueOf(batch, SCRAPE_METRICS.gpuMemoryUtilisationRatio)).toBeCloseTo(0.4, 12);
    const at = batch.series[0].samples[0].timestampMs;
    expect(Math.abs(at - Date.now())).toBeLessThan(20_000);
  });

  it('scrapes prometheus-node-exporter (text format 0.0.4) into the node\'s CPU and memory utilisation', async () => {
    const batch = await batchOf((b) => b.entity?.name === 'worker-1' && b.series.some((s) => s.metric === SCRAPE_METRICS.cpuUtilisationRatio));
    expect(batch.entity).toEqual({ tenant, kind: EntityKind.ENTITY_KIND_NODE, cluster: 'prod', namespace: '', workloadKind: '', name: 'worker-1' });
    const cpu = valueOf(batch, SCRAPE_METRICS.cpuUtilisationRatio)!;
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThanOrEqual(1);
    // node-exporter reads /proc/meminfo: the same ratio, give or take what moved since.
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)![1]);
    expect(valueOf(batch, SCRAPE_METRICS.memoryUtilisationRatio)).toBeCloseTo(1 - kb('MemAvailable') / kb('MemTotal'), 1);
  });

  it('counts a wrong token and a timeout per target, keeps scraping, never overlaps a slow target, and never logs the token', async () => {
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = await metricsText();
      if (/scrapes_total\{target="wrong-token",outcome="unauthorized"\} [2-9]/.test(text) && /scrapes_total\{target="slow",outcome="timeout"\} [2-9]/.test(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toMatch(/prescient_ingestion_scrapes_total\{target="wrong-token",outcome="unauthorized"\} [2-9]/);
    expect(text).toMatch(/prescient_ingestion_scrapes_total\{target="slow",outcome="timeout"\} [2-9]/);
    expect(text).toMatch(/prescient_ingestion_scrapes_total\{target="serving",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/prescient_ingestion_scrape_duration_seconds_count\{target="serving"\} [1-9]/);
    expect(text).toMatch(/prescient_ingestion_scrape_samples_scraped\{target="node"\} [1-9]\d+/);
    expect(text).toMatch(/prescient_ingestion_scrape_target_up\{target="wrong-token"\} 0/);
    expect(text).toMatch(/prescient_ingestion_scrape_target_up\{target="serving"\} 1/);
    expect(unauthorizedAnswers.count).toBeGreaterThanOrEqual(2);
    // Each slow scrape is cut at 0.5 s; the next starts only after: never two at the endpoint at once.
    expect(slow.most).toBe(1);
    // Still scraping the healthy target after all that.
    const before = samples.messages.length;
    await samples.waitFor((m) => samples.messages.indexOf(m) >= before && ofTenant(m) && sampleBatchesOf(m).some((b) => b.entity?.name === 'churn-model'), 10_000);
    expect(await service.app.get(ScrapeService).scrapeOnce('wrong-token')).toMatchObject({ outcome: 'unauthorized', samplesPublished: 0 });

    const all = logs.join('');
    expect(all).toMatch(/scrape of target 'wrong-token' failed \(unauthorized\): HTTP 401/);
    expect(all).toMatch(/scrape of target 'slow' failed \(timeout\)/);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(WRONG_TOKEN);
    expect(text).not.toContain(TOKEN);
    expect(samples.sampleBatches(ofTenant).some((b) => b.entity?.name === 'other')).toBe(false);
  });
});
