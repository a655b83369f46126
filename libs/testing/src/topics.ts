import { Kafka, logLevel } from 'kafkajs';
// Relative, not @prescient/contracts: Jest loads global setup without its module mapper.
import { allTopicSpecs } from '../../contracts/src/topics';

/** Creates every project topic with its partitions, as each service does at start (idempotent). */
export async function createProjectTopics(brokers: string): Promise<void> {
  const admin = new Kafka({ clientId: 'prescient-setup', brokers: brokers.split(','), logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = allTopicSpecs().filter((t) => !existing.has(t.name));
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }] })),
    });
  } finally {
    await admin.disconnect();
  }
}
