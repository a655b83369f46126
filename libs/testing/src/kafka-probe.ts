import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, KafkaMessage, logLevel } from 'kafkajs';

/** Kafka as a test sees it: read what a service published, or publish what a service must reject. */
export function testKafka(brokers = requiredEnv('KAFKA_BROKERS')): Kafka {
  return new Kafka({ clientId: `test-${randomUUID().slice(0, 8)}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/** Collects every message of `topic` from the beginning, in a fresh consumer group. */
export class TopicCollector {
  readonly messages: KafkaMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly kafka: Kafka, readonly topic: string) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: `test-collector-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message }) => void this.messages.push(message) });
    return this;
  }

  /** Waits until `predicate` matches some collected message, and returns it. */
  async waitFor(predicate: (m: KafkaMessage) => boolean, timeoutMs = 30000): Promise<KafkaMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.messages.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no matching message on ${this.topic} within ${timeoutMs} ms (saw ${this.messages.length})`);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
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
