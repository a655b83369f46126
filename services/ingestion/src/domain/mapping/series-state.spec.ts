import { SeriesStates } from './series-state';

describe('SeriesStates counters (Prometheus reset semantics)', () => {
  // [case, values at 0 s, 30 s, 60 s, …, expected increases between them]
  it.each([
    ['a steadily growing counter', [100, 115, 130], [15, 15]],
    ['a reset to 0: the increase is the new value', [100, 115, 5, 20], [15, 5, 15]],
    ['a reset to exactly 0', [100, 0, 15], [0, 15]],
    ['a counter that does not move', [7, 7, 7], [0, 0]],
    ['a float counter (CPU seconds)', [12.5, 12.75, 13.25], [0.25, 0.5]],
    ['two resets in a row', [50, 10, 3, 9], [10, 3, 6]],
  ])('%s', (_, values, increases) => {
    const s = new SeriesStates({ maxSeries: 10, maxGapMs: 300_000 });
    const seen: number[] = [];
    values.forEach((v, i) => {
      const o = s.counter('k', 1_000_000 + i * 30_000, v);
      if (i === 0) expect(o.status).toBe('baseline');
      else if (o.status === 'interval') seen.push(o.increase);
    });
    expect(seen.map((x) => Math.round(x * 1e9) / 1e9)).toEqual(increases);
  });

  it('flags the reset and reports the interval', () => {
    const s = new SeriesStates({ maxSeries: 10, maxGapMs: 300_000 });
    s.counter('k', 0, 100);
    expect(s.counter('k', 30_000, 4)).toEqual({ status: 'interval', fromMs: 0, toMs: 30_000, increase: 4, reset: true });
  });

  it('does not bridge a gap longer than maxGapMs (the new sample is a baseline)', () => {
    const s = new SeriesStates({ maxSeries: 10, maxGapMs: 300_000 });
    s.counter('k', 0, 100);
    expect(s.counter('k', 300_001, 500)).toEqual({ status: 'baseline' });
    expect(s.counter('k', 330_001, 515).status).toBe('interval');
  });

  it('refuses a sample that is not newer (a retried write)', () => {
    const s = new SeriesStates({ maxSeries: 10, maxGapMs: 300_000 });
    s.counter('k', 30_000, 10);
    expect(s.counter('k', 30_000, 10)).toEqual({ status: 'out_of_order' });
    expect(s.counter('k', 0, 5)).toEqual({ status: 'out_of_order' });
  });

  it('keeps at most maxSeries series (least recently used evicted)', () => {
    const s = new SeriesStates({ maxSeries: 3, maxGapMs: 300_000 });
    for (let i = 0; i < 10; i++) s.counter(`k${i}`, 0, 1);
    expect(s.size).toBe(3);
    expect(s.counter('k0', 30_000, 2)).toEqual({ status: 'baseline' });
  });
});

describe('SeriesStates gauges', () => {
  it('holds the previous value until the next sample', () => {
    const s = new SeriesStates({ maxSeries: 10, maxGapMs: 300_000 });
    expect(s.gauge('g', 0, 10)).toEqual({ status: 'baseline' });
    expect(s.gauge('g', 30_000, 20)).toEqual({ status: 'interval', fromMs: 0, toMs: 30_000, value: 10 });
  });

  it('ends a series at its stale marker with the last value held until then', () => {
    const s = new SeriesStates({ maxSeries: 10, maxGapMs: 300_000 });
    s.gauge('g', 0, 10);
    expect(s.end('g', 15_000)).toEqual({ fromMs: 0, toMs: 15_000, value: 10 });
    expect(s.size).toBe(0);
    expect(s.gauge('g', 30_000, 20)).toEqual({ status: 'baseline' });
  });
});
