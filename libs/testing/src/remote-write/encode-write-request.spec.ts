import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { uncompressSync } from 'snappy';
import { buildCadvisorFleet, fleetWriteRequests } from './cadvisor-fleet';
import { encodeRemoteWriteBody, encodeWriteRequest, type EncodableSeries } from './encode-write-request';
import { int64Words } from './protobuf-writer';

/** The same WriteRequest through an independent protobuf implementation. */
function referenceEncoding(request: readonly EncodableSeries[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const series of request) {
    writer.tag(1, WireType.LengthDelimited).fork();
    for (const label of series.labels) {
      writer.tag(1, WireType.LengthDelimited).fork();
      writer.tag(1, WireType.LengthDelimited).string(label.name);
      writer.tag(2, WireType.LengthDelimited).string(label.value);
      writer.join();
    }
    for (const sample of series.samples) {
      writer.tag(2, WireType.LengthDelimited).fork();
      if (sample.stale === true) writer.tag(1, WireType.Bit64).fixed64(0x7ff0000000000002n);
      else writer.tag(1, WireType.Bit64).double(sample.value);
      writer.tag(2, WireType.Varint).int64(sample.timestampMs);
      writer.join();
    }
    writer.join();
  }
  return writer.finish();
}

const requestArb: fc.Arbitrary<EncodableSeries[]> = fc.array(
  fc.record({
    labels: fc.array(fc.record({ name: fc.string({ maxLength: 20 }), value: fc.string({ unit: 'binary', maxLength: 200 }) }), { maxLength: 6 }),
    samples: fc.array(
      fc.record({ timestampMs: fc.maxSafeInteger(), value: fc.double({ noNaN: true }), stale: fc.boolean() }),
      { maxLength: 4 },
    ),
  }),
  { maxLength: 6 },
);

describe('encodeWriteRequest', () => {
  it('produces the same bytes as @bufbuild/protobuf for any request', () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        expect(Buffer.from(encodeWriteRequest(request)).equals(Buffer.from(referenceEncoding(request)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('writes NaN, -0, infinities and negative timestamps as protobuf does', () => {
    const request: EncodableSeries[] = [
      {
        labels: [{ name: '__name__', value: 'm' }],
        samples: [
          { timestampMs: -1, value: Number.NaN },
          { timestampMs: -Number.MAX_SAFE_INTEGER, value: -0 },
          { timestampMs: 0, value: Number.NEGATIVE_INFINITY },
        ],
      },
    ];
    expect(Buffer.from(encodeWriteRequest(request)).equals(Buffer.from(referenceEncoding(request)))).toBe(true);
  });

  it('writes the stale marker bits exactly', () => {
    const bytes = encodeWriteRequest([{ labels: [], samples: [{ timestampMs: 0, value: Number.NaN, stale: true }] }]);
    expect(bytes.subarray(5, 13)).toEqual(Buffer.from('020000000000f07f', 'hex'));
  });

  it('snappy-compresses the body in block format', () => {
    const request: EncodableSeries[] = [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ timestampMs: 1, value: 1 }] }];
    const body = encodeRemoteWriteBody(request);
    expect(uncompressSync(body, { asBuffer: true, copyOutputData: true })).toEqual(encodeWriteRequest(request));
  });

  it('splits int64 into two\'s complement words and refuses unsafe integers', () => {
    expect(int64Words(-1)).toEqual({ low: 0xffffffff, high: 0xffffffff });
    expect(int64Words(-(2 ** 32))).toEqual({ low: 0, high: 0xffffffff });
    expect(int64Words(2 ** 32 + 5)).toEqual({ low: 5, high: 1 });
    expect(() => int64Words(2 ** 53)).toThrow(RangeError);
    expect(() => int64Words(0.5)).toThrow(RangeError);
  });
});

describe('buildCadvisorFleet', () => {
  const fleet = buildCadvisorFleet(2_000);

  it('builds exactly N distinct, deterministic series of 13–14 sorted, valid cAdvisor labels', () => {
    expect(fleet).toHaveLength(2_000);
    expect(buildCadvisorFleet(2_000)).toEqual(fleet);
    expect(new Set(fleet.map((labels) => JSON.stringify(labels))).size).toBe(fleet.length);
    for (const labels of fleet) {
      const names = labels.map((label) => label.name);
      expect(labels.length === 13 || labels.length === 14).toBe(true);
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining(['__name__', 'container', 'endpoint', 'id', 'image', 'instance', 'job', 'metrics_path', 'name', 'namespace', 'node', 'pod', 'service']));
      expect(labels.every((label) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label.name) && label.value !== '')).toBe(true);
    }
    expect(fleet.filter((labels) => labels.some((label) => label.name === 'cpu')).every((labels) => labels[0].value === 'container_cpu_usage_seconds_total')).toBe(true);
  });

  it('cuts the fleet into consecutive requests, wrapping around, with samples a scrape apart', () => {
    const requests = fleetWriteRequests(fleet, 3, { seriesPerRequest: 900, samplesPerSeries: 2, startTimestampMs: 1_000 });
    expect(requests.map((request) => request.length)).toEqual([900, 900, 900]);
    expect(requests[2][200].labels).toBe(fleet[0]);
    expect(requests[0][0].samples.map((sample) => sample.timestampMs)).toEqual([1_000, 16_000]);
  });
});
