import fc from 'fast-check';
// Relative import on purpose: the @prescient/testing index also loads the Kafka/Postgres launchers.
import {
  encodeRemoteWriteBody,
  encodeWriteRequest,
  snappyBlock,
  type EncodableLabel,
  type EncodableSeries,
} from '../../../../../libs/testing/src/remote-write';
import { decodeRemoteWrite, decodeWriteRequestMessage } from './decode-write-request';
import type { DecodedWriteRequest } from './decoded-write-request';
import { LabelInterner } from './label-interner';
import { limitsWith } from './remote-write.fixtures';
import { RemoteWriteDecodeError } from './remote-write-decode-error';

// Tight limits so fuzzed inputs also reach the limit checks.
const LIMITS = limitsWith({
  maxCompressedBytes: 64 * 1024,
  maxDecompressedBytes: 256 * 1024,
  maxSeriesPerRequest: 50,
  maxLabelsPerSeries: 12,
  maxLabelNameLength: 40,
  maxLabelValueLength: 200,
});

/** The contract under fuzzing: a result, or a RemoteWriteDecodeError; any other throw fails the property. */
function decodesOrRefuses(decode: () => DecodedWriteRequest): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof RemoteWriteDecodeError)) throw error;
  }
}

// A shared interner across all runs, as in the service: fuzzing must not be able to poison it.
const sharedInterner = new LabelInterner({ maxEntries: 500 });
const decodeBody = (body: Uint8Array) => (): DecodedWriteRequest => decodeRemoteWrite(body, LIMITS, { interner: sharedInterner });
const decodeProto = (message: Uint8Array) => (): DecodedWriteRequest =>
  decodeWriteRequestMessage(message, LIMITS, { interner: sharedInterner });

// --- valid requests --------------------------------------------------------------------------------

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/).filter((name) => name !== '__name__');
const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,30}$/);
const labelValue = fc.oneof(
  fc.constantFrom('', 'kubelet', 'default', 'Zürich 東京 🚀'),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const timestamp = fc.oneof(
  fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
  fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 32, -(2 ** 31)),
  fc.maxSafeInteger(),
);
const sampleArb = fc.oneof(
  { weight: 9, arbitrary: fc.record({ timestampMs: timestamp, value: fc.double() }) },
  { weight: 1, arbitrary: fc.record({ timestampMs: timestamp, value: fc.constant(Number.NaN), stale: fc.constant(true) }) },
);
const seriesArb: fc.Arbitrary<EncodableSeries> = fc
  .record({
    metric: metricName,
    labels: fc.uniqueArray(fc.record({ name: labelName, value: labelValue }), { maxLength: 10, selector: (l) => l.name }),
    samples: fc.array(sampleArb, { maxLength: 4 }),
  })
  .map(({ metric, labels, samples }) => ({ labels: [{ name: '__name__', value: metric }, ...labels], samples }));
const requestArb = fc.array(seriesArb, { maxLength: 8 });
const MAX_FLIPS_PER_MESSAGE = 2_048;
/** Small requests for the exhaustive (every offset, every bit) properties. */
const smallRequestArb = fc.array(seriesArb, { minLength: 1, maxLength: 3 });

function expectedDecoding(request: readonly EncodableSeries[]): Pick<DecodedWriteRequest, 'series' | 'sampleCount'> {
  const kept = request.filter((one) => one.samples.length > 0);
  const keptLabels = (labels: readonly EncodableLabel[]) => labels.filter((l) => l.value !== '').map((l) => ({ ...l }));
  return {
    series: kept.map((one) => ({
      labels: keptLabels(one.labels),
      metricName: one.labels[0].value,
      samples: one.samples.map((s) => ({ timestampMs: s.timestampMs, value: s.value, stale: s.stale === true })),
    })),
    sampleCount: kept.reduce((sum, one) => sum + one.samples.length, 0),
  };
}

// --- protobuf-shaped noise ---------------------------------------------------------------------------

/** Bytes that look like protobuf (plausible tags, nested lengths, sometimes lying), to reach deep paths. */
const wireSoup: fc.Arbitrary<Uint8Array> = fc.letrec<{ message: Uint8Array; field: Uint8Array }>((tie) => ({
  message: fc.array(tie('field'), { maxLength: 5 }).map(concat),
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 12 })).map(
      ([field, wireType, payload]) => concat([varint((field << 3) | wireType), payload]),
    ),
    fc.tuple(fc.integer({ min: 1, max: 4 }), tie('message'), fc.integer({ min: -2, max: 2 })).map(([field, inner, lie]) =>
      concat([varint((field << 3) | 2), varint(Math.max(0, inner.length + (lie === 2 ? 0 : lie))), inner]),
    ),
    fc.tuple(labelName, labelValue).map(([name, value]) => encodeLabelField(name, value)),
  ),
})).message;

