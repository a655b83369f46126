import type { EntityRef } from './generated/prescient/common/v1/entity';
import { BatchSeries, EnvelopeFieldLayout, EntityIdentity, entityIdentity, envelopeFieldLayout, writeEnvelopeField } from './sample-batch-writer';

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
