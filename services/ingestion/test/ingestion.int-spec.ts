import '../src/tracing';
import { spawnSync } from 'node:child_process';
import { EntityKind, SampleBatch, TOPICS, HEADERS, deadLetterTopic } from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { encodeRemoteWriteBody, serviceCommand, testKafka, TopicCollector, uniqueTenant, snappyBlock } from '@prescient/testing';
import { ingestionService } from '../src/service';

const CPU = 'namespace_workload:container_cpu_usage_seconds_total:sum_rate';

describe('ingestion against real Kafka and PostgreSQL', () => {
  let service: RunningService;
  let base: string;
  let samples: TopicCollector;
  const kafka = testKafka();

  beforeAll(async () => {
    service = await startService({ ...ingestionService, env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ROLLUP_RETENTION_DAYS: '3650' } });
    base = `http://127.0.0.1:${service.httpPort}`;
    samples = await new TopicCollector(kafka, TOPICS.metricsSamples.name).start();
  });

  afterAll(async () => {
    await samples?.stop();
    await service?.stop();
  });

  const post = (body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${base}/api/v1/write`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...headers } });

  const metricsText = async () => (await fetch(`${base}/metrics`)).text();

  it('acknowledges a remote_write request only once its samples are on metrics.samples.v1, keyed and tenant-tagged', async () => {
    const tenant = uniqueTenant();
    const body = encodeRemoteWriteBody([{
      labels: [{ name: '__name__', value: CPU }, { name: 'namespace', value: 'shop' }, { name: 'workload', value: 'api' }, { name: 'workload_type', value: 'deployment' }],
      samples: [{ timestampMs: 1_700_000_000_000, value: 0.25 }, { timestampMs: 1_700_000_060_000, value: 0.5 }],
    }]);
    const res = await post(body, { 'x-prescient-tenant': tenant });
    expect(res.status).toBe(204);
    const message = await samples.waitFor((m) => m.headers?.[HEADERS.tenant]?.toString() === tenant);
    const batch = SampleBatch.decode(message.value!);
    expect(batch.entity).toEqual({ tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'default', namespace: 'shop', workloadKind: 'Deployment', name: 'api' });
    expect(batch.series[0].samples).toEqual([{ timestampMs: 1_700_000_000_000, value: 0.25 }, { timestampMs: 1_700_000_060_000, value: 0.5 }]);
    expect(message.key!.toString()).toContain(tenant);
    expect(message.headers?.traceparent?.toString()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const gql = await fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': tenant },
      body: JSON.stringify({ query: '{ workloads { cluster namespace kind name samplesReceived lastSampleAt } }' }),
    }).then((r) => r.json() as Promise<any>);
    expect(gql.data.workloads).toEqual([{ cluster: 'default', namespace: 'shop', kind: 'Deployment', name: 'api', samplesReceived: 2, lastSampleAt: new Date(1_700_000_060_000).toISOString() }]);

    const topology = await fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': tenant },
      body: JSON.stringify({ query: '{ clusters { id namespaces { cluster name workloads { name kind } } } }' }),
    }).then((r) => r.json() as Promise<any>);
    // Rollups arrive through the ingestion-rollups consumer group.
    let usage: any;
    for (let i = 0; i < 100; i++) {
      usage = await fetch(`${base}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': tenant },
        body: JSON.stringify({ query: `{ workload(cluster: "default", namespace: "shop", kind: "Deployment", name: "api") { usage(metric: "cpu_usage_cores", from: "2023-11-14T22:00:00Z", to: "2023-11-14T23:00:00Z") { start min max avg count last } } }` }),
      }).then((r) => r.json() as Promise<any>);
      if (usage.data?.workload?.usage?.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // 1_700_000_000_000 and +60 s fall in the 5-minute bucket starting 22:10 UTC.
    expect(usage.data.workload.usage).toEqual([{ start: '2023-11-14T22:10:00.000Z', min: 0.25, max: 0.5, avg: 0.375, count: 2, last: 0.5 }]);
    expect(topology.data.clusters).toEqual([{ id: 'default', namespaces: [{ cluster: 'default', name: 'shop', workloads: [{ name: 'api', kind: 'Deployment' }] }] }]);
  });

  it('scopes the subgraph by tenant: another tenant sees nothing, no tenant is refused', async () => {
    const other = await fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': uniqueTenant() },
      body: JSON.stringify({ query: '{ workloads { name } }' }),
    }).then((r) => r.json() as Promise<any>);
    expect(other.data.workloads).toEqual([]);
    const none = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ workloads { name } }' }) }).then((r) => r.json() as Promise<any>);
    expect(none.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['random bytes', 400, 'snappy_corrupt', Buffer.from('definitely not snappy at all')],
    ['a snappy header claiming 4 GiB', 400, 'snappy_length_exceeds_limit', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])],
    ['valid snappy around a truncated protobuf', 400, 'protobuf_truncated', snappyBlock(Buffer.from([0x0a, 0x20, 0x0a]))],
  ])('answers %s with %i %s, and counts it', async (_, status, reason, body) => {
    const res = await post(body as Buffer, { 'x-prescient-tenant': 'acme' });
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(new RegExp(`^${reason}: `));
    expect(await metricsText()).toMatch(new RegExp(`prescient_ingestion_remote_write_rejected_total\\{reason="${reason}"\\} [1-9]`));
  });

  it('answers 415 for a wrong content type, 401 without a tenant, 413 over the size limit', async () => {
    expect((await post('{}', { 'content-type': 'application/json', 'x-prescient-tenant': 'acme' })).status).toBe(415);
    expect((await post(encodeRemoteWriteBody([]), {})).status).toBe(401);
    expect((await post(Buffer.alloc(11 * 1024 * 1024), { 'x-prescient-tenant': 'acme' })).status).toBe(413);
    const text = await metricsText();
    for (const reason of ['unsupported_content_type', 'missing_tenant', 'body_too_large']) {
      expect(text).toMatch(new RegExp(`prescient_ingestion_remote_write_rejected_total\\{reason="${reason}"\\} [1-9]`));
    }
  });

  it('is ready only with Kafka and PostgreSQL reachable, and serves Prometheus metrics', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { kafka: true, postgres: true } });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const text = await metricsText();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/prescient_ingestion_remote_write_requests_total\{code="204"\} [1-9]/);
  });

  it('sends a message that does not decode to the dead-letter topic, counts it, and goes on', async () => {
    // Ingestion publishes samples; the DLQ path belongs to every consumer (libs/platform): exercise it here.
    const { KafkaMessaging, sampleBatchCodec, JsonLogger } = await import('@prescient/platform');
    const { ServiceMetrics } = await import('@prescient/telemetry');
    const metrics = new ServiceMetrics('dlq-probe');
    const messaging = new KafkaMessaging({ brokers: process.env.KAFKA_BROKERS!, clientId: 'dlq-probe', replicationFactor: 1 }, metrics, new JsonLogger('dlq-probe', 'error'));
    const tenant = uniqueTenant();
    const handled: SampleBatch[] = [];
    const dlq = await new TopicCollector(kafka, deadLetterTopic(TOPICS.metricsSamples.name)).start();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPICS.metricsSamples.name, messages: [
      { key: 'poison', value: Buffer.from([0xff, 0xff, 0xff]), headers: { [HEADERS.tenant]: tenant } },
      { key: 'good', value: Buffer.from(SampleBatch.encode({ entity: { tenant, kind: EntityKind.ENTITY_KIND_CLUSTER, cluster: 'c', namespace: '', workloadKind: '', name: '' }, series: [{ metric: 'cpu_usage_cores', samples: [{ timestampMs: 1, value: 1 }] }], source: 'test', receivedAtMs: 1 }).finish()), headers: { [HEADERS.tenant]: tenant } },
    ] });
    await producer.disconnect();
    await messaging.subscribe({ topic: TOPICS.metricsSamples.name, groupId: `dlq-probe-${tenant}`, codec: sampleBatchCodec, handle: async (m) => void (m.entity?.tenant === tenant && handled.push(m)) });
    const dead = await dlq.waitFor((m) => m.headers?.[HEADERS.tenant]?.toString() === tenant);
    expect(dead.headers?.[HEADERS.deadLetterReason]?.toString()).toMatch(/^undecodable: /);
    expect(dead.value).toEqual(Buffer.from([0xff, 0xff, 0xff]));
    for (let i = 0; i < 100 && handled.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(handled).toHaveLength(1);
    expect(await metrics.registry.getSingleMetricAsString('prescient_dlq_probe_kafka_messages_rejected_total')).toMatch(/reason="undecodable"\} 1/);
    await messaging.close();
    await dlq.stop();
  });

  it('refuses to start without KAFKA_BROKERS, naming the key', () => {
    const { command, args } = serviceCommand('services/ingestion/src/main.ts');
    const env = { ...process.env };
    delete env.KAFKA_BROKERS;
    const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 60000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('KAFKA_BROKERS: is required');
  });
});
