import '../src/tracing';
import { spawnSync } from 'node:child_process';
import { EntityKind, entityKey, partitionForKey, SampleBatch, TOPICS, HEADERS, deadLetterTopic } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, RunningService, sampleBatchesCodec, startService } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { encodeRemoteWriteBody, encodeSampleBatches, sampleBatchesOf, serviceCommand, testKafka, TopicCollector, uniqueTenant, snappyBlock } from '@prescient/testing';
import { ingestionService } from '../src/service';
import { cadvisorLabels, points as mappingPoints, podOwner, replicaSetOwner, series as mappingSeries, STEP, T0 } from '../src/domain/mapping/mapping.fixtures';

const CPU = 'namespace_workload:container_cpu_usage_seconds_total:sum_rate';

describe('ingestion against real Kafka and PostgreSQL', () => {
  let service: RunningService;
  let base: string;
  let samples: TopicCollector;
  const kafka = testKafka();

  beforeAll(async () => {
    service = await startService({ ...ingestionService, env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ROLLUP_RETENTION_DAYS: '3650', ROLLUP_FLUSH_INTERVAL_MS: '300' } });
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
  const postAs = (tenant: string, body: Buffer) => post(body, { 'x-prescient-tenant': tenant });
  /** The platform's Kafka door of the test's own, to exercise libs/platform directly against the broker. */
  const probeMessaging = (clientId: string) => {
    const metrics = new ServiceMetrics(clientId);
    return { metrics, messaging: new KafkaMessaging({ brokers: process.env.KAFKA_BROKERS!, clientId, replicationFactor: 1 }, metrics, new JsonLogger(clientId, 'error')) };
  };

  it('acknowledges a remote_write request only once its samples are on metrics.samples.v2, on the entity key\'s partition, tenant-tagged', async () => {
    const tenant = uniqueTenant();
    const body = encodeRemoteWriteBody([{
      labels: [{ name: '__name__', value: CPU }, { name: 'namespace', value: 'shop' }, { name: 'workload', value: 'api' }, { name: 'workload_type', value: 'deployment' }],
      samples: [{ timestampMs: 1_700_000_000_000, value: 0.25 }, { timestampMs: 1_700_000_060_000, value: 0.5 }],
    }]);
    const res = await post(body, { 'x-prescient-tenant': tenant });
    expect(res.status).toBe(204);
    const { batch, message } = await samples.waitForSampleBatch((b) => b.entity?.tenant === tenant);
    expect(message.headers?.[HEADERS.tenant]?.toString()).toBe(tenant);
    expect(batch.entity).toEqual({ tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'default', namespace: 'shop', workloadKind: 'Deployment', name: 'api' });
    expect(batch.series[0].samples).toEqual([{ timestampMs: 1_700_000_000_000, value: 0.25 }, { timestampMs: 1_700_000_060_000, value: 0.5 }]);
    expect(message.partition).toBe(partitionForKey(entityKey(batch.entity!), TOPICS.metricsSamples.partitions));
    expect(message.headers?.traceparent?.toString()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    // The register of entities and the rollups are kept by the ingestion-rollups consumer group,
    // off the acknowledgement path: they follow the 204 within moments.
    const query = async (q: string): Promise<any> => fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': tenant }, body: JSON.stringify({ query: q }),
    }).then((r) => r.json());
    const eventually = async (q: string, ready: (r: any) => boolean): Promise<any> => {
      let result: any;
      for (let i = 0; i < 150; i++) {
        result = await query(q);
        if (ready(result)) return result;
        await new Promise((r) => setTimeout(r, 100));
      }
      return result;
    };
    const gql = await eventually('{ workloads { cluster namespace kind name samplesReceived lastSampleAt } }', (r) => r.data?.workloads?.length > 0);
    expect(gql.data.workloads).toEqual([{ cluster: 'default', namespace: 'shop', kind: 'Deployment', name: 'api', samplesReceived: 2, lastSampleAt: new Date(1_700_000_060_000).toISOString() }]);
    const topology = await query('{ clusters { id namespaces { cluster name workloads { name kind } } } }');
    const usage = await eventually(
      '{ workload(cluster: "default", namespace: "shop", kind: "Deployment", name: "api") { usage(metric: "cpu_usage_cores", from: "2023-11-14T22:00:00Z", to: "2023-11-14T23:00:00Z") { start min max avg count last } } }',
      (r) => r.data?.workload?.usage?.length > 0,
    );
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

  it('maps raw cAdvisor and kube-state-metrics series to their workload, and publishes a step once it is complete', async () => {
    const tenant = uniqueTenant();
    const SCRAPE = 30_000;
    const pods = ['api-7c9d8f6b5-x2x7k', 'api-7c9d8f6b5-q8w4n'];
    const write = (from: number, n: number) => [
      ...pods.map((pod) => podOwner('shop', pod, 'ReplicaSet', 'api-7c9d8f6b5', from)),
      replicaSetOwner('shop', 'api-7c9d8f6b5', 'Deployment', 'api', from),
      // Each pod's container burns 0.25 cores: the counter grows 7.5 s per 30 s scrape.
      ...pods.map((pod) => mappingSeries('container_cpu_usage_seconds_total', { ...cadvisorLabels('shop', pod, 'api'), cpu: 'total' }, mappingPoints(from, n, SCRAPE, (i) => 1000 + ((from - T0) / SCRAPE + i) * 7.5))),
    ];
    const post = (series: ReturnType<typeof write>) => postAs(tenant, encodeRemoteWriteBody(series.map((x) => ({ labels: x.labels.map((l) => ({ ...l })), samples: x.samples.map((p) => ({ timestampMs: p.timestampMs, value: p.value })) }))));
    expect((await post(write(T0, 10))).status).toBe(204);
    // The next step's samples, a minute past the end of the first: that completes it.
    expect((await post(write(T0 + STEP, 3))).status).toBe(204);
    const { batch } = await samples.waitForSampleBatch((b) => b.entity?.tenant === tenant && b.entity.name === 'api');
    expect(batch.entity).toEqual({ tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'default', namespace: 'shop', workloadKind: 'Deployment', name: 'api' });
    const cpu = batch.series.find((x) => x.metric === 'cpu_usage_cores')!;
    expect(cpu.samples).toHaveLength(1);
    expect(cpu.samples[0].timestampMs).toBe(T0);
    expect(cpu.samples[0].value).toBeCloseTo(0.5, 9);
    const text = await metricsText();
    expect(text).toMatch(/prescient_ingestion_mapping_samples_total\{outcome="used"\} [1-9]/);
    expect(text).toMatch(/prescient_ingestion_mapping_values_published_total [1-9]/);
  });

  it('takes the tenant from ?tenant= when the sender cannot set headers, and refuses a header and a parameter that differ', async () => {
    const tenant = uniqueTenant();
    const body = encodeRemoteWriteBody([{ labels: [{ name: '__name__', value: CPU }, { name: 'namespace', value: 'q' }, { name: 'workload', value: 'w' }, { name: 'workload_type', value: 'deployment' }], samples: [{ timestampMs: 1_700_000_000_000, value: 1 }] }]);
    const postTo = (query: string, headers: Record<string, string>) =>
      fetch(`${base}/api/v1/write${query}`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', ...headers } });
    expect((await postTo(`?tenant=${tenant}`, {})).status).toBe(204);
    const { batch } = await samples.waitForSampleBatch((b) => b.entity?.tenant === tenant);
    expect(batch.entity?.name).toBe('w');
    expect((await postTo(`?tenant=${tenant}`, { 'x-prescient-tenant': tenant })).status).toBe(204);
    const conflict = await postTo(`?tenant=${tenant}`, { 'x-prescient-tenant': 'someone-else' });
    expect(conflict.status).toBe(400);
    expect(await conflict.text()).toMatch(/^conflicting_tenant: /);
    expect((await postTo('?tenant=a&tenant=b', {})).status).toBe(400);
    expect((await postTo('?tenant=Not_A_Label', {})).status).toBe(400);
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
    const { metrics, messaging } = probeMessaging('dlq-probe');
    const tenant = uniqueTenant();
    const handled: SampleBatch[] = [];
    const clusterRef = (t: string, cluster: string) => ({ tenant: t, kind: EntityKind.ENTITY_KIND_CLUSTER, cluster, namespace: '', workloadKind: '', name: '' });
    const batchOf = (entity: ReturnType<typeof clusterRef>): SampleBatch => ({ entity, series: [{ metric: 'cpu_usage_cores', samples: [{ timestampMs: 1, value: 1 }] }], source: 'test', receivedAtMs: 1 });
    const good = batchOf(clusterRef(tenant, 'c'));
    const invalid = batchOf(clusterRef(tenant, ''));
    const foreign = batchOf(clusterRef(uniqueTenant(), 'c'));
    const dlq = await new TopicCollector(kafka, deadLetterTopic(TOPICS.metricsSamples.name)).start();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPICS.metricsSamples.name, messages: [
      { key: 'poison', value: Buffer.from([0xff, 0xff, 0xff]), headers: { [HEADERS.tenant]: tenant } },
      { key: 'good', value: encodeSampleBatches(good), headers: { [HEADERS.tenant]: tenant } },
      // An envelope with one valid batch, one invalid and one of another tenant: only the last two are dead-lettered.
      { key: 'mixed', value: encodeSampleBatches(good, invalid, foreign), headers: { [HEADERS.tenant]: tenant } },
    ] });
    await producer.disconnect();
    await messaging.subscribe({ topic: TOPICS.metricsSamples.name, groupId: `dlq-probe-${tenant}`, codec: sampleBatchesCodec, handle: async (m) => void handled.push(...m.batches.filter((b) => b.entity?.tenant === tenant)) });
    const dead = await dlq.waitFor((m) => m.headers?.[HEADERS.tenant]?.toString() === tenant && m.key?.toString() === 'poison');
    expect(dead.headers?.[HEADERS.deadLetterReason]?.toString()).toMatch(/^undecodable: /);
    expect(dead.value).toEqual(Buffer.from([0xff, 0xff, 0xff]));
    const sifted = await dlq.waitFor((m) => m.headers?.[HEADERS.tenant]?.toString() === tenant && m.key?.toString() === 'mixed');
    expect(sifted.headers?.[HEADERS.deadLetterReason]?.toString()).toMatch(/^invalid: 2 of 3 batches rejected; first: entity.cluster is empty/);
    expect(sampleBatchesOf(sifted)).toEqual([invalid, foreign]);
    for (let i = 0; i < 100 && handled.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(handled).toEqual([good, good]);
    const rejected = await metrics.registry.getSingleMetricAsString('prescient_dlq_probe_kafka_messages_rejected_total');
    expect(rejected).toMatch(/reason="undecodable"\} 1/);
    expect(rejected).toMatch(/reason="invalid"\} 1/);
    await messaging.close();
    await dlq.stop();
  });

  it('a buffered subscription writes in bulk and commits offsets only after its flush, and flushes what it holds on shutdown', async () => {
    const tenant = uniqueTenant();
    const topic = `buffered-probe-${tenant}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    const batch = (i: number): SampleBatch => ({ entity: { tenant, kind: EntityKind.ENTITY_KIND_CLUSTER, cluster: `c${i}`, namespace: '', workloadKind: '', name: '' }, series: [{ metric: 'cpu_usage_cores', samples: [{ timestampMs: i, value: i }] }], source: 'test', receivedAtMs: 1 });
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: encodeSampleBatches(batch(i)), headers: { [HEADERS.tenant]: tenant } })) });
    const { messaging } = probeMessaging('buffered-probe');
    let held: string[] = [];
    const written: string[][] = [];
    const groupId = `buffered-probe-${tenant}`;
    const committed = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    await messaging.subscribeBuffered({
      topic, groupId, codec: sampleBatchesCodec, flushIntervalMs: 60_000, maxBufferedMessages: 4,
      add: (m) => void held.push(...m.batches.map((b) => b.entity!.cluster)),
      flush: async () => {
        written.push(held);
        held = [];
      },
    });
    // Every 4 messages force a flush; what is committed is exactly what was written.
    for (let i = 0; i < 200 && written.flat().length < 8; i++) await new Promise((r) => setTimeout(r, 50));
    expect(written.flat().length).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < 100 && (await committed()) < written.flat().length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await committed()).toBe(written.flat().length);
    expect(held.length).toBeLessThan(4);
    // The rest is held (the interval is a minute away) until shutdown flushes and commits it.
    await messaging.close();
    expect(written.flat().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`).sort());
    expect(await committed()).toBe(10);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('publishes concurrently into shared produce requests, never past the broker\'s record-batch limit, and each caller resolves', async () => {
    const tenant = uniqueTenant();
    const topic = `coalesce-probe-${tenant}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const { messaging } = probeMessaging('coalesce-probe');
    await messaging.connectProducer();
    // Eight publishes of 300 KB to one partition at once: together 2.4 MB, over the broker's 1 MiB
    // record-batch limit if they went out as one request.
    const payload = (i: number) => Buffer.alloc(300 * 1024, i);
    await Promise.all(Array.from({ length: 8 }, (_, i) => messaging.publishEncoded(topic, 'probe', [{ partition: 0, value: payload(i), tenant }])));
    // And many small ones racing, on both partitions.
    await Promise.all(Array.from({ length: 50 }, (_, i) => messaging.publishEncoded(topic, 'probe', [{ partition: i % 2, value: Buffer.from(`m${i}`), tenant }])));
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(58);
    await messaging.close();
    await admin.disconnect();
  });

  it('an instance without the receiver role answers remote_write 404 and says why', async () => {
    const other = await startService({ ...ingestionService, env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', INGESTION_ROLES: 'rollups' } });
    try {
      const res = await fetch(`http://127.0.0.1:${other.httpPort}/api/v1/write`, { method: 'POST', body: encodeRemoteWriteBody([]), headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prescient-tenant': uniqueTenant() } });
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/^not_a_receiver: this instance does not receive remote_write/);
    } finally {
      await other.stop();
    }
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
