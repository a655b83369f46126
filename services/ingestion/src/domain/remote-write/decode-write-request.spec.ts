import { BinaryWriter } from '@bufbuild/protobuf/wire';
// Relative import on purpose: the @prescient/testing index also loads the Kafka/Postgres launchers.
import {
  buildCadvisorFleet,
  encodeRemoteWriteBody,
  encodeWriteRequest,
  fleetWriteRequests,
  snappyBlock,
  type EncodableSeries,
} from '../../../../../libs/testing/src/remote-write';
import { decodeRemoteWrite, decodeWriteRequestMessage } from './decode-write-request';
import type { DecodedWriteRequest } from './decoded-write-request';
import { LabelInterner } from './label-interner';
import {
  GENEROUS_LIMITS,
  WireType,
  bytesField,
  expectDecodeError,
  label,
  limitsWith,
  namedSeries,
  nested,
  protoMessage,
  sample,
  series,
  stringField,
  type Write,
} from './remote-write.fixtures';
import { REMOTE_WRITE_DECODE_ERROR_REASONS, RemoteWriteDecodeError } from './remote-write-decode-error';

/** What decoding `input` must produce: empty-valued labels dropped, sample-less series counted, not kept. */
function expectedDecoding(input: readonly EncodableSeries[]): Pick<DecodedWriteRequest, 'series' | 'sampleCount'> {
  const kept = input.filter((one) => one.samples.length > 0);
  return {
    series: kept.map((one) => ({
      labels: one.labels.filter((l) => l.value !== '').map((l) => ({ name: l.name, value: l.value })),
      metricName: one.labels.find((l) => l.name === '__name__')?.value ?? '',
      samples: one.samples.map((s) => ({ timestampMs: s.timestampMs, value: s.value, stale: s.stale === true })),
    })),
    sampleCount: kept.reduce((sum, one) => sum + one.samples.length, 0),
  };
}

function decodeMessage(message: Uint8Array, limits = GENEROUS_LIMITS): DecodedWriteRequest {
  return decodeRemoteWrite(snappyBlock(message), limits);
}

const STALE_NAN_BYTES = Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f);

