import { dayPartition, rollUp, RollupAccumulator } from './rollup';

describe('rollUp', () => {
  it('folds samples into 5-minute cells with min, max, sum, count and the last by timestamp', () => {
    const cells = rollUp('e', [{ metric: 'cpu', samples: [
      { timestampMs: 60_000, value: 3 }, { timestampMs: 0, value: 1 }, { timestampMs: 120_000, value: 2 }, { timestampMs: 300_000, value: 9 },
    ] }]);
    expect(cells).toEqual([
      { entityKey: 'e', metric: 'cpu', bucketStartMs: 0, min: 1, max: 3, sum: 6, count: 3, last: 2, lastTimestampMs: 120_000 },
      { entityKey: 'e', metric: 'cpu', bucketStartMs: 300_000, min: 9, max: 9, sum: 9, count: 1, last: 9, lastTimestampMs: 300_000 },
    ]);
  });

  it('skips non-finite values', () => {
    expect(rollUp('e', [{ metric: 'm', samples: [{ timestampMs: 0, value: NaN }, { timestampMs: 1, value: Infinity }] }])).toEqual([]);
  });

  it('names the UTC day partition of a bucket', () => {
    expect(dayPartition(Date.UTC(2026, 10, 23, 23, 55))).toEqual({ suffix: '20261123', fromMs: Date.UTC(2026, 10, 23), toMs: Date.UTC(2026, 10, 24) });
  });
});

describe('RollupAccumulator', () => {
  const cell = (entityKey: string, bucketStartMs: number, value: number, ts: number) => ({ entityKey, metric: 'cpu', bucketStartMs, min: value, max: value, sum: value, count: 1, last: value, lastTimestampMs: ts });

  it('folds repeated updates of a cell into one, as the database upsert would, per tenant', () => {
    const acc = new RollupAccumulator();
    acc.add('a', [cell('e1', 0, 2, 10), cell('e2', 0, 5, 10)]);
    acc.add('a', [cell('e1', 0, 1, 30), cell('e1', 300_000, 7, 300_000)]);
    acc.add('b', [cell('e1', 0, 9, 20)]);
    expect(acc.size).toBe(4);
    const drained = acc.drain();
    expect(acc.size).toBe(0);
    expect(drained.get('a')).toEqual([
      { entityKey: 'e1', metric: 'cpu', bucketStartMs: 0, min: 1, max: 2, sum: 3, count: 2, last: 1, lastTimestampMs: 30 },
      cell('e2', 0, 5, 10),
      cell('e1', 300_000, 7, 300_000),
    ]);
    expect(drained.get('b')).toEqual([cell('e1', 0, 9, 20)]);
  });

  it('merges back what could not be written with what arrived since', () => {
    const acc = new RollupAccumulator();
    acc.add('a', [cell('e1', 0, 2, 10)]);
    const failed = acc.drain();
    acc.add('a', [cell('e1', 0, 4, 40)]);
    acc.restore(failed);
    expect(acc.drain().get('a')).toEqual([{ entityKey: 'e1', metric: 'cpu', bucketStartMs: 0, min: 2, max: 4, sum: 6, count: 2, last: 4, lastTimestampMs: 40 }]);
  });
});
