// Test fixtures (not shipped in the domain's index): limits and an independent protobuf writer
// (@bufbuild/protobuf's), so wire-level cases do not depend on our own encoder.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { RemoteWriteLimits } from './decoded-write-request';
import { RemoteWriteDecodeError, type RemoteWriteDecodeErrorReason } from './remote-write-decode-error';

export { WireType };

export const GENEROUS_LIMITS: RemoteWriteLimits = {
  maxCompressedBytes: 16 << 20,
  maxDecompressedBytes: 64 << 20,
  maxSeriesPerRequest: 100_000,
  maxLabelsPerSeries: 64,
  maxLabelNameLength: 1_024,
  maxLabelValueLength: 4_096,
};

export function limitsWith(overrides: Partial<RemoteWriteLimits>): RemoteWriteLimits {
  return { ...GENEROUS_LIMITS, ...overrides };
}

export type Write = (writer: BinaryWriter) => void;

export function protoMessage(...parts: Write[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const part of parts) part(writer);
  return writer.finish();
}

/** A length-delimited sub-message as field `field`. */
export function nested(field: number, ...parts: Write[]): Write {
  return (writer) => {
    writer.tag(field, WireType.LengthDelimited).fork();
    for (const part of parts) part(writer);
    writer.join();
  };
}

export const stringField =
  (field: number, value: string): Write =>
  (writer) =>
    writer.tag(field, WireType.LengthDelimited).string(value);

export const bytesField =
  (field: number, value: Uint8Array): Write =>
  (writer) =>
    writer.tag(field, WireType.LengthDelimited).bytes(value);

export const label = (name: string, value: string): Write => nested(1, stringField(1, name), stringField(2, value));

export const sample = (value: number, timestampMs: number): Write =>
  nested(2, (w) => w.tag(1, WireType.Bit64).double(value), (w) => w.tag(2, WireType.Varint).int64(timestampMs));

export const series = (...parts: Write[]): Write => nested(1, ...parts);

/** A minimal valid series: the metric name, any extra parts, and one sample. */
export const namedSeries = (metricName: string, ...parts: Write[]): Write =>
  series(label('__name__', metricName), ...parts, sample(1, 1_000));

/** Runs `decode` and returns the RemoteWriteDecodeError it must throw (failing the test otherwise). */
export function decodeErrorOf(decode: () => unknown): RemoteWriteDecodeError {
  try {
    decode();
  } catch (error) {
    if (error instanceof RemoteWriteDecodeError) return error;
    throw new Error(`expected RemoteWriteDecodeError, got ${String(error)}`);
  }
  throw new Error('expected RemoteWriteDecodeError, but decoding succeeded');
}

export function expectDecodeError(
  decode: () => unknown,
  reason: RemoteWriteDecodeErrorReason,
  message: string | RegExp,
): void {
  const error = decodeErrorOf(decode);
  expect({ reason: error.reason, message: error.message }).toEqual({
    reason,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  });
}
