import '../src/tracing';
import { credentials, Metadata } from '@grpc/grpc-js';
import {
  Cloud, CostServiceClient, deadLetterTopic, EntityKind, entityKey, EntityRef, GetWorkloadCostRequest, HEADERS, Recommendation, TOPICS, WorkloadCost, workloadRef,
} from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
import { costService } from '../src/service';

const GI = 2 ** 30;

/**
 * The default price table, worked by hand (micro-dollars; a month is 730 h, rounded once, half up):
 *  - GCP us-central1 publishes $0.031611 per vCPU-hour and $0.004237 per GiB-hour.
 *  - AWS us-east-1 (m6i.xlarge) and Azure eastus (D4s_v5) are $0.192/h for 4 vCPU + 16 GiB, split
 *    with GCP's ratio: $0.031247101 per vCPU-hour and $0.004188225 per GiB-hour.
 * Current: 4 × (1000m + 2 GiB); recommended: 3 × (500m + 1 GiB).
 *  - GCP current 4 × (31 611 + 8 474) µ$/h = 160 340 µ$/h → $117.048200 a month;
 *    recommended 3 × (15 805.5 + 4 237) = 60 127.5 µ$/h → $43.893075; saving $73.155125.
 *  - AWS/Azure current 4 × (31 247.101 + 8 376.450) = 158 494.204 µ$/h → 115 700 768.92 → $115.700769;
 *    recommended 3 × (15 623.5505 + 4 188.225) = 59 435.3265 µ$/h → 43 387 788.345 → $43.387788;
 *    saving $72.312981.
 */
const EXPECTED = [
  { cloud: 'AWS', region: 'us-east-1', currentMonthlyUsd: 115.700769, recommendedMonthlyUsd: 43.387788, savingsMonthlyUsd: 72.312981 },
  { cloud: 'AZURE', region: 'eastus', currentMonthlyUsd: 115.700769, recommendedMonthlyUsd: 43.387788, savingsMonthlyUsd: 72.312981 },
  { cloud: 'GCP', region: 'us-central1', currentMonthlyUsd: 117.0482, recommendedMonthlyUsd: 43.893075, savingsMonthlyUsd: 73.155125 },
];
const CONTRACT_CLOUD = { AWS: Cloud.CLOUD_AWS, AZURE: Cloud.CLOUD_AZURE, GCP: Cloud.CLOUD_GCP } as const;

function recommendation(entity: EntityRef, generatedAtMs: number, figures: Partial<Recommendation> = {}): Recommendation {
  return Recommendation.fromPartial({
    entity,
    cpuRequestMillicores: { current: 1000, recommended: 500, reason: 'test' },
    cpuLimitMillicores: { current: 2000, reason: 'limits are not priced' },
    memoryRequestBytes: { current: 2 * GI, recommended: GI, reason: 'test' },
    memoryLimitBytes: { reason: 'no limit' },
    replicas: { current: 4, recommended: 3, reason: 'test' },
    generatedAtMs,
    forecastGeneratedAtMs: generatedAtMs - 1000,
    ...figures,
  });
}