function encodeLabelField(name: string, value: string): Uint8Array {
  const nameBytes = Buffer.from(name);
  const valueBytes = Buffer.from(value);
  const inner = concat([Uint8Array.of(0x0a), varint(nameBytes.length), nameBytes, Uint8Array.of(0x12), varint(valueBytes.length), valueBytes]);
  return concat([Uint8Array.of(0x0a), varint(inner.length), inner]);
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let remaining = value >>> 0;
  while (remaining > 0x7f) {
    bytes.push((remaining & 0x7f) | 0x80);
    remaining >>>= 7;
  }
  bytes.push(remaining);
  return Uint8Array.from(bytes);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

describe('decodeRemoteWrite under fuzzing', () => {
  it('round-trips any valid generated request exactly', () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const decoded = decodeRemoteWrite(encodeRemoteWriteBody(request), LIMITS, { interner: sharedInterner });
        expect(decoded).toMatchObject(expectedDecoding(request));
        expect(decoded.emptySeriesSkipped).toBe(request.filter((one) => one.samples.length === 0).length);
      }),
      { numRuns: 400 },
    );
  });

  it('only returns or throws RemoteWriteDecodeError for random bodies', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => decodesOrRefuses(decodeBody(bytes))), { numRuns: 2_000 });
  });

  it('only returns or throws RemoteWriteDecodeError for random protobuf bytes inside valid snappy', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        decodesOrRefuses(decodeProto(bytes));
        decodesOrRefuses(decodeBody(snappyBlock(bytes)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('only returns or throws RemoteWriteDecodeError for protobuf-shaped noise', () => {
    fc.assert(fc.property(wireSoup, (bytes) => decodesOrRefuses(decodeProto(bytes))), { numRuns: 3_000 });
  });

  it('survives truncation of valid messages and bodies at every offset', () => {
    fc.assert(
      fc.property(smallRequestArb, (request) => {
        const message = encodeWriteRequest(request);
        const body = snappyBlock(message);
        for (let end = 0; end < message.length; end++) decodesOrRefuses(decodeProto(message.subarray(0, end)));
        for (let end = 0; end < body.length; end++) decodesOrRefuses(decodeBody(body.subarray(0, end)));
      }),
      { numRuns: 60 },
    );
  });

  it('survives single bit flips across a valid message (every bit of small ones), and in its snappy body', () => {
    fc.assert(
      fc.property(smallRequestArb, fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), (request, offset, flips) => {
        const message = encodeWriteRequest(request);
        const bits = message.length * 8;
        const stride = Math.ceil(bits / MAX_FLIPS_PER_MESSAGE); // bounds the run time on large messages
        for (let bit = offset % stride; bit < bits; bit += stride) decodesOrRefuses(decodeProto(flipBit(message, bit)));
        const body = snappyBlock(message);
        for (const flip of flips) decodesOrRefuses(decodeBody(flipBit(body, flip % (body.length * 8))));
      }),
      { numRuns: 40 },
    );
  });

  it('decodes mutated requests identically with a warm shared interner and a fresh one (cache soundness)', () => {
    const warm = new LabelInterner({ maxEntries: 300, maxLabelSets: 40 });
    const outcome = (decode: () => DecodedWriteRequest): unknown => {
      try {
        return decode();
      } catch (error) {
        return { reason: (error as RemoteWriteDecodeError).reason, message: (error as Error).message };
      }
    };
    fc.assert(
      fc.property(smallRequestArb, fc.array(fc.nat(), { maxLength: 8 }), fc.nat(), (request, flips, cut) => {
        const message = encodeWriteRequest(request);
        // Warm under generous limits, then compare under the tight ones: hits must re-check limits.
        decodeWriteRequestMessage(message, limitsWith({}), { interner: warm });
        const variants = [
          message,
          message.subarray(0, cut % (message.length + 1)),
          ...flips.map((flip) => flipBit(message, flip % (message.length * 8))),
        ];
        for (const variant of variants) {
          const fresh = outcome(() => decodeWriteRequestMessage(variant, LIMITS));
          expect(outcome(() => decodeWriteRequestMessage(variant, LIMITS, { interner: warm }))).toEqual(fresh);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a duplicate of any label name in an otherwise valid series', () => {
    fc.assert(
      fc.property(seriesArb, fc.nat(), (series, pick) => {
        const duplicated = series.labels[pick % series.labels.length];
        const labels = [...series.labels, { name: duplicated.name, value: 'again' }];
        const body = encodeRemoteWriteBody([{ labels, samples: [{ timestampMs: 1, value: 1 }] }]);
        const reason = (() => {
          try {
            decodeRemoteWrite(body, limitsWith({}));
            return 'accepted';
          } catch (error) {
            return (error as RemoteWriteDecodeError).reason;
          }
        })();
        expect(reason).toBe('duplicate_label_name');
      }),
      { numRuns: 300 },
    );
  });
});
