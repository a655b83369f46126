import { doubleExponentialSmoothing, fillBaseline, predictLinear, prometheusHolt, seasonalNaive, withConformalBand } from './baselines';
import { parseSeries, windowsOf } from './data';
import { geometricMean, maseScale, scoreWindow } from './scoring';

describe('bench baselines', () => {
  it('Holt as Prometheus computes it (reference values of the Flux port of holt_winters)', () => {
    expect(prometheusHolt([100, 200, 300, 200, 300, 400], 0.1, 0.2)).toBeCloseTo(535.792, 9);
    expect(prometheusHolt([1, 1, 1, 100, 100, 100], 0.1, 0.2)).toBeCloseTo(32.78296, 9);
    expect(prometheusHolt([5], 0.3, 0.1)).toBeUndefined();
  });

  it('double_exponential_smoothing uses the last 6 h and holds the level flat', () => {
    const y = Float64Array.from({ length: 500 }, (_, t) => (t < 400 ? 1000 : 10));
    const f = doubleExponentialSmoothing(y, 5, 300, 288)!;
    expect(Array.from(f)).toEqual(new Array(5).fill(f[0]));
    expect(f[0]).toBeCloseTo(10, 9); // the 6 h window (72 steps) sees only the last level
  });

  it('predict_linear extrapolates the least-squares line of the last 6 h', () => {
    const y = Float64Array.from({ length: 200 }, (_, t) => (t < 100 ? 0 : 3 + 0.5 * t));
    const f = predictLinear(y, 3, 300, 288)!;
    expect(Array.from(f)).toEqual([3 + 0.5 * 200, 3 + 0.5 * 201, 3 + 0.5 * 202].map((v) => expect.closeTo(v, 9)));
  });

  it('seasonal naive repeats the last day, or week; fills gaps a day back', () => {
    const y = Float64Array.from({ length: 3 * 4 }, (_, t) => t % 4);
    y[10] = Number.NaN;
    expect(Array.from(fillBaseline(y, 4))).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(Array.from(seasonalNaive(1)(y, 6, 21_600, 4)!)).toEqual([0, 1, 2, 3, 0, 1]);
    expect(seasonalNaive(7)(y, 6, 21_600, 4)).toBeUndefined();
  });

  it('adds a split-conformal band from one calibration origin', () => {
    const y = Float64Array.from({ length: 400 }, (_, t) => (t % 2 === 0 ? 1 : -1));
    const f = withConformalBand(() => new Float64Array(100), y, 100, 300, 288)!;
    expect(f.q10[0]).toBeCloseTo(-1, 9);
    expect(f.q90[0]).toBeCloseTo(1, 9);
  });
});

describe('bench protocol', () => {
  it('floors timestamps to the cadence, averages duplicates and leaves gaps', () => {
    const s = parseSeries('x', 'timestamp,value\n2014-01-01 00:00:10,1\n2014-01-01 00:04:00,3\n2014-01-01 00:05:30,5\n2014-01-01 00:20:00,7\n2014-01-01 00:25:00,9\n');
    expect(s.stepSeconds).toBe(300);
    expect(Array.from(s.values)).toEqual([2, 5, NaN, NaN, 7, 9]);
    expect(s.mergedSamples).toBe(1);
  });

  it('puts the origins at T − k days and lets the model see only the steps before them', () => {
    const rows = ['timestamp,value'];
    for (let i = 0; i < 48 * 30; i += 1) rows.push(`${new Date(Date.UTC(2014, 0, 1) + i * 1_800_000).toISOString().slice(0, 19).replace('T', ' ')},${i}`);
    const s = parseSeries('taxi', rows.join('\n'));
    expect(s.daySteps).toBe(48);
    const w24 = windowsOf(s, '24h');
    const T = s.values.length - 1;
    expect(w24.map((w) => w.origin)).toEqual([T - 3 * 48, T - 2 * 48, T - 48]);
    expect(w24[0]!.steps).toBe(48);
    expect(windowsOf(s, '7d').map((w) => w.origin)).toEqual([T - 14 * 48, T - 7 * 48]);
    expect(windowsOf(s, '30d')).toEqual([]); // fewer than 120 days
  });

  it('scores MASE, pinball, coverage and under-forecast share, skipping gaps', () => {
    const train = [0, 1, 0, 1, 2, 3]; // d = 2: |0−0|,|1−1|,|2−0|,|3−1| → scale 1
    expect(maseScale(train, 2)).toBe(1);
    const actual = [1, Number.NaN, 3, 10];
    const s = scoreWindow(actual, { point: [1, 1, 1, 1], q10: [0, 0, 0, 0], q50: [1, 1, 1, 1], q90: [2, 2, 4, 4], seconds: 0 }, 1);
    expect(s.mase).toBeCloseTo((0 + 2 + 9) / 3, 12);
    expect(s.coverage80).toBeCloseTo(2 / 3, 12);
    expect(s.underForecastShare).toBeCloseTo(1 / 3, 12);
    expect(geometricMean([1, 4])).toBeCloseTo(2, 12);
  });
});
