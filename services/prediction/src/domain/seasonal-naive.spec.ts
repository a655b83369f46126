import fc from 'fast-check';
import { ForecastError, HORIZONS, type Forecast, type ForecastRequest } from './forecast';
import { backtestMase, fillGaps, forecastSeasonalNaive, MODEL_DAILY, MODEL_FLAT, MODEL_WEEKLY, seasonalNaiveForecaster } from './seasonal-naive';
import type { SeriesSnapshot } from './series';

const DAY = 288; // 5-minute steps per day
const START = 1_700_006_400_000; // a UTC midnight, on the 5-minute grid
const STEP_MS = 300_000;

/** Deterministic pseudo-random numbers in [0, 1) (an LCG), so specs never flake. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A diurnal CPU-like series: 2 cores ± 1 over the day, plus uniform noise of ± `noise`. */
function diurnal(steps: number, noise = 0, seed = 1): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(steps);
  // t % DAY keeps the clean series exactly periodic in floating point.
  for (let t = 0; t < steps; t += 1) out[t] = 2 + Math.sin((2 * Math.PI * (t % DAY)) / DAY) + noise * (2 * r() - 1);
  return out;
}

function history(values: ArrayLike<number>, startMs: number | null = START): SeriesSnapshot {
  return { startMs, stepSeconds: 300, values: Float64Array.from(values) };
}

function run(values: ArrayLike<number>, request: Partial<ForecastRequest> = {}): Forecast {
  return forecastSeasonalNaive(history(values), { metric: 'cpu', horizon: '24h', ...request });
}

function allNumbers(f: Forecast): number[] {
  return [
    f.startMs,
    f.windowMax,
    f.windowMin,
    f.windowAvg,
    ...(f.backtestMase === undefined ? [] : [f.backtestMase]),
    ...f.points.flatMap((p) => [p.timestampMs, p.mean, ...Object.values(p.quantiles)]),
  ];
}

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ForecastError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('forecastSeasonalNaive: model choice', () => {
  it.each([
    ['one point', 1, MODEL_FLAT, 'low'],
    ['just under a day', DAY - 1, MODEL_FLAT, 'low'],
    ['exactly a day', DAY, MODEL_DAILY, 'low'],
    ['a day and a half', DAY + DAY / 2, MODEL_DAILY, 'low'],
    ['three days', 3 * DAY, MODEL_DAILY, 'high'],
    ['13 days', 13 * DAY, MODEL_DAILY, 'high'],
    ['two weeks', 14 * DAY, MODEL_WEEKLY, 'high'],
    ['35 days', 35 * DAY, MODEL_WEEKLY, 'high'],
  ])('%s of a clean periodic series (%i steps) → %s, %s confidence', (_name, steps, model, confidence) => {
    const f = run(diurnal(steps));
    expect(f.model).toBe(model);
    expect(f.confidence).toBe(confidence);
  });

  it('is reachable through the Forecaster interface', () => {
    expect(seasonalNaiveForecaster.name).toBe('seasonal-naive');
    expect(seasonalNaiveForecaster.forecast(history(diurnal(DAY)), { metric: 'cpu', horizon: '24h' }).model).toBe(MODEL_DAILY);
  });
});

