import fc from 'fast-check';
import { EntityRef, entityKey, EntityKind, SampleBatch, SampleBatches, workloadRef } from '@prescient/contracts';
import { encodeEnvelopeField, entityIdentity } from '@prescient/contracts';
import { partitionForKey } from '@prescient/contracts';
import { encodeSampleEnvelopes, sampleBatchesCodec } from './samples';

const workload = (tenant: string, name: string) => workloadRef(tenant, 'c1', 'shop', 'Deployment', name);
const series = (n: number) => [{ metric: 'cpu_usage_cores', samples: Array.from({ length: n }, (_, i) => ({ timestampMs: 1_700_000_000_000 + i * 60_000, value: i / 10 })) }];

describe('encodeSampleEnvelopes', () => {
  const batches = Array.from({ length: 200 }, (_, i) => ({ entity: workload('t1', `w${i}`), series: series(2) }));

  it('puts each entity on the partition its key would go to, one envelope per partition, nothing lost or reordered', () => {
    const envelopes = encodeSampleEnvelopes(batches, { source: 'remote_write', receivedAtMs: 42, partitions: 6 });
    expect(new Set(envelopes.map((e) => e.partition)).size).toBe(envelopes.length);
    expect(envelopes.length).toBeLessThanOrEqual(6);
    const seen: SampleBatch[] = [];
    for (const e of envelopes) {
      const decoded = SampleBatches.decode(e.value).batches;
      expect(decoded).toHaveLength(e.batches);
      for (const b of decoded) {
        expect(partitionForKey(entityKey(b.entity!), 6)).toBe(e.partition);
        expect(b.source).toBe('remote_write');
        expect(b.receivedAtMs).toBe(42);
      }
      seen.push(...decoded);
    }
    expect(seen.map((b) => b.entity!.name).sort()).toEqual(batches.map((b) => b.entity.name).sort());
    // Within a partition, batches keep the order they were given in.
    for (const e of envelopes) {
      const names = SampleBatches.decode(e.value).batches.map((b) => Number(b.entity!.name.slice(1)));
      expect(names).toEqual([...names].sort((a, b) => a - b));
    }
    expect(seen.find((b) => b.entity!.name === 'w7')!.series).toEqual(series(2));
  });

  it('starts another envelope where one would pass the size limit', () => {
    const big = Array.from({ length: 30 }, (_, i) => ({ entity: workload('t1', `w${i}`), series: series(500) }));
    const envelopes = encodeSampleEnvelopes(big, { source: 'backfill', receivedAtMs: 1, partitions: 1, maxBytes: 32 * 1024 });
    expect(envelopes.length).toBeGreaterThan(1);
    for (const e of envelopes) expect(e.value.length).toBeLessThanOrEqual(32 * 1024);
    expect(envelopes.flatMap((e) => SampleBatches.decode(e.value).batches.map((b) => b.entity!.name))).toEqual(big.map((b) => b.entity.name));
  });
});

describe('sampleBatchesCodec', () => {
  const good = { entity: workload('t1', 'api'), series: series(1), source: 's', receivedAtMs: 1 };
  const invalid = { entity: { tenant: 't1', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'c1', namespace: '', workloadKind: '', name: 'x' }, series: series(1), source: 's', receivedAtMs: 1 };
  const empty = { ...good, series: [] };
  const foreign = { ...good, entity: workload('t2', 'api') };

  it('refuses an envelope with no batches', () => {
    expect(sampleBatchesCodec.validate!({ batches: [] })).toBe('message has no batches');
  });

  it('keeps the valid batches and hands back the others with the first reason', () => {
    const sifted = sampleBatchesCodec.sift!({ batches: [good, invalid, empty, good] }, 't1');
    expect(sifted.kept.batches).toEqual([good, good]);
    expect(sifted.rejected!.message.batches).toEqual([invalid, empty]);
    expect(sifted.rejected!.reason).toBe('invalid');
    expect(sifted.rejected!.detail).toBe('2 of 4 batches rejected; first: a workload needs namespace, workloadKind and name');
  });

  it('rejects a batch whose tenant is not the header\'s', () => {
    const sifted = sampleBatchesCodec.sift!({ batches: [foreign, good] }, 't1');
    expect(sifted.kept.batches).toEqual([good]);
    expect(sifted.rejected).toMatchObject({ reason: 'tenant_mismatch', detail: expect.stringContaining("header tenant 't1' differs from the payload's 't2'") });
    expect(sampleBatchesCodec.isEmpty!(sampleBatchesCodec.sift!({ batches: [foreign] }, 't1').kept)).toBe(true);
  });

  it('passes an all-valid envelope through untouched', () => {
    const message = { batches: [good] };
    expect(sampleBatchesCodec.sift!(message, 't1')).toEqual({ kept: message });
  });
});

describe('encodeEnvelopeField', () => {
  it('writes bytes the generated codec decodes to the same batch (property)', () => {
    const text = fc.string({ maxLength: 40 });
    fc.assert(
      fc.property(
        fc.record({ tenant: text, kind: fc.integer({ min: 0, max: 5 }), cluster: text, namespace: text, workloadKind: text, name: text }),
        fc.array(fc.record({ metric: text, samples: fc.array(fc.record({ timestampMs: fc.maxSafeNat(), value: fc.double() }), { maxLength: 8 }) }), { maxLength: 4 }),
        text,
        fc.maxSafeNat(),
        (entity, series, source, receivedAtMs) => {
          const field = encodeEnvelopeField(entityIdentity(entity as EntityRef), series, source, receivedAtMs);
          const decoded = SampleBatches.decode(field).batches;
          expect(decoded).toEqual([{ entity, series, source, receivedAtMs }]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a timestamp that is not a non-negative integer', () => {
    expect(() => encodeEnvelopeField(entityIdentity(workload('t1', 'a')), [{ metric: 'm', samples: [{ timestampMs: -1, value: 1 }] }], 's', 1)).toThrow(/non-negative integer/);
    expect(() => encodeEnvelopeField(entityIdentity(workload('t1', 'a')), [{ metric: 'm', samples: [{ timestampMs: 1.5, value: 1 }] }], 's', 1)).toThrow(/non-negative integer/);
  });
});
