import { dayPartition, rollUp } from './rollup';

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