describe('cost against real Kafka and PostgreSQL', () => {
  const kafka = testKafka();
  const producer = kafka.producer();
  const tenant = uniqueTenant();
  let service: RunningService;
  let client: CostServiceClient;
  let dlq: TopicCollector;

  beforeAll(async () => {
    dlq = await new TopicCollector(kafka, deadLetterTopic(TOPICS.recommendations.name)).start();
    await producer.connect();
    service = await startService({ ...costService, env: { ...process.env, HTTP_PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' } });
    client = new CostServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await producer.disconnect();
    await dlq?.stop();
    await service?.stop();
  });

  const publish = (...messages: { key: string; value: Buffer; tenant: string }[]) =>
    producer.send({ topic: TOPICS.recommendations.name, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { [HEADERS.tenant]: m.tenant } })) });
  const publishRecommendation = (r: Recommendation) => publish({ key: entityKey(r.entity!), value: Buffer.from(Recommendation.encode(r).finish()), tenant: r.entity!.tenant });

  const call = (request: Partial<GetWorkloadCostRequest>) =>
    new Promise<WorkloadCost>((resolve, reject) =>
      client.getWorkloadCost(GetWorkloadCostRequest.fromPartial(request), new Metadata(), (error, response) => (error ? reject(error) : resolve(response!))));

  /** Polls the RPC until `done` holds for the workload's cost. */
  async function costOf(entity: EntityRef, done: (c: WorkloadCost) => boolean = () => true, timeoutMs = 60000): Promise<WorkloadCost> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const cost = await call({ entity });
        if (done(cost)) return cost;
      } catch (error) {
        if ((error as { code?: number }).code !== 5) throw error;
      }
      if (Date.now() > deadline) throw new Error(`no matching cost for ${entity.name} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const graphql = (query: string, variables: Record<string, unknown>, as: string | null = tenant) =>
    fetch(`http://127.0.0.1:${service.httpPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(as === null ? {} : { 'x-prescient-tenant': as }) },
      body: JSON.stringify({ query, variables }),
    }).then((r) => r.json() as Promise<any>);
  const COST_QUERY = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Workload { name cost { clouds { cloud region currentMonthlyUsd recommendedMonthlyUsd savingsMonthlyUsd } computedAt recommendationGeneratedAt caveats } } } }`;
  const workloadCost = (name: string, as: string = tenant) =>
    graphql(COST_QUERY, { representations: [{ __typename: 'Workload', cluster: 'c1', namespace: 'shop', kind: 'Deployment', name }] }, as);

  const metricsText = async () => (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();

  it('prices a recommendation on AWS, Azure and GCP, to the cent and below, over gRPC and the subgraph', async () => {
    const entity = workloadRef(tenant, 'c1', 'shop', 'Deployment', 'api');
    const generatedAtMs = Date.now() - 60_000;
    const before = Date.now();
    await publishRecommendation(recommendation(entity, generatedAtMs));

    const cost = await costOf(entity);
    expect(cost.entity).toEqual(entity);
    expect(cost.clouds).toEqual(EXPECTED.map((e) => ({ ...e, cloud: CONTRACT_CLOUD[e.cloud as keyof typeof CONTRACT_CLOUD] })));
    expect(cost.computedAtMs).toBeGreaterThanOrEqual(before);
    expect(cost.computedAtMs).toBeLessThanOrEqual(Date.now());

    const mine = await workloadCost('api');
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities[0]).toEqual({
      name: 'api',
      cost: { clouds: EXPECTED, computedAt: new Date(cost.computedAtMs).toISOString(), recommendationGeneratedAt: new Date(generatedAtMs).toISOString(), caveats: [] },
    });
    expect(await metricsText()).toMatch(/^prescient_cost_workloads_priced_total [1-9]/m);
  });

  it('scopes the subgraph by tenant: another tenant sees null, no tenant is refused', async () => {
    const other = await workloadCost('api', uniqueTenant());
    expect(other.errors).toBeUndefined();
    expect(other.data._entities[0].cost).toBeNull();
    const none = await graphql(COST_QUERY, { representations: [{ __typename: 'Workload', cluster: 'c1', namespace: 'shop', kind: 'Deployment', name: 'api' }] }, null);
    expect(none.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // gRPC: the same workload key in another tenant is not this tenant's workload.
    await expect(call({ entity: workloadRef(uniqueTenant(), 'c1', 'shop', 'Deployment', 'api') })).rejects.toMatchObject({ code: 5 });
  });

  it('keeps the newest: a newer recommendation replaces the price, an older one redelivered does not', async () => {
    const entity = workloadRef(tenant, 'c1', 'shop', 'Deployment', 'worker');
    const t0 = Date.now() - 120_000;
    await publishRecommendation(recommendation(entity, t0));
    await costOf(entity);
    // Newer: nothing recommended for replicas → both sides at 4 replicas.
    await publishRecommendation(recommendation(entity, t0 + 60_000, { replicas: { current: 4, reason: 'kept' } }));
    const newer = await costOf(entity, (c) => c.clouds[2]!.recommendedMonthlyUsd !== 43.893075);
    // GCP: 4 × 20 042.5 µ$/h × 730 = 58 524 100 µ$.
    expect(newer.clouds[2]!.recommendedMonthlyUsd).toBe(58.5241);
    // Older, after the newer one (a redelivery): handled, counted as stale, not stored.
    await publishRecommendation(recommendation(entity, t0 - 60_000, { replicas: { current: 10, recommended: 10, reason: 'old' } }));
    for (let i = 0; i < 300 && !/^prescient_cost_stale_recommendations_total [1-9]/m.test(await metricsText()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await metricsText()).toMatch(/^prescient_cost_stale_recommendations_total 1$/m);
    expect((await call({ entity })).clouds[2]!.recommendedMonthlyUsd).toBe(58.5241);
  });

  it('prices what is known when figures are missing, says so, and never answers NaN', async () => {
    const entity = workloadRef(tenant, 'c1', 'shop', 'Deployment', 'partial');
    await publishRecommendation(recommendation(entity, Date.now(), {
      cpuRequestMillicores: { recommended: 250, reason: 'no request set today' },
      memoryRequestBytes: { reason: 'no memory forecast for this workload yet: nothing recommended' },
      replicas: { current: 2, reason: 'kept' },
    }));
    await costOf(entity);
    const res = await workloadCost('partial');
    const cost = res.data._entities[0].cost;
    expect(cost.caveats).toEqual([
      'CPU request: the current figure is unknown; taken to be the recommended 250m, so it adds no saving',
      'memory request: neither the current nor the recommended figure is known; priced at 0 (the memory part of the figures is missing)',
    ]);
    // GCP: 2 × 250m × 31.611 µ$ = 15 805.5 µ$/h → × 730 = 11 538 015 µ$ on both sides.
    expect(cost.clouds[2]).toEqual({ cloud: 'GCP', region: 'us-central1', currentMonthlyUsd: 11.538015, recommendedMonthlyUsd: 11.538015, savingsMonthlyUsd: 0 });
    for (const c of cost.clouds) for (const v of [c.currentMonthlyUsd, c.recommendedMonthlyUsd, c.savingsMonthlyUsd]) expect(Number.isFinite(v)).toBe(true);
    expect(await metricsText()).toMatch(/prescient_cost_pricing_caveats_total\{resource="memory_request",kind="unknown"\} [1-9]/);
  });

  it('sends what cannot be decoded or priced to recommendations.v1.dlq, counts it, and goes on', async () => {
    const poisonTenant = uniqueTenant();
    const negative = recommendation(workloadRef(poisonTenant, 'c1', 'shop', 'Deployment', 'negative'), Date.now(), { memoryRequestBytes: { current: -1, reason: 'corrupt' } });
    const cluster: EntityRef = { tenant: poisonTenant, kind: EntityKind.ENTITY_KIND_CLUSTER, cluster: 'c1', namespace: '', workloadKind: '', name: '' };
    const farFuture = recommendation(workloadRef(poisonTenant, 'c1', 'shop', 'Deployment', 'far-future'), 9_000_000_000_000_000);
    const after = workloadRef(poisonTenant, 'c1', 'shop', 'Deployment', 'after-poison');
    await publish(
      { key: 'poison', value: Buffer.from([0xff, 0xff, 0xff]), tenant: poisonTenant },
      { key: entityKey(negative.entity!), value: Buffer.from(Recommendation.encode(negative).finish()), tenant: poisonTenant },
      { key: entityKey(cluster), value: Buffer.from(Recommendation.encode(recommendation(cluster, Date.now())).finish()), tenant: poisonTenant },
      { key: entityKey(farFuture.entity!), value: Buffer.from(Recommendation.encode(farFuture).finish()), tenant: poisonTenant },
    );
    await publishRecommendation(recommendation(after, Date.now()));

    const dead = (key: string) => dlq.waitFor((m) => m.headers?.[HEADERS.tenant]?.toString() === poisonTenant && m.key?.toString() === key, 60000);
    const undecodable = await dead('poison');
    expect(undecodable.headers?.[HEADERS.deadLetterReason]?.toString()).toMatch(/^undecodable: /);
    expect(undecodable.value).toEqual(Buffer.from([0xff, 0xff, 0xff]));
    expect((await dead(entityKey(negative.entity!))).headers?.[HEADERS.deadLetterReason]?.toString()).toBe('invalid_workload: memory_request_bytes.current is -1; expected a whole number ≥ 0');
    expect((await dead(entityKey(cluster))).headers?.[HEADERS.deadLetterReason]?.toString()).toBe('not_a_workload: cost prices workloads; entity.kind ENTITY_KIND_CLUSTER is not ENTITY_KIND_WORKLOAD');

    expect((await dead(entityKey(farFuture.entity!))).headers?.[HEADERS.deadLetterReason]?.toString()).toBe('invalid_timestamp: generated_at_ms 9000000000000000 is not a time between 1970 and 9999');

    expect((await costOf(after)).clouds).toHaveLength(3);
    const text = await metricsText();
    expect(text).toMatch(/prescient_cost_kafka_messages_rejected_total\{topic="recommendations\.v1",reason="undecodable"\} [1-9]/);
    expect(text).toMatch(/prescient_cost_pricing_failures_total\{reason="invalid_workload"\} [1-9]/);
    expect(text).toMatch(/prescient_cost_pricing_failures_total\{reason="not_a_workload"\} [1-9]/);
  });

  it.each([
    ['no entity', {}, 3, 'entity is missing'],
    ['an entity without a tenant', { entity: { tenant: '', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'c1', namespace: 'shop', workloadKind: 'Deployment', name: 'api' } }, 3, "tenant '' is not a valid tenant id"],
    ['a workload without a name', { entity: workloadRef('acme', 'c1', 'shop', 'Deployment', '') }, 3, 'a workload needs namespace, workloadKind and name'],
    ['a cluster', { entity: { tenant: 'acme', kind: EntityKind.ENTITY_KIND_CLUSTER, cluster: 'c1', namespace: '', workloadKind: '', name: '' } }, 3, 'cost is priced per workload; entity.kind ENTITY_KIND_CLUSTER is not ENTITY_KIND_WORKLOAD'],
    ['a workload never priced', { entity: workloadRef('acme', 'c1', 'shop', 'Deployment', 'never') }, 5, 'workload Deployment/never in c1/shop has not been priced yet (no recommendation for it has arrived)'],
  ])('answers %s with a precise gRPC error', async (_, request, code, details) => {
    await expect(call(request as Partial<GetWorkloadCostRequest>)).rejects.toMatchObject({ code, details });
  });

  it('is ready with Kafka and PostgreSQL reachable', async () => {
    const ready = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { kafka: true, postgres: true } });
  });
});
