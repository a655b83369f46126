import '../src/tracing';
import { credentials, Metadata } from '@grpc/grpc-js';
import { GetRecommendationRequest, Recommendation, RecommendationServiceClient, TOPICS, entityKey, workloadRef } from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { encodeSampleBatches, ServiceProcess, startServiceProcess, testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
import { recommendationService } from '../src/service';

const DAY = 24 * 3600 * 1000;

describe('recommendation against real Kafka, PostgreSQL and the prediction service', () => {
  const kafka = testKafka();
  const tenant = uniqueTenant();
  let prediction: ServiceProcess;
  let service: RunningService;
  let recommendations: TopicCollector;
  let client: RecommendationServiceClient;
  const workload = workloadRef(tenant, 'c1', 'shop', 'Deployment', 'api');

  beforeAll(async () => {
    prediction = await startServiceProcess('prediction', 'services/prediction/src/main.ts', { HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'warn', PREDICTION_REFIT_DEBOUNCE_MS: '200' });
    service = await startService({
      ...recommendationService,
      env: { ...process.env, HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'warn', PREDICTION_GRPC_ADDR: `127.0.0.1:${prediction.grpcPort}` },
    });
    recommendations = await new TopicCollector(kafka, TOPICS.recommendations.name).start();
    client = new RecommendationServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await recommendations?.stop();
    await service?.stop();
    expect(await prediction?.stop()).toBe(0); // drained cleanly on SIGTERM
  });

  const graphql = (query: string, as = tenant) =>
    fetch(`http://127.0.0.1:${service.httpPort}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': as }, body: JSON.stringify({ query }) }).then((r) => r.json() as Promise<any>);

  it('turns a workload CPU forecast into a recommendation on recommendations.v1, stored and served', async () => {
    const end = Math.floor(Date.now() / 300_000) * 300_000;
    const samples = [];
    // Three days between 1 and 3 cores with a daily cycle.
    for (let t = end - 3 * DAY + 300_000; t <= end; t += 300_000) samples.push({ timestampMs: t, value: 2 + Math.sin((2 * Math.PI * (t % DAY)) / DAY) });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPICS.metricsSamples.name, messages: [{ key: entityKey(workload), headers: { 'prescient-tenant': tenant }, value: encodeSampleBatches({ entity: workload, series: [{ metric: 'cpu_usage_cores', samples }], source: 'test', receivedAtMs: Date.now() }) }] });
    await producer.disconnect();

    const message = await recommendations.waitFor((m) => m.key?.toString() === entityKey(workload), 90000);
    const r = Recommendation.decode(message.value!);
    // The q0.9 peak of a 1–3 core daily cycle is about 3 cores: the request (one replica assumed) is near 3000m.
    expect(r.cpuRequestMillicores!.recommended).toBeGreaterThanOrEqual(2900);
    expect(r.cpuRequestMillicores!.recommended).toBeLessThanOrEqual(3300);
    expect(r.memoryRequestBytes!.recommended).toBeUndefined();
    expect(r.memoryRequestBytes!.reason).toMatch(/no memory forecast/);

    const served = await new Promise<Recommendation>((resolve, reject) =>
      client.getRecommendation(GetRecommendationRequest.fromPartial({ entity: workload }), new Metadata(), (e, res) => (e ? reject(e) : resolve(res!))));
    expect(served.cpuRequestMillicores!.recommended).toBe(r.cpuRequestMillicores!.recommended);

    const q = `{ _entities(representations: [{ __typename: "Workload", cluster: "c1", namespace: "shop", kind: "Deployment", name: "api" }]) { ... on Workload { recommendation { cpuRequestMillicores { recommended reason } generatedAt } } } }`;
    const mine = await graphql(q);
    expect(mine.data._entities[0].recommendation.cpuRequestMillicores.recommended).toBe(r.cpuRequestMillicores!.recommended);
    const other = await graphql(q, uniqueTenant());
    expect(other.data._entities[0].recommendation).toBeNull();
  });

  it('recomputes on demand through the mutation, asking prediction over gRPC', async () => {
    const res = await graphql('mutation { refreshRecommendation(cluster: "c1", namespace: "shop", kind: "Deployment", name: "api") { cpuRequestMillicores { recommended } generatedAt } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.refreshRecommendation.cpuRequestMillicores.recommended).toBeGreaterThan(0);
  });

  it('answers precisely when there is nothing to recommend from, or the request is malformed', async () => {
    const none = await graphql('mutation { refreshRecommendation(cluster: "c1", namespace: "shop", kind: "Deployment", name: "never-seen") { generatedAt } }');
    expect(none.errors[0].message).toBe('no recommendation: no cpu forecast');
    const noTenant = await fetch(`http://127.0.0.1:${service.httpPort}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
    expect(noTenant.status).toBe(200); // SDL needs no tenant; data does
    await expect(new Promise((resolve, reject) =>
      client.getRecommendation(GetRecommendationRequest.fromPartial({ entity: workloadRef('', 'c', 'n', 'Deployment', 'x') }), new Metadata(), (e, res) => (e ? reject(e) : resolve(res))),
    )).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/tenant/) });
  });
});