describe('decodeRemoteWrite', () => {
  describe('round trips', () => {
    it('decodes realistic cAdvisor requests exactly as encoded, with or without a shared interner', () => {
      const fleet = buildCadvisorFleet(3_000);
      const requests = fleetWriteRequests(fleet, 4, { seriesPerRequest: 1_000, samplesPerSeries: 2 });
      const shared = new LabelInterner();
      for (const request of requests) {
        const body = encodeRemoteWriteBody(request);
        expect(decodeRemoteWrite(body, GENEROUS_LIMITS)).toMatchObject(expectedDecoding(request));
        expect(decodeRemoteWrite(body, GENEROUS_LIMITS, { interner: shared })).toMatchObject(expectedDecoding(request));
      }
    });

    it('keeps NaN, ±Inf, -0, the stale marker, negative and huge timestamps exactly', () => {
      const request: EncodableSeries[] = [
        {
          labels: [{ name: '__name__', value: 'edge_values' }],
          samples: [
            { timestampMs: 0, value: Number.NaN },
            { timestampMs: -1, value: Number.POSITIVE_INFINITY },
            { timestampMs: -1_700_000_000_000, value: Number.NEGATIVE_INFINITY },
            { timestampMs: Number.MAX_SAFE_INTEGER, value: -0 },
            { timestampMs: -Number.MAX_SAFE_INTEGER, value: Number.MAX_VALUE },
            { timestampMs: 2 ** 32, value: Number.MIN_VALUE },
            { timestampMs: 1_700_000_000_000, value: Number.NaN, stale: true },
          ],
        },
      ];
      const decoded = decodeRemoteWrite(encodeRemoteWriteBody(request), GENEROUS_LIMITS);
      expect(decoded).toMatchObject(expectedDecoding(request));
      expect(Object.is(decoded.series[0].samples[3].value, -0)).toBe(true);
      expect(decoded.series[0].samples.map((s) => s.stale)).toEqual([false, false, false, false, false, false, true]);
      expect(decoded.staleMarkerCount).toBe(1);
    });

    it('flags the stale marker from its wire bits, not from any NaN', () => {
      const message = protoMessage(
        series(
          label('__name__', 'up'),
          nested(2, bytesFixed64(STALE_NAN_BYTES), (w) => w.tag(2, WireType.Varint).int64(5)),
          sample(Number.NaN, 6),
        ),
      );
      const [decoded] = decodeMessage(message).series;
      expect(decoded.samples).toEqual([
        { timestampMs: 5, value: Number.NaN, stale: true },
        { timestampMs: 6, value: Number.NaN, stale: false },
      ]);
    });

    it('decodes unicode label values and drops empty-valued labels (Prometheus: same as absent)', () => {
      const request: EncodableSeries[] = [
        {
          labels: [
            { name: '__name__', value: 'http_requests_total' },
            { name: 'city', value: 'Zürich 東京 🚀' },
            { name: 'empty', value: '' },
            { name: 'path', value: '/api/v1/ünïcødé' },
            { name: 'bom', value: '\uFEFFkept' }, // a leading BOM is data, not something to strip
          ],
          samples: [{ timestampMs: 1, value: 2 }],
        },
      ];
      const [decoded] = decodeRemoteWrite(encodeRemoteWriteBody(request), GENEROUS_LIMITS).series;
      expect(decoded.labels).toEqual([
        { name: '__name__', value: 'http_requests_total' },
        { name: 'city', value: 'Zürich 東京 🚀' },
        { name: 'path', value: '/api/v1/ünïcødé' },
        { name: 'bom', value: '\uFEFFkept' },
      ]);
      expect(decoded.metricName).toBe('http_requests_total');
    });

    it('ignores series without samples but counts them, and counts skipped histograms, exemplars and metadata', () => {
      const message = protoMessage(
        series(label('__name__', 'histogram_only'), bytesField(4, Uint8Array.of(0x08, 0x01)), bytesField(4, new Uint8Array(0))),
        series(label('__name__', 'with_exemplar'), sample(1, 2), bytesField(3, Uint8Array.of(0x12, 0x00))),
        nested(3, stringField(4, 'metric_family_name')),
      );
      const decoded = decodeMessage(message);
      expect(decoded).toEqual({
        series: [{ labels: [{ name: '__name__', value: 'with_exemplar' }], metricName: 'with_exemplar', samples: [{ timestampMs: 2, value: 1, stale: false }] }],
        sampleCount: 1,
        staleMarkerCount: 0,
        emptySeriesSkipped: 1,
        histogramsSkipped: 2,
        exemplarsSkipped: 1,
        metadataSkipped: 1,
      });
    });

    it('decodes an empty request and an empty body (zero-length snappy block)', () => {
      const empty = { series: [], sampleCount: 0, emptySeriesSkipped: 0, histogramsSkipped: 0 };
      expect(decodeRemoteWrite(encodeRemoteWriteBody([]), GENEROUS_LIMITS)).toMatchObject(empty);
      expect(decodeWriteRequestMessage(new Uint8Array(0), GENEROUS_LIMITS)).toMatchObject(empty);
    });

    it('keeps labels in wire order and lets a repeated Label field take its last value (proto3)', () => {
      const message = protoMessage(
        series(
          label('zeta', 'z'),
          nested(1, stringField(1, 'ignored'), stringField(1, 'alpha'), stringField(2, 'first'), stringField(2, 'a')),
          label('__name__', 'm'),
          sample(1, 1),
        ),
      );
      expect(decodeMessage(message).series[0].labels).toEqual([
        { name: 'zeta', value: 'z' },
        { name: 'alpha', value: 'a' },
        { name: '__name__', value: 'm' },
      ]);
    });

    it('decodes samples interleaved with labels and missing sample fields as proto3 zero defaults', () => {
      const message = protoMessage(series(sample(3, 4), label('__name__', 'm'), nested(2), label('a', 'b')));
      expect(decodeMessage(message).series[0]).toEqual({
        labels: [
          { name: '__name__', value: 'm' },
          { name: 'a', value: 'b' },
        ],
        metricName: 'm',
        samples: [
          { timestampMs: 4, value: 3, stale: false },
          { timestampMs: 0, value: 0, stale: false },
        ],
      });
    });

    it('reuses one interner across requests, clearing it between series when it outgrows its bounds', () => {
      const interner = new LabelInterner({ maxEntries: 16 });
      const requests = fleetWriteRequests(buildCadvisorFleet(200), 3, { seriesPerRequest: 90 });
      for (const request of requests) {
        const decoded = decodeRemoteWrite(encodeRemoteWriteBody(request), GENEROUS_LIMITS, { interner });
        expect(decoded).toMatchObject(expectedDecoding(request));
      }
    });

    it('accepts long label values (decoded without caching) as well as short ones', () => {
      const long = 'x'.repeat(3_000);
      const message = protoMessage(series(label('__name__', `m_${'y'.repeat(600)}`), label('blob', long), sample(1, 1)));
      const [decoded] = decodeMessage(message).series;
      expect(decoded.labels[1].value).toBe(long);
      expect(decoded.metricName).toBe(`m_${'y'.repeat(600)}`);
    });
  });

  describe('label-set cache (shared interner)', () => {
    const labels = [
      { name: '__name__', value: 'container_memory_rss' },
      { name: 'namespace', value: 'payments' },
      { name: 'pod', value: 'api-7d9f8-xk2p9' },
    ];
    const bodyAt = (timestampMs: number): Buffer => encodeRemoteWriteBody([{ labels, samples: [{ timestampMs, value: 1 }] }]);
    const outcome = (decode: () => DecodedWriteRequest): unknown => {
      try {
        return decode();
      } catch (error) {
        return { reason: (error as RemoteWriteDecodeError).reason, message: (error as Error).message };
      }
    };

    it('reuses the frozen labels decoded for byte-identical label bytes in later requests', () => {
      const interner = new LabelInterner();
      const first = decodeRemoteWrite(bodyAt(1), GENEROUS_LIMITS, { interner }).series[0];
      const second = decodeRemoteWrite(bodyAt(2), GENEROUS_LIMITS, { interner }).series[0];
      expect(second.labels).toBe(first.labels);
      expect(Object.isFrozen(second.labels)).toBe(true);
      expect(second).toEqual({ labels, metricName: 'container_memory_rss', samples: [{ timestampMs: 2, value: 1, stale: false }] });
      expect(interner.labelSets?.size).toBe(1);
    });

    it('still applies each call\'s limits to a cached label set', () => {
      const interner = new LabelInterner();
      decodeRemoteWrite(bodyAt(1), GENEROUS_LIMITS, { interner });
      for (const limits of [
        limitsWith({ maxLabelsPerSeries: 2 }),
        limitsWith({ maxLabelNameLength: 8 }),
        limitsWith({ maxLabelValueLength: 14 }),
      ]) {
        const cold = outcome(() => decodeRemoteWrite(bodyAt(2), limits));
        expect(cold).toMatchObject({ reason: expect.stringMatching(/^(too_many_labels|label_name_too_long|label_value_too_long)$/) });
        expect(outcome(() => decodeRemoteWrite(bodyAt(2), limits, { interner }))).toEqual(cold);
      }
    });

    it('falls back to a full decode when labels follow the samples, counting every field once', () => {
      const interner = new LabelInterner();
      decodeMessage(protoMessage(series(label('__name__', 'm'), label('a', 'b'), sample(1, 1))), GENEROUS_LIMITS);
      decodeWriteRequestMessage(protoMessage(series(label('__name__', 'm'), label('a', 'b'), sample(1, 1))), GENEROUS_LIMITS, { interner });
      const interleaved = protoMessage(
        series(label('__name__', 'm'), label('a', 'b'), sample(2, 2), bytesField(4, new Uint8Array(0)), bytesField(3, new Uint8Array(0)), label('c', 'd')),
      );
      const warm = decodeWriteRequestMessage(interleaved, GENEROUS_LIMITS, { interner });
      expect(warm).toEqual(decodeWriteRequestMessage(interleaved, GENEROUS_LIMITS));
      expect(warm).toMatchObject({ histogramsSkipped: 1, exemplarsSkipped: 1 });
      expect(warm.series[0].labels.map((l) => l.name)).toEqual(['__name__', 'a', 'c']);
    });

    it('reports the same error as a full decode for a bad sample after cached labels', () => {
      const interner = new LabelInterner();
      decodeWriteRequestMessage(protoMessage(series(label('__name__', 'm'), sample(1, 1))), GENEROUS_LIMITS, { interner });
      const badSample = protoMessage(series(label('__name__', 'm'), bytesField(2, Uint8Array.of(0x09, 1))));
      const cold = outcome(() => decodeWriteRequestMessage(badSample, GENEROUS_LIMITS));
      expect(cold).toMatchObject({ reason: 'protobuf_truncated' });
      expect(outcome(() => decodeWriteRequestMessage(badSample, GENEROUS_LIMITS, { interner }))).toEqual(cold);
    });

    it('never caches a label set whose series was refused', () => {
      const interner = new LabelInterner();
      const noName = protoMessage(series(label('job', 'api'), sample(1, 1)));
      expect(outcome(() => decodeWriteRequestMessage(noName, GENEROUS_LIMITS, { interner }))).toMatchObject({ reason: 'missing_metric_name' });
      expect(interner.labelSets?.size).toBe(0);
    });

    it('clears itself when full and keeps decoding correctly', () => {
      const interner = new LabelInterner({ maxLabelSets: 2 });
      const request = fleetWriteRequests(buildCadvisorFleet(10), 1, { seriesPerRequest: 10 })[0];
      const body = encodeRemoteWriteBody(request);
      for (let round = 0; round < 3; round++) {
        expect(decodeRemoteWrite(body, GENEROUS_LIMITS, { interner })).toMatchObject(expectedDecoding(request));
      }
      expect(interner.labelSets?.size).toBeLessThanOrEqual(2);
    });

    it('is off for the interner created when the caller passes none', () => {
      const interner = new LabelInterner({ cacheLabelSets: false });
      expect(interner.labelSets).toBeNull();
      expect(decodeRemoteWrite(bodyAt(1), GENEROUS_LIMITS, { interner }).series[0].labels).toEqual(labels);
    });
  });

  describe('unknown fields', () => {
    const unknownOfEveryWireType: Write[] = [
      (w) => w.tag(9, WireType.Varint).uint64(2n ** 64n - 1n),
      (w) => w.tag(10, WireType.Bit64).fixed64(123n),
      (w) => w.tag(11, WireType.LengthDelimited).bytes(Uint8Array.of(1, 2, 3)),
      (w) => w.tag(12, WireType.Bit32).fixed32(7),
      (w) => w.tag(0x1fffffff, WireType.Varint).int64(-1), // highest legal field number, 10-byte varint
      (w) => w.tag(13, WireType.LengthDelimited).bytes(new Uint8Array(0)),
    ];

    it('skips unknown fields of wire types 0, 1, 2 and 5 at every message level', () => {
      const plain = protoMessage(series(label('__name__', 'm'), label('a', 'b'), sample(1.5, 10)));
      const noisy = protoMessage(
        ...unknownOfEveryWireType,
        series(
          ...unknownOfEveryWireType,
          nested(1, ...unknownOfEveryWireType, stringField(1, '__name__'), stringField(2, 'm')),
          nested(1, stringField(1, 'a'), ...unknownOfEveryWireType, stringField(2, 'b')),
          nested(2, (w) => w.tag(1, WireType.Bit64).double(1.5), ...unknownOfEveryWireType, (w) => w.tag(2, WireType.Varint).int64(10)),
        ),
        ...unknownOfEveryWireType,
      );
      expect(decodeMessage(noisy)).toEqual(decodeMessage(plain));
    });

    it('accepts non-minimal (padded) varints for tags and lengths', () => {
      const inner = protoMessage(label('__name__', 'm'), sample(1, 1));
      expect(inner.length).toBeLessThan(128);
      const paddedTag = Uint8Array.of(0x8a, 0x80, 0x00); // field 1, wire type 2, in 3 bytes
      const paddedLength = Uint8Array.of(0x80 | inner.length, 0x80, 0x00);
      const message = new BinaryWriter().raw(paddedTag).raw(paddedLength).raw(inner).finish();
      expect(decodeMessage(message).series[0].metricName).toBe('m');
    });
  });

  describe('errors', () => {
    it('names a bounded, stable set of reasons', () => {
      expect(new Set(REMOTE_WRITE_DECODE_ERROR_REASONS).size).toBe(REMOTE_WRITE_DECODE_ERROR_REASONS.length);
      const error = new RemoteWriteDecodeError('snappy_corrupt', 'x');
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('RemoteWriteDecodeError');
    });

    it('body_too_large: refuses a body over maxCompressedBytes', () => {
      const body = encodeRemoteWriteBody([{ labels: [{ name: '__name__', value: 'm' }], samples: [] }]);
      expectDecodeError(
        () => decodeRemoteWrite(body, limitsWith({ maxCompressedBytes: body.length - 1 })),
        'body_too_large',
        `request body is ${body.length} bytes, over the limit of ${body.length - 1}`,
      );
    });

    it('snappy_length_exceeds_limit: refuses a header over maxDecompressedBytes', () => {
      const body = snappyBlock(new Uint8Array(2_000));
      expectDecodeError(
        () => decodeRemoteWrite(body, limitsWith({ maxDecompressedBytes: 1_999 })),
        'snappy_length_exceeds_limit',
        'snappy header declares 2000 uncompressed bytes, over the limit of 1999',
      );
    });

    it.each([
      ['an empty body', new Uint8Array(0), 'snappy block header is truncated after 0 bytes'],
      ['a truncated header', Uint8Array.of(0x80, 0x80), 'snappy block header is truncated after 2 bytes'],
      ['a header beyond 32 bits', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f, 0), 'snappy block header length does not fit in 32 bits'],
      ['a header the payload cannot expand to', Uint8Array.of(0xe8, 0x07, 0x00, 0x01), 'snappy header declares 1000 bytes but 2 compressed bytes expand to at most 43'],
      ['garbage after a valid header', Uint8Array.of(0x05, 0x01, 0x02, 0x03), /^snappy block is corrupt: .+/],
    ])('snappy_corrupt: refuses %s', (_, body, message) => {
      expectDecodeError(() => decodeRemoteWrite(Buffer.from(body), GENEROUS_LIMITS), 'snappy_corrupt', message);
    });

    it('protobuf_truncated: a length-delimited field longer than its message', () => {
      const message = Uint8Array.of(0x0a, 0x05, 0x0a, 0x01);
      expectDecodeError(
        () => decodeMessage(message),
        'protobuf_truncated',
        'length-delimited field claims 5 bytes but only 2 remain (at byte 2)',
      );
    });

    it('protobuf_truncated: a field inside a sub-message may not reach into its parent', () => {
      // The label claims 4 bytes, its name field claims 3 of the 2 that remain inside the label.
      const message = Uint8Array.of(0x0a, 0x06, 0x0a, 0x04, 0x0a, 0x03, 0x61, 0x62);
      expectDecodeError(
        () => decodeMessage(message),
        'protobuf_truncated',
        'length-delimited field claims 3 bytes but only 2 remain (at byte 6, in series 0)',
      );
    });

    it('protobuf_truncated: a sample value with fewer than 8 bytes', () => {
      const message = protoMessage(series(label('__name__', 'm'), bytesField(2, Uint8Array.of(0x09, 1, 2, 3))));
      expectDecodeError(() => decodeMessage(message), 'protobuf_truncated', /^sample value needs 8 bytes but only 3 remain \(at byte \d+, in series 0\)$/);
    });

    it('protobuf_truncated: a varint cut by the end of the message, and a short fixed32', () => {
      expectDecodeError(() => decodeMessage(Uint8Array.of(0x48, 0x80)), 'protobuf_truncated', 'varint runs past the end of its message (at byte 1)');
      expectDecodeError(() => decodeMessage(Uint8Array.of(0x15, 1, 2)), 'protobuf_truncated', 'fixed32 field 2 needs 4 bytes but only 2 remain (at byte 1)');
    });

    it.each([3, 4, 6, 7])('protobuf_invalid_wire_type: refuses wire type %i', (wireType) => {
      const message = Uint8Array.of((9 << 3) | wireType, 0);
      expectDecodeError(() => decodeMessage(message), 'protobuf_invalid_wire_type', `field 9 has unsupported wire type ${wireType} (at byte 1)`);
    });

    it('protobuf_invalid_wire_type: refuses a known field sent with the wrong wire type', () => {
      const message = protoMessage(series(label('__name__', 'm'), (w) => w.tag(2, WireType.Varint).uint32(1)));
      expectDecodeError(
        () => decodeMessage(message),
        'protobuf_invalid_wire_type',
        /^field TimeSeries\.samples \(2\) has wire type 0, expected 2 \(at byte \d+, in series 0\)$/,
      );
      const badTimestamp = protoMessage(series(label('__name__', 'm'), nested(2, (w) => w.tag(2, WireType.Bit64).fixed64(1n))));
      expectDecodeError(() => decodeMessage(badTimestamp), 'protobuf_invalid_wire_type', /^field Sample\.timestamp \(2\) has wire type 1, expected 0/);
    });

    it('protobuf_invalid_field_number: refuses field 0 and field numbers beyond 2^29-1', () => {
      expectDecodeError(() => decodeMessage(Uint8Array.of(0x02, 0x00)), 'protobuf_invalid_field_number', 'field number 0 is not a valid protobuf field number (at byte 0)');
      const huge = Uint8Array.of(0xf8, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00); // field 2^32-1 << 3 needs 35 bits
      expectDecodeError(() => decodeMessage(huge), 'protobuf_invalid_field_number', /^field number beyond 2\^32 is not a valid protobuf field number/);
    });

    it('protobuf_varint_overflow: refuses varints of more than 10 bytes or 64 bits', () => {
      const elevenBytes = Uint8Array.of(0x48, ...new Array<number>(10).fill(0xff), 0x01);
      expectDecodeError(() => decodeMessage(elevenBytes), 'protobuf_varint_overflow', 'varint is longer than 10 bytes or exceeds 64 bits (at byte 1)');
      const sixtyFiveBits = Uint8Array.of(0x48, ...new Array<number>(9).fill(0xff), 0x02);
      expectDecodeError(() => decodeMessage(sixtyFiveBits), 'protobuf_varint_overflow', 'varint is longer than 10 bytes or exceeds 64 bits (at byte 1)');
    });

    it('invalid_utf8: refuses label names and values that are not UTF-8', () => {
      const badName = protoMessage(series(nested(1, bytesField(1, Uint8Array.of(0x61, 0xff)), stringField(2, 'v'))));
      expectDecodeError(() => decodeMessage(badName), 'invalid_utf8', /^label name is not valid UTF-8 \(at byte \d+, in series 0\)$/);
      const badValue = protoMessage(series(label('__name__', 'm'), nested(1, stringField(1, 'city'), bytesField(2, Uint8Array.of(0xc3, 0x28)))));
      expectDecodeError(() => decodeMessage(badValue), 'invalid_utf8', /^value of label "city" is not valid UTF-8 \(at byte \d+, in series 0\)$/);
      const longBadValue = protoMessage(series(nested(1, stringField(1, 'blob'), bytesField(2, new Uint8Array(600).fill(0xfe)))));
      expectDecodeError(() => decodeMessage(longBadValue), 'invalid_utf8', /^value of label "blob" is not valid UTF-8/);
    });

    it('missing_metric_name: refuses a series without __name__, or with an empty one', () => {
      const message = protoMessage(namedSeries('ok'), series(label('job', 'api'), label('instance', 'a:1'), sample(1, 1)));
      expectDecodeError(
        () => decodeMessage(message),
        'missing_metric_name',
        /^series has no __name__ label \(labels: job="api", instance="a:1"\) \(at byte \d+, in series 1\)$/,
      );
      const empty = protoMessage(series(label('__name__', ''), sample(1, 1)));
      expectDecodeError(() => decodeMessage(empty), 'missing_metric_name', /^series has no __name__ label \(at byte \d+, in series 0\)$/);
    });

    it.each(['1abc', 'a-b', 'a b', 'é'])('invalid_metric_name: refuses %j', (name) => {
      const message = protoMessage(namedSeries(name));
      expectDecodeError(() => decodeMessage(message), 'invalid_metric_name', new RegExp(`^metric name ${escape(JSON.stringify(name))} is invalid \\(at byte \\d+, in series 0\\)$`));
    });

    it('accepts colons in metric names but not in label names', () => {
      expect(decodeMessage(protoMessage(namedSeries('job:http_requests:rate5m'))).series[0].metricName).toBe('job:http_requests:rate5m');
      expectDecodeError(() => decodeMessage(protoMessage(namedSeries('m', label('a:b', 'v')))), 'invalid_label_name', /^label name "a:b" is invalid/);
    });

    it.each(['', '0day', 'a-b', 'a.b', 'ünï'])('invalid_label_name: refuses %j', (name) => {
      const message = protoMessage(namedSeries('m', label(name, 'v')));
      expectDecodeError(() => decodeMessage(message), 'invalid_label_name', new RegExp(`^label name ${escape(JSON.stringify(name))} is invalid \\(at byte \\d+, in series 0\\)$`));
    });

    it('duplicate_label_name: refuses a name twice in one series, even if one value is empty', () => {
      const message = protoMessage(namedSeries('m', label('pod', 'a'), label('pod', 'b')));
      expectDecodeError(() => decodeMessage(message), 'duplicate_label_name', /^label name "pod" appears twice \(at byte \d+, in series 0\)$/);
      const withEmpty = protoMessage(namedSeries('m', label('pod', ''), label('pod', 'b')));
      expectDecodeError(() => decodeMessage(withEmpty), 'duplicate_label_name', /^label name "pod" appears twice/);
      const ok = protoMessage(namedSeries('m', label('pod', 'a')), namedSeries('m', label('pod', 'a')));
      expect(decodeMessage(ok).series).toHaveLength(2);
    });

    it('too_many_series: refuses the series past maxSeriesPerRequest', () => {
      const message = protoMessage(namedSeries('a'), namedSeries('b'), namedSeries('c'));
      expect(decodeMessage(message, limitsWith({ maxSeriesPerRequest: 3 })).series).toHaveLength(3);
      expectDecodeError(
        () => decodeMessage(message, limitsWith({ maxSeriesPerRequest: 2 })),
        'too_many_series',
        /^request has more than the limit of 2 series \(at byte \d+, in series 2\)$/,
      );
    });

    it('too_many_labels: counts labels as sent, before decoding the one past the limit', () => {
      const message = protoMessage(namedSeries('m', label('a', '1'), label('b', '')));
      expect(decodeMessage(message, limitsWith({ maxLabelsPerSeries: 3 })).series[0].labels).toHaveLength(2);
      expectDecodeError(
        () => decodeMessage(message, limitsWith({ maxLabelsPerSeries: 2 })),
        'too_many_labels',
        /^series has more than the limit of 2 labels \(at byte \d+, in series 0\)$/,
      );
    });

    it('label_name_too_long and label_value_too_long: limits are in bytes', () => {
      const message = protoMessage(namedSeries('m', label('abcd', 'ünï')));
      expect(decodeMessage(message, limitsWith({ maxLabelNameLength: 8, maxLabelValueLength: 5 })).series).toHaveLength(1);
      expectDecodeError(
        () => decodeMessage(message, limitsWith({ maxLabelNameLength: 7 })),
        'label_name_too_long',
        /^label name of 8 bytes is over the limit of 7 \(at byte \d+, in series 0\)$/,
      );
      expectDecodeError(
        () => decodeMessage(message, limitsWith({ maxLabelValueLength: 4 })),
        'label_value_too_long',
        /^value of label "abcd" is 5 bytes, over the limit of 4 \(at byte \d+, in series 0\)$/,
      );
    });

    it('timestamp_out_of_range: refuses int64 timestamps beyond ±(2^53-1) ms instead of rounding them', () => {
      for (const timestamp of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
        const message = protoMessage(series(label('__name__', 'm'), nested(2, (w) => w.tag(2, WireType.Varint).int64(timestamp))));
        expectDecodeError(() => decodeMessage(message), 'timestamp_out_of_range', /^sample timestamp -?\d+ ms is beyond ±2\^53 \(at byte \d+, in series 0\)$/);
      }
    });

    it('caps attacker-controlled text quoted in messages', () => {
      const name = `x${'-'.repeat(500)}`;
      const message = protoMessage(namedSeries('m', label(name, 'v')));
      expectDecodeError(() => decodeMessage(message), 'invalid_label_name', /^label name "x-{63}…" is invalid/);
    });

    it('has a test above producing every reason', () => {
      // Guards the list: a new reason must come with a test that produces it.
      const tested = new Set([
        'body_too_large', 'snappy_length_exceeds_limit', 'snappy_corrupt', 'protobuf_truncated', 'protobuf_invalid_wire_type',
        'protobuf_invalid_field_number', 'protobuf_varint_overflow', 'invalid_utf8', 'missing_metric_name', 'invalid_metric_name',
        'invalid_label_name', 'duplicate_label_name', 'too_many_series', 'too_many_labels', 'label_name_too_long',
        'label_value_too_long', 'timestamp_out_of_range',
      ]);
      expect([...REMOTE_WRITE_DECODE_ERROR_REASONS].sort()).toEqual([...tested].sort());
    });
  });

  it('encodeWriteRequest output decodes identically through decodeWriteRequestMessage', () => {
    const request = fleetWriteRequests(buildCadvisorFleet(50), 1, { seriesPerRequest: 50 })[0];
    expect(decodeWriteRequestMessage(encodeWriteRequest(request), GENEROUS_LIMITS)).toMatchObject(expectedDecoding(request));
  });
});

function bytesFixed64(bytes: Uint8Array): Write {
  return (writer) => writer.tag(1, WireType.Bit64).raw(bytes);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
