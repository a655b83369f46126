import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { consumerGroupRef, METRICS } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, publishSamples, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { IngestionConfig } from '../config/ingestion.config';
import { GroupLag, groupLag, GroupSnapshot } from '../domain/kafka-lag/consumer-group-lag';

/**
 * Observes a Kafka cluster's consumer groups through the admin API on an interval: committed and
 * log-end offsets per partition become lag, production and consumption rates, queue latency and the
 * partition count, published as samples of the ConsumerGroup entity.
 */
@Injectable()
export class LagCollectorService implements OnApplicationShutdown {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly previous = new Map<string, GroupSnapshot>();
  private readonly groupPattern: RegExp;
  private readonly collections;
  private readonly groupsObserved;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.groupPattern = new RegExp(`^(?:${config.KAFKA_LAG_GROUPS})$`);
    this.collections = metrics.counter('kafka_lag_collections_total', 'Consumer-group offset collections, by outcome', ['outcome']);
    this.groupsObserved = metrics.gauge('kafka_lag_groups_observed', 'Consumer groups observed in the last collection');
  }

  get enabled(): boolean {
    return Boolean(this.config.KAFKA_LAG_BROKERS && this.config.KAFKA_LAG_TENANT);
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    this.admin = new Kafka({ clientId: 'ingestion-lag', brokers: this.config.KAFKA_LAG_BROKERS!.split(','), logLevel: logLevel.ERROR, retry: { retries: 2 } }).admin();
    await this.admin.connect();
    const tick = () => {
      const run = this.collectOnce().then(
        () => undefined,
        (e: Error) => {
          this.collections.inc({ outcome: 'error' });
          this.logger.warn(`consumer-group collection failed: ${e.message}`, 'KafkaLag');
        },
      );
      this.running = run;
      void run.finally(() => {
        if (this.admin) this.timer = setTimeout(tick, this.config.KAFKA_LAG_INTERVAL_MS);
      });
    };
    tick();
  }

  /** One collection: snapshot every matching group, publish what changed since the last one. */
  async collectOnce(): Promise<GroupLag[]> {
    const admin = this.admin!;
    const { groups } = await admin.listGroups();
    const observed = groups.map((g) => g.groupId).filter((id) => this.groupPattern.test(id)).sort();
    const logEnds = new Map<string, Map<number, number>>();
    const results: GroupLag[] = [];
    for (const groupId of observed) {
      const committed = await admin.fetchOffsets({ groupId });
      const partitions = [];
      for (const topic of committed) {
        if (!logEnds.has(topic.topic)) {
          const offsets = await admin.fetchTopicOffsets(topic.topic);
          logEnds.set(topic.topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
        }
        for (const p of topic.partitions) {
          partitions.push({ topic: topic.topic, partition: p.partition, committed: Number(p.offset), logEnd: logEnds.get(topic.topic)!.get(p.partition) ?? 0 });
        }
      }
      const snapshot: GroupSnapshot = { groupId, atMs: Date.now(), partitions };
      results.push(groupLag(snapshot, this.previous.get(groupId)));
      this.previous.set(groupId, snapshot);
    }
    await this.publish(results);
    this.groupsObserved.set(observed.length);
    this.collections.inc({ outcome: 'ok' });
    return results;
  }

  private async publish(results: GroupLag[]): Promise<void> {
    const tenant = this.config.KAFKA_LAG_TENANT!;
    const cluster = this.config.KAFKA_LAG_CLUSTER ?? this.config.CLUSTER_NAME;
    const batches = results.map((r) => {
      const entity = consumerGroupRef(tenant, cluster, r.groupId);
      const at = (value: number) => [{ timestampMs: r.atMs, value }];
      const series = [
        { metric: METRICS.kafkaLag, samples: at(r.lag) },
        { metric: METRICS.kafkaConsumerPartitions, samples: at(r.partitions) },
        ...(r.productionRate !== undefined ? [{ metric: METRICS.kafkaProductionRate, samples: at(r.productionRate) }] : []),
        ...(r.consumptionRate !== undefined ? [{ metric: METRICS.kafkaConsumptionRate, samples: at(r.consumptionRate) }] : []),
        ...(r.queueLatencySeconds !== undefined ? [{ metric: METRICS.kafkaQueueLatencySeconds, samples: at(r.queueLatencySeconds) }] : []),
      ];
      return { entity, series };
    });
    await publishSamples(this.messaging, tenant, 'kafka_lag', batches);
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await admin?.disconnect();
  }
}
