import '../src/tracing';
import { EntityKind, METRICS, TOPICS } from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { LocalPrometheus, startLocalPrometheus, testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
import { ingestionService } from '../src/service';

/**
 * Debian's real Prometheus 2.42 scraping itself, evaluating a kube-prometheus-style recording rule
 * over its own CPU, and remote-writing everything (raw series, the rule's series, metadata) into
 * ingestion, as a platform team would point its Prometheus at Prescient.
 */
describe('a real Prometheus remote-writing into ingestion', () => {
  let service: RunningService;
  let prometheus: LocalPrometheus;
  let samples: TopicCollector;
  const tenant = uniqueTenant('prom');
  const kafka = testKafka();

  beforeAll(async () => {
    service = await startService({ ...ingestionService, env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', INGESTION_ROLES: 'receiver' } });
    samples = await new TopicCollector(kafka, TOPICS.metricsSamples.name).start();
    const ruleFile = `
groups:
  - name: prescient-workload-rules
    interval: 1s
    rules:
      - record: namespace_workload:container_cpu_usage_seconds_total:sum_rate
        expr: sum(rate(process_cpu_seconds_total{job="prometheus"}[5s]))
        labels: { namespace: monitoring, workload: prometheus, workload_type: deployment }
      - record: namespace_workload:container_memory_working_set_bytes:sum
        expr: sum(process_resident_memory_bytes{job="prometheus"})
        labels: { namespace: monitoring, workload: prometheus, workload_type: deployment }
`;
    prometheus = await startLocalPrometheus({
      config: `
global:
  scrape_interval: 1s
  evaluation_interval: 1s
  external_labels: { cluster: lab }
rule_files: [ "${await writeRules(ruleFile)}" ]
scrape_configs:
  - job_name: prometheus
    static_configs: [ { targets: [ "127.0.0.1:$PORT" ] } ]
remote_write:
  # The tenant rides in the URL: Debian's Prometheus 2.42 sends no remote_write headers.
  - url: http://127.0.0.1:${service.httpPort}/api/v1/write?tenant=${tenant}
    metadata_config: { send_interval: 2s }
    queue_config: { batch_send_deadline: 1s, max_samples_per_send: 500, min_backoff: 100ms, max_backoff: 1s }
`,
    });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await samples?.stop();
    await service?.stop();
  });

  const counter = (text: string, name: string, labels = ''): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name}{`) === false && l.startsWith(`${name} `)));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('delivers the recording rule\'s series to Kafka as the workload\'s CPU and memory, in time order, labelled with the external cluster', async () => {
    const isPrometheusWorkload = (metric: string) => (b: { entity?: { tenant: string; name: string }; series: { metric: string }[] }) =>
      b.entity?.tenant === tenant && b.entity.name === 'prometheus' && b.series.some((s) => s.metric === metric);
    const { batch: cpu } = await samples.waitForSampleBatch(isPrometheusWorkload(METRICS.cpuUsageCores), 60_000);
    const { batch: memory } = await samples.waitForSampleBatch(isPrometheusWorkload(METRICS.memoryWorkingSetBytes), 60_000);
    expect(cpu.entity).toEqual({ tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'lab', namespace: 'monitoring', workloadKind: 'Deployment', name: 'prometheus' });
    expect(cpu.source).toBe('remote_write');
    const bytes = memory.series.find((s) => s.metric === METRICS.memoryWorkingSetBytes)!.samples;
    expect(bytes.every((p) => p.value > 1e6 && p.value < 1e11)).toBe(true);
    // Several sends later: every sample of the workload's CPU, across messages, in time order per message and rising overall.
    await samples.waitFor(() => samples.sampleBatches().filter(isPrometheusWorkload(METRICS.cpuUsageCores)).length >= 3, 60_000);
    const points = samples.sampleBatches().filter(isPrometheusWorkload(METRICS.cpuUsageCores)).flatMap((b) => b.series.find((s) => s.metric === METRICS.cpuUsageCores)!.samples);
    expect(points.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < points.length; i++) expect(points[i].timestampMs).toBeGreaterThan(points[i - 1].timestampMs);
    expect(points.every((p) => Number.isFinite(p.value) && p.value >= 0)).toBe(true);
  });

  it('answers every request Prometheus sends — samples and metadata — with 2xx: nothing failed, dropped or refused', async () => {
    // Wait until Prometheus has sent metadata too (its metadata_config interval is 2 s).
    let prom = '';
    for (let i = 0; i < 300; i++) {
      prom = await (await fetch(`${prometheus.url}/metrics`)).text();
      if (counter(prom, 'prometheus_remote_storage_metadata_total', `{remote_name="${remoteName(prom)}",url="http://127.0.0.1:${service.httpPort}/api/v1/write?tenant=${tenant}"}`) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const labels = `{remote_name="${remoteName(prom)}",url="http://127.0.0.1:${service.httpPort}/api/v1/write?tenant=${tenant}"}`;
    expect(counter(prom, 'prometheus_remote_storage_samples_total', labels)).toBeGreaterThan(0);
    expect(counter(prom, 'prometheus_remote_storage_metadata_total', labels)).toBeGreaterThan(0);
    expect(counter(prom, 'prometheus_remote_storage_samples_failed_total', labels)).toBe(0);
    expect(counter(prom, 'prometheus_remote_storage_metadata_failed_total', labels)).toBe(0);
    expect(counter(prom, 'prometheus_remote_storage_samples_dropped_total', labels)).toBe(0);

    const ours = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();
    expect(counter(ours, 'prescient_ingestion_remote_write_requests_total', '{code="204"}')).toBeGreaterThan(0);
    expect(ours).not.toMatch(/prescient_ingestion_remote_write_requests_total\{code="(4|5)\d\d"\}/);
    // Prometheus' own raw series are decoded and counted, but map to no entity: not published.
    expect(counter(ours, 'prescient_ingestion_samples_received_total')).toBeGreaterThan(counter(ours, 'prescient_ingestion_samples_published_total'));
    expect(counter(ours, 'prescient_ingestion_series_unmapped_total')).toBeGreaterThan(0);
    expect(counter(ours, 'prescient_ingestion_samples_published_total')).toBeGreaterThan(0);
  });
});

/** The remote_name label Prometheus gives the queue (a hash of its config when unnamed). */
function remoteName(metrics: string): string {
  return /prometheus_remote_storage_samples_total\{remote_name="([^"]*)"/.exec(metrics)?.[1] ?? '';
}

async function writeRules(text: string): Promise<string> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'prom-rules-')), 'rules.yml');
  writeFileSync(file, text);
  return file;
}
