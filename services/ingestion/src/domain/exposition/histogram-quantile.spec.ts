import { histogramQuantile } from './histogram-quantile';

const b = (pairs: [number, number][]) => pairs.map(([upperBound, count]) => ({ upperBound, count }));

describe('histogramQuantile (Prometheus histogram_quantile semantics)', () => {
  const h = b([[0.1, 50], [0.2, 70], [0.4, 90], [1, 100], [Infinity, 100]]);

  it('interpolates linearly inside the bucket the rank falls into', () => {
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.1, 12); // rank 50 → exactly the 0.1 bucket's top
    expect(histogramQuantile(0.6, h)).toBeCloseTo(0.15, 12); // rank 60: half way through (0.1, 0.2]
    expect(histogramQuantile(0.8, h)).toBeCloseTo(0.3, 12);
    expect(histogramQuantile(0.95, h)).toBeCloseTo(0.7, 12);
  });

  it('interpolates the lowest bucket from 0, or returns its bound when that is ≤ 0', () => {
    expect(histogramQuantile(0.25, h)).toBeCloseTo(0.05, 12);
    expect(histogramQuantile(0.25, b([[-1, 10], [0, 20], [Infinity, 20]]))).toBe(-1);
  });

  it('returns the second-highest bound for a rank in the +Inf bucket', () => {
    expect(histogramQuantile(0.99, b([[1, 10], [2, 20], [Infinity, 100]]))).toBe(2);
  });

  it('sorts buckets, sums equal bounds and forces counts monotonic', () => {
    const shuffled = b([[Infinity, 100], [0.4, 90], [0.1, 50], [1, 100], [0.2, 70]]);
    expect(histogramQuantile(0.6, shuffled)).toBeCloseTo(0.15, 12);
    // Two series' buckets with the same bounds (what sum by (le) gives): the same as their sum.
    const twice = b([[1, 5], [1, 5], [Infinity, 10], [Infinity, 10]]);
    expect(histogramQuantile(0.5, twice)).toBeCloseTo(histogramQuantile(0.5, b([[1, 10], [Infinity, 20]])), 12);
    // A dip (scraped at slightly different moments) is lifted to the higher count before it.
    expect(histogramQuantile(0.75, b([[1, 10], [2, 4], [3, 20], [Infinity, 20]]))).toBeCloseTo(2.5, 12); // unforced: 2.6875
  });

  it.each<[string, number, [number, number][], number]>([
    ['q < 0', -0.1, [[1, 1], [Infinity, 1]], -Infinity],
    ['q > 1', 1.1, [[1, 1], [Infinity, 1]], Infinity],
    ['q NaN', Number.NaN, [[1, 1], [Infinity, 1]], Number.NaN],
    ['no +Inf bucket', 0.5, [[1, 1], [2, 2]], Number.NaN],
    ['only the +Inf bucket', 0.5, [[Infinity, 3]], Number.NaN],
    ['no observations', 0.5, [[1, 0], [Infinity, 0]], Number.NaN],
    ['no buckets', 0.5, [], Number.NaN],
  ])('special case: %s', (_, q, buckets, expected) => {
    expect(histogramQuantile(q, b(buckets))).toBe(expected);
  });
});
