import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { SampleBatch, SampleBatches } from '@prescient/contracts';

/** A collected message and the partition it was read from. */
export type CollectedMessage = KafkaMessage & { partition: number };

/** Kafka as a test sees it: read what a service published, or publish what a service must reject. */
export function testKafka(brokers = requiredEnv('KAFKA_BROKERS')): Kafka {
  return new Kafka({ clientId: `test-${randomUUID().slice(0, 8)}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/** Collects every message of `topic` from the beginning, in a fresh consumer group. */
export class TopicCollector {
  readonly messages: CollectedMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly kafka: Kafka, readonly topic: string) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: `test-collector-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message, partition }) => void this.messages.push({ ...message, partition }) });
    return this;
  }

  /** Waits until `predicate` matches some collected message, and returns it. */
  async waitFor(predicate: (m: CollectedMessage) => boolean, timeoutMs = 30000): Promise<CollectedMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.messages.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no matching message on ${this.topic} within ${timeoutMs} ms (saw ${this.messages.length})`);
  }

  /** Waits for an entity batch on metrics.samples.v2 that matches, with the message that held it. */
  async waitForSampleBatch(predicate: (batch: SampleBatch, message: CollectedMessage) => boolean, timeoutMs = 30000): Promise<{ batch: SampleBatch; message: CollectedMessage }> {
    let found: { batch: SampleBatch; message: CollectedMessage } | undefined;
    await this.waitFor((message) => {
      const batch = sampleBatchesOf(message).find((b) => predicate(b, message));
      if (batch) found = { batch, message };
      return batch !== undefined;
    }, timeoutMs);
    return found!;
  }

  /** Every entity batch collected so far from metrics.samples.v2, in arrival order. */
  sampleBatches(filter: (message: CollectedMessage) => boolean = () => true): SampleBatch[] {
    return this.messages.filter(filter).flatMap(sampleBatchesOf);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * The entity batches in one metrics.samples.v2 message; none for a message that does not decode
 * (tests share the topic, and some publish poison on purpose).
 */
export function sampleBatchesOf(message: KafkaMessage): SampleBatch[] {
  if (!message.value) return [];
  try {
    return SampleBatches.decode(message.value).batches;
  } catch {
    return [];
  }
}

/** One metrics.samples.v2 message holding `batches`, as tests publish them (keyed by the first entity). */
export function encodeSampleBatches(...batches: SampleBatch[]): Buffer {
  return Buffer.from(SampleBatches.encode({ batches }).finish());
}

export function requiredEnv(key: string): string {
  const value = process.env[key];
  if (!value) throw new Error(`${key} is not set: int and e2e tests run under the Jest global setup that starts the infrastructure`);
  return value;
}

/** A tenant id no other test uses, so tests sharing one database and broker never see each other's rows. */
export function uniqueTenant(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
