import '../src/tracing';
import { credentials, Metadata } from '@grpc/grpc-js';
import { EntityKind, ForecastRequest, Forecast, Horizon, PredictionEvent, PredictionServiceClient, TOPICS, entityKey, workloadRef } from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { encodeSampleBatches, testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
import { predictionService } from '../src/service';

const DAY = 24 * 3600 * 1000;

/** Three days of a daily pattern at 5-minute steps, ending at `endMs`. */
function dailyPattern(endMs: number, days = 3): { timestampMs: number; value: number }[] {
  const points = [];
  for (let t = endMs - days * DAY + 300_000; t <= endMs; t += 300_000) points.push({ timestampMs: t, value: 2 + Math.sin((2 * Math.PI * (t % DAY)) / DAY) });
  return points;
}

describe('prediction against real Kafka and PostgreSQL', () => {
  const kafka = testKafka();
  let a: RunningService;
  let b: RunningService;
  let predictions: TopicCollector;
  let client: PredictionServiceClient;
  const tenant = uniqueTenant();
  const env = { ...process.env, HTTP_PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', PREDICTION_REFIT_DEBOUNCE_MS: '200' };

  beforeAll(async () => {
    predictions = await new TopicCollector(kafka, TOPICS.predictions.name).start();
    a = await startService({ ...predictionService, env });
    b = await startService({ ...predictionService, env });
    client = new PredictionServiceClient(`127.0.0.1:${a.grpcPort}`, credentials.createInsecure());
  });

  let stopped = false;
  afterAll(async () => {
    client?.close();
    await predictions?.stop();
    if (!stopped) {
      await a?.stop();
      await b?.stop();
    }
  });

  const call = (request: Partial<ForecastRequest>) =>
    new Promise<Forecast>((resolve, reject) => client.forecast(ForecastRequest.fromPartial(request), new Metadata(), (error, response) => (error ? reject(error) : resolve(response!))));

  it('two instances split the entities, and every entity gets forecasts for 24 h, 7 d and 30 d', async () => {
    const end = Math.floor(Date.now() / 300_000) * 300_000;
    const producer = kafka.producer();
    await producer.connect();
    const entities = Array.from({ length: 12 }, (_, i) => workloadRef(tenant, 'c1', 'ns', 'Deployment', `w${i}`));
    await producer.send({
      topic: TOPICS.metricsSamples.name,
      messages: entities.map((entity) => ({
        key: entityKey(entity),
        value: encodeSampleBatches({ entity, series: [{ metric: 'cpu_usage_cores', samples: dailyPattern(end) }], source: 'test', receivedAtMs: Date.now() }),
        headers: { 'prescient-tenant': tenant },
      })),
    });
    await producer.disconnect();
    for (const entity of entities) {
      const message = await predictions.waitFor((m) => m.key?.toString() === entityKey(entity), 60000);
      const event = PredictionEvent.decode(message.value!);
      expect(event.forecasts.map((f) => f.horizon).sort()).toEqual([Horizon.HORIZON_24H, Horizon.HORIZON_7D, Horizon.HORIZON_30D]);
      const day = event.forecasts.find((f) => f.horizon === Horizon.HORIZON_24H)!;
      expect(day.points).toHaveLength(288);
      expect(day.windowMax).toBeGreaterThan(2.8);
      expect(day.windowMin).toBeLessThan(1.2);
      expect(day.points[0].quantiles.map((q) => q.quantile)).toEqual([0.1, 0.5, 0.9, 0.95, 0.99]);
    }
    // Each instance owns some partitions: both did part of the work.
    const published = async (s: RunningService) => (await s.deps.metrics.registry.getSingleMetric('prescient_prediction_refits_total')!.get()).values.find((v) => v.labels.outcome === 'published')?.value ?? 0;
    const [fromA, fromB] = [await published(a), await published(b)];
    expect(fromA).toBeGreaterThan(0);
    expect(fromB).toBeGreaterThan(0);
    expect(fromA + fromB).toBeGreaterThanOrEqual(entities.length);
  });

  it('exports the predicted 24 h maximum of node CPU use over allocatable for the alert rules', async () => {
    const end = Math.floor(Date.now() / 300_000) * 300_000;
    const node = { tenant, kind: EntityKind.ENTITY_KIND_NODE, cluster: 'c1', namespace: '', workloadKind: '', name: 'node-a' };
    const samples = dailyPattern(end).map((p) => ({ timestampMs: p.timestampMs, value: p.value / 3.5 })); // peaks near 0.86
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPICS.metricsSamples.name, messages: [{ key: entityKey(node), headers: { 'prescient-tenant': tenant }, value: encodeSampleBatches({ entity: node, series: [{ metric: 'node_cpu_utilisation_ratio', samples }], source: 'test', receivedAtMs: Date.now() }) }] });
    await producer.disconnect();
    let value: number | undefined;
    for (let i = 0; i < 100 && value === undefined; i++) {
      for (const s of [a, b]) {
        const metric = await s.deps.metrics.registry.getSingleMetric('prescient_prediction_node_cpu_predicted_max_ratio')!.get();
        value ??= metric.values.find((v) => v.labels.node === 'node-a' && v.labels.cluster === 'c1')?.value;
      }
      if (value === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(value).toBeGreaterThan(0.8);
    expect(value).toBeLessThan(0.9);
  });

  const entities = async (service: RunningService, representations: object[], selection: string): Promise<any> => {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': tenant },
      body: JSON.stringify({ query: `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, variables: { r: representations } }),
    });
    return res.json();
  };
  const FIELDS = 'forecast(metric: "cpu_usage_cores", horizon: HOURS_24, quantiles: [0.1, 0.9]) { parts model confidence flags measuredCoverage { quantile value } windowMax start points { timestamp mean quantiles { quantile value } } }';

  it('forecasts a namespace and its cluster as the sum of their workloads\' forecasts, consistent with the parts', async () => {
    const workloads = Array.from({ length: 12 }, (_, i) => ({ __typename: 'Workload', cluster: 'c1', namespace: 'ns', kind: 'Deployment', name: `w${i}` }));
    const parts = (await entities(a, workloads, `... on Workload { ${FIELDS} }`)).data._entities.map((e: any) => e.forecast);
    expect(parts.every((p: any) => p !== null && p.parts === 0)).toBe(true);
    expect(parts[0].measuredCoverage.map((c: any) => c.quantile)).toEqual([0.1, 0.5, 0.9, 0.95, 0.99]);
    const groups = await entities(b, [{ __typename: 'Namespace', cluster: 'c1', name: 'ns' }, { __typename: 'Cluster', id: 'c1' }], `... on Namespace { ${FIELDS} } ... on Cluster { ${FIELDS} }`);
    const [namespace, cluster] = groups.data._entities.map((e: any) => e.forecast);
    expect(namespace.parts).toBe(12);
    expect(namespace.model).toBe('sum of 12 forecasts');
    expect(namespace.measuredCoverage).toEqual([]);
    // Point by point, over the timestamps every part covers: the sum of the parts, means and quantiles alike.
    for (const point of namespace.points) {
      const at = parts.map((p: any) => p.points.find((x: any) => x.timestamp === point.timestamp));
      expect(at.every((x: any) => x !== undefined)).toBe(true);
      expect(point.mean).toBeCloseTo(at.reduce((n: number, x: any) => n + x.mean, 0), 9);
      expect(point.quantiles[1].value).toBeCloseTo(at.reduce((n: number, x: any) => n + x.quantiles[1].value, 0), 9);
    }
    expect(namespace.points.length).toBeGreaterThan(250);
    // The cluster holds only this namespace's workloads: the same sum.
    expect(cluster.parts).toBe(12);
    expect(cluster.points.map((p: any) => p.mean)).toEqual(namespace.points.map((p: any) => p.mean));
    const empty = await entities(a, [{ __typename: 'Namespace', cluster: 'c1', name: 'nothing-here' }], `... on Namespace { ${FIELDS} }`);
    expect(empty.data._entities[0].forecast).toBeNull();
  });

  it('forecasts a node on the Node entity, and refuses quantiles out of range precisely', async () => {
    let node: any;
    for (let i = 0; i < 100; i++) {
      node = (await entities(a, [{ __typename: 'Node', cluster: 'c1', name: 'node-a' }], '... on Node { forecast(metric: "node_cpu_utilisation_ratio", horizon: DAYS_7) { parts windowMax points { mean } } }')).data._entities[0].forecast;
      if (node) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(node.parts).toBe(0);
    expect(node.points).toHaveLength(168);
    expect(node.windowMax).toBeGreaterThan(0.8);
    const bad = await entities(a, [{ __typename: 'Node', cluster: 'c1', name: 'node-a' }], '... on Node { forecast(metric: "node_cpu_utilisation_ratio", horizon: DAYS_7, quantiles: [1.5]) { parts } }');
    expect(bad.errors[0]).toMatchObject({ message: expect.stringMatching(/quantile 1.5/), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('serves Forecast over gRPC for stored forecasts, with the quantiles asked for', async () => {
    const entity = workloadRef(tenant, 'c1', 'ns', 'Deployment', 'w0');
    const forecast = await call({ entity, metric: 'cpu_usage_cores', horizon: Horizon.HORIZON_7D, quantiles: [0.9, 0.5] });
    expect(forecast.points).toHaveLength(168);
    expect(forecast.points[0].quantiles.map((q) => q.quantile)).toEqual([0.5, 0.9]);
    expect(forecast.model.length).toBeGreaterThan(0);
  });

  it.each([
    ['an entity without a tenant', { entity: { tenant: '', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'c', namespace: 'n', workloadKind: 'Deployment', name: 'x' }, metric: 'cpu_usage_cores', horizon: Horizon.HORIZON_24H }, 3, /tenant/],
    ['an unknown horizon', { entity: workloadRef('t', 'c', 'n', 'Deployment', 'x'), metric: 'cpu_usage_cores', horizon: Horizon.HORIZON_UNSPECIFIED }, 3, /horizon/],
    ['a quantile out of range', { entity: workloadRef('t', 'c', 'n', 'Deployment', 'x'), metric: 'cpu_usage_cores', horizon: Horizon.HORIZON_24H, quantiles: [1.5] }, 3, /quantile 1.5/],
    ['an entity never seen', { entity: workloadRef('t', 'c', 'n', 'Deployment', 'never'), metric: 'cpu_usage_cores', horizon: Horizon.HORIZON_24H }, 5, /no forecast/],
  ])('answers %s with a precise gRPC error', async (_, request, code, message) => {
    await expect(call(request as Partial<ForecastRequest>)).rejects.toMatchObject({ code, details: expect.stringMatching(message) });
  });

  it('saves every history on shutdown, and the instance that takes the series over goes on from it', async () => {
    client.close();
    await a.stop();
    await b.stop();
    stopped = true;
    const c = await startService({ ...predictionService, env });
    try {
      const [{ count }] = await c.deps.dataSource.query('SELECT count(*)::int AS count FROM series_history WHERE tenant = $1', [tenant]);
      expect(count).toBeGreaterThanOrEqual(13); // twelve workloads and the node
      const w0 = workloadRef(tenant, 'c1', 'ns', 'Deployment', 'w0');
      const before = predictions.messages.length;
      const at = Math.floor(Date.now() / 300_000) * 300_000 + 300_000;
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: TOPICS.metricsSamples.name, messages: [{ key: entityKey(w0), headers: { 'prescient-tenant': tenant }, value: encodeSampleBatches({ entity: w0, series: [{ metric: 'cpu_usage_cores', samples: [{ timestampMs: at, value: 2.5 }] }], source: 'test', receivedAtMs: Date.now() }) }] });
      await producer.disconnect();
      // One new sample alone could not be forecast; with the three days saved before, all horizons are.
      const message = await predictions.waitFor((m) => predictions.messages.indexOf(m) >= before && m.key?.toString() === entityKey(w0), 60000);
      const event = PredictionEvent.decode(message.value!);
      expect(event.forecasts.map((f) => f.horizon).sort()).toEqual([Horizon.HORIZON_24H, Horizon.HORIZON_7D, Horizon.HORIZON_30D]);
      const day = event.forecasts.find((f) => f.horizon === Horizon.HORIZON_24H)!;
      expect(Number(day.lastSampleMs)).toBe(at);
      expect(day.windowMax).toBeGreaterThan(2.5);
      const restored = (await c.deps.metrics.registry.getSingleMetric('prescient_prediction_series_history_restored_total')!.get()).values[0]?.value ?? 0;
      expect(restored).toBeGreaterThanOrEqual(1);
    } finally {
      await c.stop();
    }
  });
});