describe('forecastSeasonalNaive: point forecast and grid', () => {
  it('repeats the last day, starting one step after the last observation', () => {
    const y = diurnal(3 * DAY, 0.3);
    const f = run(y);
    expect(f.metric).toBe('cpu');
    expect(f.horizon).toBe('24h');
    expect(f.stepSeconds).toBe(300);
    expect(f.points).toHaveLength(288);
    expect(f.startMs).toBe(START + 3 * DAY * STEP_MS);
    f.points.forEach((p, i) => {
      expect(p.timestampMs).toBe(f.startMs + i * STEP_MS);
      expect(p.mean).toBe(y[2 * DAY + i]);
    });
  });

  it('repeats the last week with the weekly model (a weekend differs from weekdays)', () => {
    const y = diurnal(21 * DAY);
    for (let t = 0; t < y.length; t += 1) if (Math.floor(t / DAY) % 7 >= 5) y[t]! *= 0.25;
    const f = run(y, { horizon: '7d' });
    expect(f.model).toBe(MODEL_WEEKLY);
    // Day 21 is a weekday again (21 % 7 = 0): the first hour follows the week-ago weekday, not yesterday's weekend.
    const weekAgoFirstHour = Array.from(y.subarray(14 * DAY, 14 * DAY + 12)).reduce((a, b) => a + b) / 12;
    expect(f.points[0]!.mean).toBeCloseTo(weekAgoFirstHour, 12);
  });

  it.each([
    ['24h', 288, 300],
    ['7d', 168, 3600],
    ['30d', 30, 86_400],
  ] as const)('%s gives %i points of %i s, each the mean of its sub-steps', (horizon, steps, stepSeconds) => {
    const y = diurnal(2 * DAY, 0.2);
    const f = run(y, { horizon });
    expect(f.points).toHaveLength(steps);
    expect(f.stepSeconds).toBe(stepSeconds);
    expect(HORIZONS[horizon]).toEqual({ steps, stepSeconds });
    const sub = stepSeconds / 300;
    const firstBucket = Array.from({ length: sub }, (_, h) => y[DAY + (h % DAY)]!);
    expect(f.points[0]!.mean).toBeCloseTo(firstBucket.reduce((a, b) => a + b) / sub, 12);
    expect(f.points[1]!.timestampMs - f.points[0]!.timestampMs).toBe(stepSeconds * 1000);
  });

  it('reports window max/min/avg at the history step, not of the coarse points', () => {
    const f = run(diurnal(2 * DAY), { horizon: '30d' });
    expect(f.windowMax).toBeCloseTo(3, 6);
    expect(f.windowMin).toBeCloseTo(1, 6);
    expect(f.windowAvg).toBeCloseTo(2, 6);
    expect(Math.max(...f.points.map((p) => p.mean))).toBeCloseTo(2, 6); // daily means are flat
  });
});

describe('forecastSeasonalNaive: quantiles', () => {
  it('defaults to 0.1, 0.5, 0.9, keyed by their decimal form', () => {
    const f = run(diurnal(2 * DAY, 0.2));
    expect(Object.keys(f.points[0]!.quantiles)).toEqual(['0.1', '0.5', '0.9']);
  });

  it('de-duplicates and sorts requested quantiles; they never cross', () => {
    const f = run(diurnal(3 * DAY, 0.4), { quantiles: [0.99, 0.5, 0.05, 0.5], horizon: '7d' });
    for (const p of f.points) {
      expect(Object.keys(p.quantiles)).toEqual(['0.05', '0.5', '0.99']);
      expect(p.quantiles['0.05']!).toBeLessThanOrEqual(p.quantiles['0.5']!);
      expect(p.quantiles['0.5']!).toBeLessThanOrEqual(p.quantiles['0.99']!);
    }
  });

  it('covers about 90% of a held-out day with q0.9', () => {
    const y = diurnal(15 * DAY, 0.5, 7);
    const f = run(y.subarray(0, 14 * DAY), { quantiles: [0.9] });
    let under = 0;
    f.points.forEach((p, i) => {
      if (y[14 * DAY + i]! <= p.quantiles['0.9']!) under += 1;
    });
    expect(under / DAY).toBeGreaterThan(0.8);
    expect(under / DAY).toBeLessThan(0.98);
  });

  it('widens bands by √(k+1) for steps k whole seasons ahead', () => {
    const f = run(diurnal(3 * DAY, 0.5), { horizon: '30d', quantiles: [0.9] });
    const width = (i: number) => f.points[i]!.quantiles['0.9']! - f.points[i]!.mean;
    expect(width(3) / width(0)).toBeCloseTo(2, 6); // day 4 is 3 seasons ahead: √4
  });

  it('clamps at zero by default and not when asked', () => {
    const y = Float64Array.from({ length: 3 * DAY }, (_, t) => ((t * 7919) % 13) / 100); // 0 … 0.12, noisy
    const clamped = run(y, { quantiles: [0.01] });
    expect(Math.min(...clamped.points.map((p) => p.quantiles['0.01']!))).toBe(0);
    const raw = run(y, { quantiles: [0.01], nonNegative: false });
    expect(Math.min(...raw.points.map((p) => p.quantiles['0.01']!))).toBeLessThan(0);
  });
});

