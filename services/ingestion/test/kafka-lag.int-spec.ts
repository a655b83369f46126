import '../src/tracing';
import { EntityKind, METRICS, TOPICS } from '@prescient/contracts';
import { RunningService, startService } from '@prescient/platform';
import { testKafka, TopicCollector, uniqueTenant } from '@prescient/testing';
import { LagCollectorService } from '../src/kafka-lag/lag-collector.service';
import { ingestionService } from '../src/service';

describe('Kafka consumer-group lag collection against the real broker', () => {
  const kafka = testKafka();
  const tenant = uniqueTenant('lag');
  const topic = `orders-${tenant}`;
  const groupId = `billing-${tenant}`;
  let service: RunningService;
  let samples: TopicCollector;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    samples = await new TopicCollector(kafka, TOPICS.metricsSamples.name).start();
    service = await startService({
      ...ingestionService,
      env: {
        ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn',
        KAFKA_LAG_BROKERS: process.env.KAFKA_BROKERS, KAFKA_LAG_TENANT: tenant, KAFKA_LAG_CLUSTER: 'kc', KAFKA_LAG_GROUPS: `billing-${tenant}`,
        KAFKA_LAG_INTERVAL_MS: '3600000',
      },
    });
  });

  afterAll(async () => {
    await samples?.stop();
    await service?.stop();
  });

  it('publishes lag, rates, queue latency and partitions of a group as ConsumerGroup samples', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, messages: batch(30) });
    // The group reads everything there is now and commits it.
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    for (let i = 0; i < 200 && seen < 30; i++) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(seen).toBe(30);

    const collector = service.app.get(LagCollectorService);
    const first = await collector.collectOnce();
    expect(first).toMatchObject([{ groupId, lag: 0, partitions: 3 }]);
    // 20 more written, none consumed: lag 20, production > 0, consumption 0.
    await producer.send({ topic, messages: batch(20) });
    await producer.disconnect();
    await new Promise((r) => setTimeout(r, 1000));
    const [second] = await collector.collectOnce();
    expect(second.lag).toBe(20);
    expect(second.productionRate).toBeGreaterThan(0);
    expect(second.consumptionRate).toBe(0);
    expect(second.queueLatencySeconds).toBeUndefined();

    const { batch: decoded } = await samples.waitForSampleBatch((b) =>
      b.entity?.tenant === tenant && b.entity.name === groupId && b.series.some((s) => s.metric === METRICS.kafkaProductionRate));
    expect(decoded.entity).toEqual({ tenant, kind: EntityKind.ENTITY_KIND_CONSUMER_GROUP, cluster: 'kc', namespace: '', workloadKind: '', name: groupId });
    const value = (metric: string) => decoded.series.find((s) => s.metric === metric)?.samples[0].value;
    expect(value(METRICS.kafkaLag)).toBe(20);
    expect(value(METRICS.kafkaConsumerPartitions)).toBe(3);
    expect(value(METRICS.kafkaConsumptionRate)).toBe(0);
  });
});
