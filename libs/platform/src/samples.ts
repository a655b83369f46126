import { encodeSampleEnvelopes, EntitySeries, entityProblem, SampleBatch, SampleBatches, TOPICS } from '@prescient/contracts';
import { MessageCodec, KafkaMessaging, OutgoingMessage } from './messaging';

// The envelope encoding is pure and lives with the contract (so worker threads load no transport).
export { encodeSampleEnvelopes, MAX_ENVELOPE_BYTES } from '@prescient/contracts';
export type { EntitySeries, SampleEnvelope } from '@prescient/contracts';

/** metrics.samples.v2: an envelope of one tenant's entity batches that share a partition. */
export const sampleBatchesCodec: MessageCodec<SampleBatches> = {
  schema: TOPICS.metricsSamples.schema,
  encode: (m) => SampleBatches.encode(m).finish(),
  decode: (b) => SampleBatches.decode(b),
  validate: (m) => (m.batches.length === 0 ? 'message has no batches' : undefined),
  sift: (m, headerTenant) => {
    const kept: SampleBatch[] = [];
    const rejected: SampleBatch[] = [];
    let first: { reason: string; detail: string } | undefined;
    for (const batch of m.batches) {
      const problem = batchProblem(batch, headerTenant);
      if (!problem) {
        kept.push(batch);
        continue;
      }
      rejected.push(batch);
      first ??= problem;
    }
    if (!first) return { kept: m };
    return {
      kept: { batches: kept },
      rejected: { message: { batches: rejected }, reason: first.reason, detail: `${rejected.length} of ${m.batches.length} batches rejected; first: ${first.detail}` },
    };
  },
  isEmpty: (m) => m.batches.length === 0,
};

function batchProblem(batch: SampleBatch, headerTenant: string | undefined): { reason: string; detail: string } | undefined {
  const problem = entityProblem(batch.entity) ?? (batch.series.length === 0 ? 'batch has no series' : undefined);
  if (problem) return { reason: 'invalid', detail: problem };
  if (headerTenant !== undefined && batch.entity!.tenant !== headerTenant) {
    return { reason: 'tenant_mismatch', detail: `header tenant '${headerTenant}' differs from the payload's '${batch.entity!.tenant}'` };
  }
  return undefined;
}

/**
 * Publishes one tenant's entity samples on metrics.samples.v2: one message per partition (not per
 * entity), each resolved only when the broker has it (acks=all). Returns the messages sent.
 */
export async function publishSamples(
  messaging: KafkaMessaging,
  tenant: string,
  source: string,
  batches: readonly EntitySeries[],
  receivedAtMs = Date.now(),
): Promise<number> {
  if (batches.length === 0) return 0;
  const foreign = batches.find((b) => b.entity.tenant !== tenant);
  if (foreign) throw new Error(`a batch of tenant '${foreign.entity.tenant}' was published as tenant '${tenant}'`);
  const envelopes = encodeSampleEnvelopes(batches, { source, receivedAtMs, partitions: await messaging.partitionCount(TOPICS.metricsSamples.name) });
  return publishEnvelopes(messaging, tenant, envelopes);
}

/**
 * Publishes SampleBatches envelopes already encoded (encodeSampleEnvelopes, possibly on another
 * thread) for `tenant`, whose batches they must all be. Resolves once the broker has every one.
 */
export async function publishEnvelopes(messaging: KafkaMessaging, tenant: string, envelopes: readonly { partition: number; value: Buffer }[]): Promise<number> {
  if (envelopes.length === 0) return 0;
  const messages: OutgoingMessage<Buffer>[] = envelopes.map((e) => ({ partition: e.partition, value: e.value, tenant }));
  await messaging.publishEncoded(TOPICS.metricsSamples.name, TOPICS.metricsSamples.schema, messages);
  return messages.length;
}
