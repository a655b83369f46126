import { EntityRef, entityKey, entityProblem, SampleBatch, SampleBatches, TOPICS } from '@prescient/contracts';
import { MessageCodec, KafkaMessaging, OutgoingMessage } from './messaging';
import { partitionForKey } from './partitioner';

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
  series: { metric: string; samples: { timestampMs: number; value: number }[] }[];
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
  const maxBytes = meta.maxBytes ?? MAX_ENVELOPE_BYTES;
  const open = new Map<number, { parts: Uint8Array[]; bytes: number; batches: number }>();
  const done: SampleEnvelope[] = [];
  const close = (partition: number, e: { parts: Uint8Array[]; bytes: number; batches: number }) =>
    done.push({ partition, value: Buffer.concat(e.parts, e.bytes), batches: e.batches });
  for (const b of batches) {
    const partition = partitionForKey(entityKey(b.entity), meta.partitions);
    const body = SampleBatch.encode({ entity: b.entity, series: b.series, source: meta.source, receivedAtMs: meta.receivedAtMs }).finish();
    const head = fieldHeader(body.length);
    let e = open.get(partition);
    if (e && e.bytes + head.length + body.length > maxBytes) {
      close(partition, e);
      e = undefined;
    }
    if (!e) open.set(partition, (e = { parts: [], bytes: 0, batches: 0 }));
    e.parts.push(head, body);
    e.bytes += head.length + body.length;
    e.batches++;
  }
  for (const [partition, e] of open) close(partition, e);
  return done;
}

/** Tag of field 1 (length-delimited) and the length as a varint. */
function fieldHeader(length: number): Uint8Array {
  const out = [0x0a];
  let n = length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Uint8Array.from(out);
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
