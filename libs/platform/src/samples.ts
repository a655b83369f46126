import { EntityRef, entityProblem, SampleBatch, SampleBatches, TOPICS } from '@prescient/contracts';
import { MessageCodec, KafkaMessaging, OutgoingMessage } from './messaging';
import { BatchSeries, EnvelopeFieldLayout, EntityIdentity, entityIdentity, envelopeFieldLayout, writeEnvelopeField } from '@prescient/contracts';

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

/** The samples of one entity, as producers build them. */
export interface EntitySeries {
  entity: EntityRef;
  series: BatchSeries[];
  /** The entity's key, hash and encoding, where the caller keeps them across writes; else computed. */
  identity?: EntityIdentity;
}

export interface SampleEnvelope {
  partition: number;
  value: Buffer;
  batches: number;
}

/** Below Kafka's default 1 MiB message limit, with room for the record's headers. */
export const MAX_ENVELOPE_BYTES = 512 * 1024;

/**
 * Encodes each entity's batch once and concatenates them into SampleBatches envelopes, one per
 * partition (split where an envelope would pass `maxBytes`). A SampleBatches message is its batches
 * as repeated field 1, so concatenating `0x0a, length, batch` is its exact encoding.
 */
export function encodeSampleEnvelopes(
  batches: readonly EntitySeries[],
  meta: { source: string; receivedAtMs: number; partitions: number; maxBytes?: number },
): SampleEnvelope[] {
  if (!Number.isInteger(meta.partitions) || meta.partitions < 1) throw new RangeError(`partition count must be a positive integer, got ${meta.partitions}`);
  const maxBytes = meta.maxBytes ?? MAX_ENVELOPE_BYTES;
  // First the layout of every batch and the envelope it goes in, then one buffer per envelope.
  interface Planned { identity: EntityIdentity; series: BatchSeries[]; layout: EnvelopeFieldLayout }
  const open = new Map<number, { items: Planned[]; bytes: number }>();
  const planned: { partition: number; items: Planned[]; bytes: number }[] = [];
  for (const b of batches) {
    const identity = b.identity ?? entityIdentity(b.entity);
    const partition = identity.hash % meta.partitions;
    const layout = envelopeFieldLayout(identity, b.series, meta.source, meta.receivedAtMs);
    let e = open.get(partition);
    if (e && e.bytes + layout.total > maxBytes) {
      planned.push({ partition, ...e });
      e = undefined;
    }
    if (!e) open.set(partition, (e = { items: [], bytes: 0 }));
    e.items.push({ identity, series: b.series, layout });
    e.bytes += layout.total;
  }
  for (const [partition, e] of open) planned.push({ partition, ...e });
  return planned.map(({ partition, items, bytes }) => {
    const value = Buffer.allocUnsafe(bytes);
    let pos = 0;
    for (const item of items) pos = writeEnvelopeField(value, pos, item.layout, item.identity, item.series, meta.source, meta.receivedAtMs);
    return { partition, value, batches: items.length };
  });
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
  const topic = TOPICS.metricsSamples.name;
  const envelopes = encodeSampleEnvelopes(batches, { source, receivedAtMs, partitions: await messaging.partitionCount(topic) });
  const messages: OutgoingMessage<Buffer>[] = envelopes.map((e) => ({ partition: e.partition, value: e.value, tenant }));
  await messaging.publishEncoded(topic, TOPICS.metricsSamples.schema, messages);
  return messages.length;
}
