import '../src/tracing';
import { KafkaMessage } from 'kafkajs';
import {
  consumerGroupRef, deadLetterTopic, EntityKind, EntityRef, entityKey, Forecast, HEADERS, Horizon, METRICS, PredictionEvent, SampleBatch, ScalingDecision, TOPICS, workloadRef,
} from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { encodeSampleBatches, testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
import { GROUP_METRICS } from '../src/domain';
import { autoscalerActuatorService } from '../src/service';

const STEP_S = 300;
const POINTS_24H = 288;
// The decision inputs the expectations are computed from.
const CONFIG = {
  AUTOSCALER_MIN_REPLICAS: 1, AUTOSCALER_MAX_REPLICAS: 50, AUTOSCALER_TARGET_DRAIN_SECONDS: 300, AUTOSCALER_LEAD_TIME_SECONDS: 600,
  AUTOSCALER_SCALE_DOWN_COOLDOWN_SECONDS: 300, AUTOSCALER_DEFAULT_CONSUMER_RATE: 100,
};

/**
 * A 24 h forecast at 5-minute steps from `startMs`, q0.9 = `q90[i]` (the last value repeats), and a
 * 7 d forecast of absurd rates: if the actuator read the wrong horizon, every decision would hit the maximum.
 */
function predictionEvent(entity: EntityRef, q90: number[], opts: { startMs?: number; generatedAtMs: number; stepSeconds?: number; quantiles?: number[]; metric?: string }): PredictionEvent {
  const startMs = opts.startMs ?? Date.now();
  const metric = opts.metric ?? METRICS.kafkaProductionRate;
  const forecast = (horizon: Horizon, step: number, count: number, rate: (i: number) => number): Forecast => ({
    entity, metric, horizon, startMs, stepSeconds: step, windowMax: 0, windowMin: 0, windowAvg: 0, model: 'test', confidence: 2,
    generatedAtMs: opts.generatedAtMs, lastSampleMs: startMs - 1, measuredCoverage: [], flags: [], parts: 0,
    points: Array.from({ length: count }, (_, i) => ({
      timestampMs: startMs + i * (step || STEP_S) * 1000,
      mean: rate(i) * 0.8,
      quantiles: (opts.quantiles ?? [0.5, 0.9]).map((q) => ({ quantile: q, value: q === 0.9 ? rate(i) : rate(i) * 0.8 })),
    })),
  });
  return {
    entity, metric,
    forecasts: [
      forecast(Horizon.HORIZON_7D, 3600, 168, () => 1e9),
      forecast(Horizon.HORIZON_24H, opts.stepSeconds ?? STEP_S, POINTS_24H, (i) => q90[Math.min(i, q90.length - 1)]),
    ],
  };
}

describe('autoscaler-actuator against real Kafka and PostgreSQL', () => {
  const kafka = testKafka();
  const producer = kafka.producer();
  let service: RunningService;
  let base: string;
  let decisions: TopicCollector;
  let dlq: TopicCollector;
  const tenant = uniqueTenant();
  const env = { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(CONFIG).map(([k, v]) => [k, String(v)])) };

  beforeAll(async () => {
    decisions = await new TopicCollector(kafka, TOPICS.autoscalingDecisions.name).start();
    dlq = await new TopicCollector(kafka, deadLetterTopic(TOPICS.predictions.name)).start();
    await producer.connect();
    service = await startService({ ...autoscalerActuatorService, env });
    base = `http://127.0.0.1:${service.httpPort}`;
  });

  afterAll(async () => {
    await producer.disconnect();
    await decisions?.stop();
    await dlq?.stop();
    await service?.stop();
  });

  const send = (topic: string, messages: { key: string; value: Buffer; tenant: string }[]) =>
    producer.send({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { [HEADERS.tenant]: m.tenant } })) });
  const sendPredictions = (key: string, events: (PredictionEvent | Buffer)[]) =>
    send(TOPICS.predictions.name, events.map((e) => ({ key, tenant, value: Buffer.isBuffer(e) ? e : Buffer.from(PredictionEvent.encode(e).finish()) })));
  const sendSamples = (entity: EntityRef, series: SampleBatch['series']) =>
    send(TOPICS.metricsSamples.name, [{ key: entityKey(entity), tenant: entity.tenant, value: encodeSampleBatches({ entity, series, source: 'kafka_lag', receivedAtMs: Date.now() }) }]);

  const gql = (query: string, headers: Record<string, string>, variables?: unknown) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) }).then((r) => r.json() as Promise<any>);
  const asTenant = (t: string) => ({ 'x-prescient-tenant': t });

  const decisionsFor = (entity: EntityRef): ScalingDecision[] =>
    decisions.messages.filter((m) => m.key?.toString() === entityKey(entity)).map((m) => ScalingDecision.decode(m.value!));
  const nextDecision = async (entity: EntityRef, generatedAtMs: number): Promise<{ message: KafkaMessage; decision: ScalingDecision }> => {
    const message = await decisions.waitFor((m) => m.key?.toString() === entityKey(entity) && ScalingDecision.decode(m.value!).forecastGeneratedAtMs === generatedAtMs);
    return { message, decision: ScalingDecision.decode(message.value!) };
  };
  const counter = async (name: string, labels: Record<string, string>): Promise<number> => {
    const metric = service.deps.metrics.registry.getSingleMetric(`prescient_autoscaler_actuator_${name}`);
    const values = metric ? (await metric.get()).values : [];
    return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
  };
  const eventually = async <T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('sizes a group ahead of rising production from its measured lag and drain rate, publishes the decision and serves it', async () => {
    const group = consumerGroupRef(tenant, 'c1', 'orders');
    const t0 = Date.now();
    await sendSamples(group, [
      // A stale marker (NaN) after the real sample: counted, not used.
      { metric: GROUP_METRICS.lag, samples: [{ timestampMs: t0, value: 60_000 }, { timestampMs: t0 + 1, value: Number.NaN }] },
      { metric: GROUP_METRICS.consumptionRate, samples: [{ timestampMs: t0, value: 400 }] },
      { metric: GROUP_METRICS.replicas, samples: [{ timestampMs: t0, value: 2 }] },
      { metric: GROUP_METRICS.partitions, samples: [{ timestampMs: t0, value: 24 }] },
    ]);
    // The group is known (from its samples) before any decision: listed, scaling null.
    await eventually(async () => {
      const r = await gql('{ consumerGroups(cluster: "c1") { cluster groupId scaling { desiredReplicas } } }', asTenant(tenant));
      return r.data?.consumerGroups?.length ? r.data.consumerGroups : undefined;
    }, 'the group listed from its samples').then((groups) => expect(groups).toEqual([{ cluster: 'c1', groupId: 'orders', scaling: null }]));

    // Production rises 1000 → 2000 msg/s within the 600 s lead time, then to 9000 beyond it (not acted on yet).
    const generatedAtMs = Date.now();
    await sendPredictions(entityKey(group), [predictionEvent(group, [1000, 2000, 2000, 9000], { generatedAtMs, startMs: generatedAtMs })]);
    const { message, decision } = await nextDecision(group, generatedAtMs);

    // Measured drain rate: 400 msg/s consumed by 2 replicas while 60 000 messages waited = 200 msg/s each.
    // Need: (peak 2000 + lag 60 000 ÷ 300 s) ÷ 200 = 11 replicas (within 24 partitions and the maximum 50).
    const perConsumer = 400 / 2;
    const expected = Math.ceil((2000 + 60_000 / CONFIG.AUTOSCALER_TARGET_DRAIN_SECONDS) / perConsumer);
    expect(expected).toBe(11);
    expect(decision).toMatchObject({ entity: group, currentReplicas: 2, desiredReplicas: expected, predictedProductionRate: 2000, predictedLagSeconds: 0, forecastGeneratedAtMs: generatedAtMs });
    expect(decision.reason).toMatch(/^scale up: q0\.9 production peak 2000 msg\/s over the next 600 s \+ lag 60000 ÷ 300 s = 2200 msg\/s at 200 msg\/s per consumer → 11 needed$/);
    expect(decision.decidedAtMs).toBeGreaterThanOrEqual(generatedAtMs);
    expect(message.headers?.[HEADERS.tenant]?.toString()).toBe(tenant);
    expect(message.headers?.traceparent?.toString()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const listed = await gql('{ consumerGroups { cluster groupId scaling { currentReplicas desiredReplicas reason predictedProductionRate predictedLagSeconds decidedAt } } }', asTenant(tenant));
    expect(listed.data.consumerGroups).toEqual([{
      cluster: 'c1', groupId: 'orders',
      scaling: { currentReplicas: 2, desiredReplicas: 11, reason: decision.reason, predictedProductionRate: 2000, predictedLagSeconds: 0, decidedAt: new Date(decision.decidedAtMs).toISOString() },
    }]);
    // The gateway resolves the entity by its key, tenant-scoped like every other field.
    const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on ConsumerGroup { cluster groupId scaling { desiredReplicas } } } }';
    const representations = { r: [{ __typename: 'ConsumerGroup', cluster: 'c1', groupId: 'orders' }] };
    expect((await gql(entities, asTenant(tenant), representations)).data._entities).toEqual([{ cluster: 'c1', groupId: 'orders', scaling: { desiredReplicas: 11 } }]);
    expect((await gql(entities, asTenant(uniqueTenant()), representations)).data._entities).toEqual([{ cluster: 'c1', groupId: 'orders', scaling: null }]);

    expect(await counter('decisions_total', { action: 'scale-up' })).toBeGreaterThanOrEqual(1);
    expect(await counter('observations_rejected_total', { reason: 'invalid_value' })).toBe(1);
    // Its own schema, with the tenant on every row.
    const rows = await service.deps.dataSource.query('SELECT desired_replicas, last_scale_at FROM autoscaler_actuator.consumer_groups WHERE tenant = $1 AND group_id = $2', [tenant, 'orders']);
    expect(rows).toEqual([{ desired_replicas: 11, last_scale_at: new Date(decision.decidedAtMs) }]);
  });

  it('scopes the subgraph by tenant: another tenant sees nothing, no tenant is refused', async () => {
    const other = await gql('{ consumerGroups { groupId } }', asTenant(uniqueTenant()));
    expect(other.data.consumerGroups).toEqual([]);
    const none = await gql('{ consumerGroups { groupId } }', {});
    expect(none.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('ignores workload predictions and other metrics of a consumer group', async () => {
    const group = consumerGroupRef(tenant, 'c1', 'ignored-then-decided');
    const workload = workloadRef(tenant, 'c1', 'shop', 'Deployment', 'api');
    const generatedAtMs = Date.now();
    // One key: one partition, handled in order; the last event proves the first two were handled.
    await sendPredictions(entityKey(group), [
      predictionEvent(workload, [5000], { generatedAtMs }),
      predictionEvent(group, [5000], { generatedAtMs: generatedAtMs + 1, metric: METRICS.cpuUsageCores }),
      predictionEvent(group, [250], { generatedAtMs: generatedAtMs + 2 }),
    ]);
    const { decision } = await nextDecision(group, generatedAtMs + 2);
    expect(decisionsFor(group)).toHaveLength(1);
    expect(decisions.messages.map((m) => ScalingDecision.decode(m.value!).entity?.kind).filter((k) => k !== EntityKind.ENTITY_KIND_CONSUMER_GROUP)).toEqual([]);
    // No samples: lag 0, the configured 100 msg/s per consumer, the minimum 1 running → ceil(250 ÷ 100) = 3.
    expect(decision).toMatchObject({ currentReplicas: 1, desiredReplicas: 3, predictedProductionRate: 250 });
    expect(await counter('predictions_ignored_total', { reason: 'not_consumer_group' })).toBeGreaterThanOrEqual(1);
    expect(await counter('predictions_ignored_total', { reason: 'other_metric' })).toBeGreaterThanOrEqual(1);
  });

  it('keeps each group\'s state in PostgreSQL: a shrink waits for the cooldown, an older forecast is not replayed over a newer one', async () => {
    const group = consumerGroupRef(tenant, 'c2', 'payments');
    const g1 = Date.now();
    await sendPredictions(entityKey(group), [predictionEvent(group, [450], { generatedAtMs: g1 })]);
    const first = (await nextDecision(group, g1)).decision;
    expect(first).toMatchObject({ currentReplicas: 1, desiredReplicas: Math.ceil(450 / CONFIG.AUTOSCALER_DEFAULT_CONSUMER_RATE) });
    expect(first.reason).toContain('[lag not sampled yet: taken as 0; per-consumer rate not measured yet: the configured 100 msg/s; replicas not sampled and never decided: taken as the minimum 1]');

    // A replay of the first forecast, then production falling to 50 msg/s (1 replica needed).
    await sendPredictions(entityKey(group), [predictionEvent(group, [450], { generatedAtMs: g1 }), predictionEvent(group, [50], { generatedAtMs: g1 + 1 })]);
    const second = (await nextDecision(group, g1 + 1)).decision;
    expect(second).toMatchObject({ currentReplicas: 5, desiredReplicas: 5, predictedProductionRate: 50 });
    expect(second.reason).toMatch(/^hold \(cooldown: \d+ s left since the last scaling\): .* → 1 needed .*5 as last decided/);
    expect(decisionsFor(group)).toHaveLength(2);
    expect(await counter('predictions_ignored_total', { reason: 'not_newer' })).toBeGreaterThanOrEqual(1);
    expect(await counter('decisions_total', { action: 'hold' })).toBeGreaterThanOrEqual(1);
  });

  it('counts a forecast it cannot decide from, publishes nothing for it, and goes on', async () => {
    const group = consumerGroupRef(tenant, 'c1', 'bad-forecasts');
    const g = Date.now();
    const before = { step: await counter('decision_failures_total', { reason: 'invalid_forecast' }), quantile: await counter('decision_failures_total', { reason: 'missing_quantile' }) };
    await sendPredictions(entityKey(group), [
      predictionEvent(group, [100], { generatedAtMs: g, stepSeconds: 0 }),
      predictionEvent(group, [100], { generatedAtMs: g + 1, quantiles: [0.5] }),
      predictionEvent(group, [100], { generatedAtMs: g + 2 }),
    ]);
    const { decision } = await nextDecision(group, g + 2);
    expect(decision.desiredReplicas).toBe(1);
    expect(decisionsFor(group)).toHaveLength(1);
    expect(await counter('decision_failures_total', { reason: 'invalid_forecast' })).toBe(before.step + 1);
    expect(await counter('decision_failures_total', { reason: 'missing_quantile' })).toBe(before.quantile + 1);
  });

  it('sends a prediction that does not decode to predictions.v1.dlq and goes on consuming', async () => {
    const group = consumerGroupRef(tenant, 'c3', 'after-poison');
    const poison = Buffer.from([0xff, 0xff, 0xff]);
    const g = Date.now();
    await sendPredictions(entityKey(group), [poison, predictionEvent(group, [100], { generatedAtMs: g })]);
    const dead = await dlq.waitFor((m) => m.key?.toString() === entityKey(group));
    expect(dead.value).toEqual(poison);
    expect(dead.headers?.[HEADERS.deadLetterReason]?.toString()).toMatch(/^undecodable: /);
    await nextDecision(group, g);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/prescient_autoscaler_actuator_kafka_messages_rejected_total\{topic="predictions\.v1",reason="undecodable"\} [1-9]/);
    expect(metrics).toMatch(/prescient_autoscaler_actuator_decisions_total\{action="scale-up"\} [1-9]/);
  });

  it('is ready with Kafka and PostgreSQL reachable', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { kafka: true, postgres: true } });
  });
});
