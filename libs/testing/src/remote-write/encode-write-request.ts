import { compressSync } from 'snappy';
import {
  ProtobufWriter,
  WIRE_FIXED64,
  WIRE_LENGTH_DELIMITED,
  WIRE_VARINT,
  int64Size,
  uint32Size,
} from './protobuf-writer';

export interface EncodableLabel {
  readonly name: string;
  readonly value: string;
}

export interface EncodableSample {
  readonly timestampMs: number;
  readonly value: number;
  /** Write Prometheus' exact stale-marker bits (a NaN payload a JS number cannot be trusted to carry). */
  readonly stale?: boolean;
}

export interface EncodableSeries {
  readonly labels: readonly EncodableLabel[];
  readonly samples: readonly EncodableSample[];
}

/** Prometheus' stale marker, value.StaleNaN = 0x7ff0000000000002, as little-endian words. */
export const STALE_MARKER_LOW_WORD = 0x00000002;
export const STALE_MARKER_HIGH_WORD = 0x7ff00000;

/** Sample: value (double, field 1) + timestamp (int64, field 2); both always written, even when zero. */
const SAMPLE_VALUE_BYTES = 1 + 8;

/** Encodes a prompb.WriteRequest (protobuf bytes, not compressed). */
export function encodeWriteRequest(series: readonly EncodableSeries[]): Buffer {
  const sizes = series.map(sizeSeries);
  const total = sizes.reduce((sum, size) => sum + 1 + uint32Size(size.bytes) + size.bytes, 0);
  const writer = new ProtobufWriter(Buffer.allocUnsafe(total));
  series.forEach((one, index) => writeSeries(writer, one, sizes[index]));
  if (writer.offset !== total) throw new Error(`encoder sized ${total} bytes but wrote ${writer.offset}`);
  return writer.buf;
}

/** Encodes a remote_write 1.0 HTTP body: the WriteRequest in snappy block format. */
export function encodeRemoteWriteBody(series: readonly EncodableSeries[]): Buffer {
  return snappyBlock(encodeWriteRequest(series));
}

/** Snappy block-compresses arbitrary bytes (e.g. a hand-built WriteRequest). */
export function snappyBlock(message: Uint8Array): Buffer {
  return compressSync(message);
}

interface SeriesSize {
  readonly bytes: number;
  readonly labelBytes: readonly LabelSize[];
  readonly sampleBytes: readonly number[];
}

interface LabelSize {
  readonly bytes: number;
  readonly name: number;
  readonly value: number;
}

function sizeSeries(series: EncodableSeries): SeriesSize {
  const labelBytes = series.labels.map(sizeLabel);
  const sampleBytes = series.samples.map(sizeSample);
  let bytes = 0;
  for (const label of labelBytes) bytes += 1 + uint32Size(label.bytes) + label.bytes;
  for (const sample of sampleBytes) bytes += 1 + uint32Size(sample) + sample;
  return { bytes, labelBytes, sampleBytes };
}

function sizeLabel(label: EncodableLabel): LabelSize {
  const name = Buffer.byteLength(label.name, 'utf8');
  const value = Buffer.byteLength(label.value, 'utf8');
  return { bytes: 1 + uint32Size(name) + name + 1 + uint32Size(value) + value, name, value };
}

function sizeSample(sample: EncodableSample): number {
  return SAMPLE_VALUE_BYTES + 1 + int64Size(sample.timestampMs);
}

function writeSeries(writer: ProtobufWriter, series: EncodableSeries, size: SeriesSize): void {
  writer.tag(1, WIRE_LENGTH_DELIMITED).uint32(size.bytes);
  series.labels.forEach((label, index) => {
    const labelSize = size.labelBytes[index];
    writer.tag(1, WIRE_LENGTH_DELIMITED).uint32(labelSize.bytes);
    writer.tag(1, WIRE_LENGTH_DELIMITED).string(label.name, labelSize.name);
    writer.tag(2, WIRE_LENGTH_DELIMITED).string(label.value, labelSize.value);
  });
  series.samples.forEach((sample, index) => {
    writer.tag(2, WIRE_LENGTH_DELIMITED).uint32(size.sampleBytes[index]);
    writer.tag(1, WIRE_FIXED64);
    if (sample.stale === true) writer.fixed64Words(STALE_MARKER_LOW_WORD, STALE_MARKER_HIGH_WORD);
    else writer.double(sample.value);
    writer.tag(2, WIRE_VARINT).int64(sample.timestampMs);
  });
}