describe('forecastSeasonalNaive: gaps and degenerate histories', () => {
  it('fills a gap with the value one season back', () => {
    const y = diurnal(2 * DAY, 0.3);
    const withGap = Float64Array.from(y);
    withGap[DAY + 10] = Number.NaN;
    expect(run(withGap).points[10]!.mean).toBe(y[10]);
  });

  it('drops leading gaps and moves the start accordingly', () => {
    const y = [Number.NaN, Number.NaN, ...diurnal(DAY)];
    const f = run(y);
    expect(f.model).toBe(MODEL_DAILY);
    expect(f.startMs).toBe(START + (2 + DAY) * STEP_MS);
  });

  it('is low confidence when over a quarter of the history was filled', () => {
    const y = diurnal(4 * DAY);
    for (let t = 0; t < y.length; t += 3) if (t > 0) y[t] = Number.NaN;
    const f = run(y);
    expect(f.model).toBe(MODEL_DAILY);
    expect(f.confidence).toBe('low');
  });

  it('is medium confidence when the held-out day was unusual', () => {
    const y = diurnal(5 * DAY, 0.1);
    for (let t = 4 * DAY; t < 5 * DAY; t += 1) y[t]! += 1.5;
    const f = run(y);
    expect(f.backtestMase!).toBeGreaterThan(1);
    expect(f.confidence).toBe('medium');
  });

  it.each([
    ['one point', [4.2]],
    ['a constant series', new Array(3 * DAY).fill(4.2)],
    ['a constant week pair', new Array(14 * DAY).fill(4.2)],
  ])('forecasts %s flat with zero-width bands and no NaN', (_name, y) => {
    for (const horizon of ['24h', '7d', '30d']) {
      const f = run(y, { horizon, quantiles: [0.05, 0.95] });
      expect(allNumbers(f).every(Number.isFinite)).toBe(true);
      for (const p of f.points) for (const v of [p.mean, p.quantiles['0.05']!, p.quantiles['0.95']!]) expect(v).toBeCloseTo(4.2, 12);
      expect([f.windowMin, f.windowMax]).toEqual([4.2, 4.2]);
      expect(f.windowAvg).toBeCloseTo(4.2, 12);
    }
  });

  it('cold start: flat at the mean, band from the spread of what was seen, low confidence', () => {
    const f = run([1, 2, 3, 4, 5], { quantiles: [0.25, 0.75] });
    expect(f.model).toBe(MODEL_FLAT);
    expect(f.confidence).toBe('low');
    expect(f.backtestMase).toBeUndefined();
    expect(f.points[0]).toEqual({ timestampMs: START + 5 * STEP_MS, mean: 3, quantiles: { '0.25': 2, '0.75': 4 } });
  });

  it('never emits NaN or Infinity, whatever the history', () => {
    const value = fc.oneof(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, 0),
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 3 * DAY }),
        fc.constantFrom('24h', '7d', '30d'),
        fc.boolean(),
        (values, horizon, nonNegative) => {
          const h = history(values);
          let f: Forecast;
          try {
            f = forecastSeasonalNaive(h, { metric: 'm', horizon, nonNegative, quantiles: [0.01, 0.5, 0.99] });
          } catch (e) {
            return e instanceof ForecastError && e.reason === 'no_data';
          }
          const numbers = allNumbers(f);
          return numbers.every(Number.isFinite) && (!nonNegative || f.points.every((p) => p.mean >= 0));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('forecastSeasonalNaive: refusals', () => {
  it.each([
    ['no history', [], START, 'no_data'],
    ['only gaps', [Number.NaN, Number.NaN], START, 'no_data'],
    ['only infinities', [Number.POSITIVE_INFINITY], START, 'no_data'],
    ['empty with no start', [], null, 'no_data'],
    ['data with no start', [1, 2], null, 'invalid_start'],
    ['data with a NaN start', [1, 2], Number.NaN, 'invalid_start'],
  ])('%s → %s', (_name, values, startMs, reason) => {
    expect(reasonOf(() => forecastSeasonalNaive(history(values, startMs), { metric: 'cpu', horizon: '24h' }))).toBe(reason);
  });

  it.each([[0], [1], [-0.1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY]])('quantile %p → invalid_quantile', (q) => {
    expect(reasonOf(() => run([1], { quantiles: [0.5, q] }))).toBe('invalid_quantile');
  });

  it.each([['1h'], [''], ['24H'], ['__proto__'], ['toString']])('horizon %p → unknown_horizon', (horizon) => {
    expect(reasonOf(() => run([1], { horizon }))).toBe('unknown_horizon');
  });

  it.each([
    ['zero', 0, '24h'],
    ['not dividing a day', 7, '24h'],
    ['coarser than the 24h output step', 3600, '24h'],
    ['fractional', 0.5, '24h'],
  ])('history step %s → invalid_step', (_name, stepSeconds, horizon) => {
    const h = { startMs: START, stepSeconds, values: Float64Array.of(1) };
    expect(reasonOf(() => forecastSeasonalNaive(h, { metric: 'cpu', horizon }))).toBe('invalid_step');
  });

  it('accepts an hourly history for the 7d and 30d horizons', () => {
    const h = { startMs: START, stepSeconds: 3600, values: Float64Array.from({ length: 48 }, (_, t) => t % 24) };
    const f = forecastSeasonalNaive(h, { metric: 'cpu', horizon: '7d' });
    expect(f.model).toBe(MODEL_DAILY);
    expect(f.points[0]!.mean).toBe(0);
    expect(f.points[23]!.mean).toBe(23);
  });

  it('names the error and its reason for callers that log it', () => {
    const e = (() => {
      try {
        run([], {});
      } catch (err) {
        return err as ForecastError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ForecastError);
    expect(e!.name).toBe('ForecastError');
    expect(e!.message).toMatch(/no finite sample/);
  });
});

describe('fillGaps', () => {
  it.each([
    ['season back', [1, 2, 3, Number.NaN], 3, [1, 2, 3, 1], 1],
    ['fallback season', [1, 2, Number.NaN], 5, [1, 2, 1], 1],
    ['last valid', [5, Number.NaN, Number.NaN], 9, [5, 5, 5], 2],
    ['chained fills', [1, Number.NaN, Number.NaN, Number.NaN], 2, [1, 1, 1, 1], 3],
  ])('%s', (_name, values, season, expected, filled) => {
    const r = fillGaps(values, season, season === 5 ? 2 : season);
    expect(Array.from(r.values)).toEqual(expected);
    expect(r.filled).toBe(filled);
  });
});

describe('backtestMase', () => {
  it('is 0 for a series that repeats exactly', () => {
    expect(backtestMase(diurnal(3 * DAY), DAY, DAY)).toBe(0);
  });

  it('treats differences at floating-point noise level as zero', () => {
    const y = Float64Array.from({ length: 3 * DAY }, (_, t) => 2 + Math.sin((2 * Math.PI * t) / DAY)); // not exactly periodic
    expect(backtestMase(y, DAY, DAY)).toBe(0);
  });

  it('matches a hand computation', () => {
    // season 2, scale season 2: train [1,2,2,3,3,4] → scale = mean(|2-1|,|3-2|,|3-2|,|4-3|) = 1
    // held out [5,5] vs forecast [3,4] → mae = 1.5 → MASE 1.5
    expect(backtestMase([1, 2, 2, 3, 3, 4, 5, 5], 2, 2)).toBe(1.5);
  });

  it('falls back to the one-step scale when the training part repeats exactly', () => {
    // train [1,2,1,2] repeats with season 2; one-step scale = 1; held out [2,2] vs [1,2] → mae 0.5
    expect(backtestMase([1, 2, 1, 2, 2, 2], 2, 2)).toBe(0.5);
  });

  it.each([
    ['too short', [1, 2, 3], 2, 2],
    ['constant training, moving test', [1, 1, 1, 1, 5, 6], 2, 2],
  ])('is undefined when %s', (_name, values, season, scaleSeason) => {
    expect(backtestMase(values, season, scaleSeason)).toBeUndefined();
  });
});
