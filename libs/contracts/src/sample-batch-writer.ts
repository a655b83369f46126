import { EntityRef } from './generated/prescient/common/v1/entity';
import { entityKey } from './entities';
import { murmur2 } from './partitioner';

/**
 * What the write path needs to know of an entity, computed once and reused for every batch of it:
 * its key, the key's murmur2 hash (its partition for any partition count) and its encoded EntityRef.
 */
export interface EntityIdentity {
  readonly entity: EntityRef;
  readonly key: string;
  /** murmur2 of the key's UTF-8 bytes, made positive: `hash % partitions` is the partition. */
  readonly hash: number;
  readonly entityBytes: Uint8Array;
}

export function entityIdentity(entity: EntityRef): EntityIdentity {
  const key = entityKey(entity);
  return { entity, key, hash: murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff, entityBytes: EntityRef.encode(entity).finish() };
}

export interface BatchSeries {
  metric: string;
  samples: readonly { timestampMs: number; value: number }[];
}

const metricNameBytes = new Map<string, Buffer>();

function utf8(text: string): Buffer {
  let bytes = metricNameBytes.get(text);
  if (!bytes) {
    bytes = Buffer.from(text, 'utf8');
    // Metric names are few (the canonical set); the bound only guards against a caller's bug.
    if (metricNameBytes.size < 4096) metricNameBytes.set(text, bytes);
  }
  return bytes;
}

function varintLength(n: number): number {
  let length = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    length++;
  }
  return length;
}

/**
 * Encodes one SampleBatch as field 1 of a SampleBatches envelope (tag, length, message), straight
 * into one exact-size buffer: the remote_write path writes thousands per second, and a generic
 * writer's chunk list and copies were a tenth of its time. The bytes decode with the generated
 * SampleBatch codec (fields in number order; a zero timestamp or value is written, which proto3
 * decoders accept).
 */
export function encodeEnvelopeField(identity: EntityIdentity, series: readonly BatchSeries[], source: string, receivedAtMs: number): Buffer {
  const sourceBytes = utf8(source);
  const entityLength = identity.entityBytes.length;
  let size = 1 + varintLength(entityLength) + entityLength;
  const seriesLengths: number[] = [];
  for (const s of series) {
    const metric = utf8(s.metric);
    let length = 1 + varintLength(metric.length) + metric.length;
    for (const p of s.samples) {
      const sample = sampleLength(p.timestampMs);
      length += 1 + varintLength(sample) + sample;
    }
    seriesLengths.push(length);
    size += 1 + varintLength(length) + length;
  }
  size += 1 + varintLength(sourceBytes.length) + sourceBytes.length;
  size += 1 + varintLength(receivedAtMs);

  const out = Buffer.allocUnsafe(1 + varintLength(size) + size);
  let pos = 0;
  const varint = (n: number) => {
    while (n >= 128) {
      out[pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    out[pos++] = n;
  };
  out[pos++] = 0x0a; // SampleBatches.batches
  varint(size);
  out[pos++] = 0x0a; // SampleBatch.entity
  varint(entityLength);
  out.set(identity.entityBytes, pos);
  pos += entityLength;
  series.forEach((s, i) => {
    const metric = utf8(s.metric);
    out[pos++] = 0x12; // SampleBatch.series
    varint(seriesLengths[i]);
    out[pos++] = 0x0a; // MetricSeries.metric
    varint(metric.length);
    metric.copy(out, pos);
    pos += metric.length;
    for (const p of s.samples) {
      out[pos++] = 0x12; // MetricSeries.samples
      varint(sampleLength(p.timestampMs));
      out[pos++] = 0x08; // Sample.timestamp_ms
      varint(p.timestampMs);
      out[pos++] = 0x11; // Sample.value
      out.writeDoubleLE(p.value, pos);
      pos += 8;
    }
  });
  out[pos++] = 0x1a; // SampleBatch.source
  varint(sourceBytes.length);
  sourceBytes.copy(out, pos);
  pos += sourceBytes.length;
  out[pos++] = 0x20; // SampleBatch.received_at_ms
  varint(receivedAtMs);
  if (pos !== out.length) throw new Error(`SampleBatch encoding wrote ${pos} bytes of ${out.length}`);
  return out;
}

function sampleLength(timestampMs: number): number {
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) throw new RangeError(`sample timestamp ${timestampMs} is not a non-negative integer of milliseconds`);
  return 1 + varintLength(timestampMs) + 1 + 8;
}
