import { randomBytes } from 'node:crypto';
import { HEADERS, ScalingDecision, TOPICS } from '@prescient/contracts';
import { encodeRemoteWriteBody, Mesh, OtlpReceiver, ReceivedSpan, requiredEnv, startMesh, testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';

const DAY = 24 * 3600 * 1000;
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/** A W3C traceparent with a fresh trace id, so the test can find every span of what it started. */
function newTraceparent(): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

const is = (service: string, kind: number, name: RegExp) => (s: ReceivedSpan) => s.service === service && s.kind === kind && name.test(s.name);

describe('the mesh, end to end', () => {
  const receiver = new OtlpReceiver();
  const tenant = uniqueTenant('e2e');
  let mesh: Mesh;

  beforeAll(async () => {
    await receiver.start();
    mesh = await startMesh({ kafkaBrokers: requiredEnv('KAFKA_BROKERS'), databaseUrl: requiredEnv('DATABASE_URL') }, { env: { ...receiver.env(), PREDICTION_REFIT_DEBOUNCE_MS: '300', MESH_TENANT_NAMESPACES: 'team-a' } });
  });

  afterAll(async () => {
    const codes = await mesh?.stop();
    await receiver.stop();
    // Every service drains on SIGTERM and exits 0.
    for (const [name, code] of Object.entries(codes ?? {})) expect({ name, code }).toEqual({ name, code: 0 });
  });

  const gql = (query: string, headers: Record<string, string> = {}) =>
    fetch(mesh.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': tenant, ...headers }, body: JSON.stringify({ query }) }).then((r) => r.json() as Promise<any>);

  const WORKLOAD_QUERY = `{
    workload(cluster: "e2e", namespace: "shop", kind: "Deployment", name: "cart") {
      name samplesReceived
      forecast(metric: "cpu_usage_cores", horizon: HOURS_24, quantiles: [0.9]) { model windowMax lastSampleAt points { mean } }
      recommendation { cpuRequestMillicores { recommended reason } }
      cost { clouds { cloud currentMonthlyUsd recommendedMonthlyUsd } }
    }
  }`;

  it('carries a remote_write sample to the gateway, and one trace links HTTP, Kafka and gRPC spans across services', async () => {
    const end = Math.floor(Date.now() / 300_000) * 300_000;
    const samples = [];
    for (let t = end - 3 * DAY + 300_000; t <= end; t += 300_000) samples.push({ timestampMs: t, value: 1 + 0.5 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) });
    const trace = newTraceparent();
    const write = await fetch(`http://127.0.0.1:${mesh.services.ingestion.httpPort}/api/v1/write`, {
      method: 'POST',
      body: encodeRemoteWriteBody([{
        labels: [
          { name: '__name__', value: 'namespace_workload:container_cpu_usage_seconds_total:sum_rate' },
          { name: 'cluster', value: 'e2e' }, { name: 'namespace', value: 'shop' }, { name: 'workload', value: 'cart' }, { name: 'workload_type', value: 'deployment' },
        ],
        samples,
      }]),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'x-prescient-tenant': tenant, traceparent: trace.header },
    });
    expect(write.status).toBe(204);

    let answer: any;
    for (let i = 0; i < 120; i++) {
      answer = await gql(WORKLOAD_QUERY);
      if (answer.data?.workload?.cost && Date.parse(answer.data.workload.forecast?.lastSampleAt) >= end) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(answer.errors).toBeUndefined();
    const workload = answer.data.workload;
    expect(workload.samplesReceived).toBe(samples.length);
    expect(workload.forecast.points).toHaveLength(288);
    expect(workload.forecast.windowMax).toBeGreaterThan(1.4);
    expect(workload.recommendation.cpuRequestMillicores.recommended).toBeGreaterThan(1400);
    expect(workload.cost.clouds.map((c: { cloud: string }) => c.cloud).sort()).toEqual(['AWS', 'AZURE', 'GCP']);
    for (const c of workload.cost.clouds) expect(c.recommendedMonthlyUsd).toBeGreaterThan(0);

    const spans = await receiver.waitForTraceWith({
      'ingestion HTTP server': (s) => is('ingestion', SERVER, /POST/)(s) && String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? '').includes('/api/v1/write'),
      'ingestion publishes metrics.samples.v2': is('ingestion', PRODUCER, /^metrics\.samples\.v2 publish$/),
      'prediction consumes metrics.samples.v2': is('prediction', CONSUMER, /^metrics\.samples\.v2 process$/),
      'prediction publishes predictions.v1': is('prediction', PRODUCER, /^predictions\.v1 publish$/),
      'recommendation consumes predictions.v1': is('recommendation', CONSUMER, /^predictions\.v1 process$/),
      'recommendation calls Forecast over gRPC': is('recommendation', CLIENT, /PredictionService\/Forecast/),
      'prediction serves Forecast over gRPC': is('prediction', SERVER, /PredictionService\/Forecast/),
      'recommendation publishes recommendations.v1': is('recommendation', PRODUCER, /^recommendations\.v1 publish$/),
    });
    // Parent links hold across the process boundaries, not just the trace id.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const consume = spans.find(is('prediction', CONSUMER, /metrics\.samples\.v2 process/))!;
    expect(byId.get(consume.parentSpanId)).toMatchObject({ service: 'ingestion', kind: PRODUCER });
    const grpcServer = spans.find(is('prediction', SERVER, /PredictionService\/Forecast/))!;
    expect(byId.get(grpcServer.parentSpanId)).toMatchObject({ service: 'recommendation', kind: CLIENT });
  });

  it('links the gateway span to the subgraph, gRPC and Kafka spans of a mutation in one trace', async () => {
    const trace = newTraceparent();
    const res = await gql('mutation { refreshRecommendation(cluster: "e2e", namespace: "shop", kind: "Deployment", name: "cart") { cpuRequestMillicores { recommended } } }', { traceparent: trace.header });
    expect(res.errors).toBeUndefined();
    expect(res.data.refreshRecommendation.cpuRequestMillicores.recommended).toBeGreaterThan(0);
    await receiver.waitForTraceWith({
      'gateway HTTP server': is('gateway', SERVER, /POST/),
      'gateway calls the recommendation subgraph': is('gateway', CLIENT, /POST/),
      'recommendation HTTP server': is('recommendation', SERVER, /POST/),
      'recommendation calls Forecast over gRPC': is('recommendation', CLIENT, /PredictionService\/Forecast/),
      'prediction serves Forecast over gRPC': is('prediction', SERVER, /PredictionService\/Forecast/),
      'recommendation publishes recommendations.v1': is('recommendation', PRODUCER, /^recommendations\.v1 publish$/),
      'cost consumes recommendations.v1': is('cost', CONSUMER, /^recommendations\.v1 process$/),
    });
  });

  it('sizes a Kafka consumer group ahead of its forecast production, on autoscaling.decisions.v1 and at the gateway', async () => {
    const decisions = await new TopicCollector(testKafka(), TOPICS.autoscalingDecisions.name).start();
    const end = Math.floor(Date.now() / 300_000) * 300_000;
    const production = [];
    const lag = [];
    // Three days of production peaking at 3000 msgs/s each afternoon; lag building now.
    for (let t = end - 3 * DAY + 300_000; t <= end; t += 300_000) {
      production.push({ timestampMs: t, value: 2000 + 1000 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) });
      lag.push({ timestampMs: t, value: t === end ? 90_000 : 0 });
    }
    const group = [{ name: 'consumergroup', value: 'billing' }, { name: 'cluster', value: 'e2e' }];
    const write = await fetch(`http://127.0.0.1:${mesh.services.ingestion.httpPort}/api/v1/write`, {
      method: 'POST',
      body: encodeRemoteWriteBody([
        { labels: [{ name: '__name__', value: 'consumergroup:kafka_topic_partition_current_offset:sum_rate' }, ...group], samples: production },
        { labels: [{ name: '__name__', value: 'consumergroup:kafka_consumergroup_lag:sum' }, ...group], samples: lag },
      ]),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'x-prescient-tenant': tenant },
    });
    expect(write.status).toBe(204);
    let scaling: any;
    for (let i = 0; i < 120 && !scaling; i++) {
      const res = await gql('{ consumerGroups(cluster: "e2e") { groupId scaling { currentReplicas desiredReplicas reason predictedProductionRate } } }');
      scaling = res.data?.consumerGroups?.find((g: { groupId: string }) => g.groupId === 'billing')?.scaling;
      if (!scaling) await new Promise((r) => setTimeout(r, 500));
    }
    expect(scaling).toBeDefined();
    // The decision looks at the lead-time window ahead of now: the pattern's value about now.
    const expectedNow = 2000 + 1000 * Math.sin((2 * Math.PI * (Date.now() % DAY)) / DAY);
    expect(scaling.predictedProductionRate).toBeGreaterThan(expectedNow * 0.8);
    expect(scaling.predictedProductionRate).toBeLessThan(3000 * 1.1);
    expect(scaling.desiredReplicas).toBeGreaterThan(scaling.currentReplicas);
    expect(scaling.reason.length).toBeGreaterThan(10);
    const message = await decisions.waitFor((m) => m.headers?.[HEADERS.tenant]?.toString() === tenant);
    const decision = ScalingDecision.decode(message.value!);
    expect(decision.entity).toMatchObject({ tenant, cluster: 'e2e', name: 'billing' });
    expect(decision.desiredReplicas).toBeGreaterThan(0);
    await decisions.stop();
  });

  it('scopes every answer by tenant at the gateway', async () => {
    const other = await gql(WORKLOAD_QUERY, { 'x-prescient-tenant': uniqueTenant('other') });
    expect(other.data.workload).toBeNull();
    const none = await fetch(mesh.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: WORKLOAD_QUERY }) }).then((r) => r.json() as Promise<any>);
    expect(none.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers an AdmissionReview for a tenant Service with an exportTo patch', async () => {
    const review = {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: 'e2e-uid-1', kind: { group: '', version: 'v1', kind: 'Service' }, resource: { group: '', version: 'v1', resource: 'services' },
        namespace: 'team-a', operation: 'CREATE',
        object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'team-a' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } },
      },
    };
    const res = await fetch(`http://127.0.0.1:${mesh.services['mesh-webhook'].httpPort}/mutate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(review) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.response.uid).toBe('e2e-uid-1');
    expect(body.response.allowed).toBe(true);
    const patch = JSON.parse(Buffer.from(body.response.patch, 'base64').toString('utf8'));
    expect(JSON.stringify(patch)).toContain('networking.istio.io/exportTo');
  });
});
